package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyTest {
  @TempDir
  Path dir;

  @Test
  void createdOnFirstUseWithMode0600AndPkcs8Pem() throws Exception {
    Path f = dir.resolve("key.pem");
    SecretKey k = SecretKey.loadOrCreate(f);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    String pem = Files.readString(f, StandardCharsets.US_ASCII);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    String[] lines = pem.split("\n");
    for (int i = 1; i < lines.length - 2; i++) {
      assertThat(lines[i]).hasSize(64);
    }
    assertThat(((RSAPublicKey) k.publicKey()).getModulus().bitLength()).isEqualTo(2048);
    SecretKey again = SecretKey.loadOrCreate(f);
    assertThat(again.digest()).isEqualTo(k.digest());
    assertThat(again.derivedId("x")).isEqualTo(k.derivedId("x"));
    assertThat(Files.readString(f, StandardCharsets.US_ASCII)).isEqualTo(pem);
  }

  /**
   * An existing key file that group or others may access is refused, as OpenSSH refuses such a
   * private key, with the file, its mode and the fix; owner-only modes are fine (issue 10).
   */
  @Test
  void existingKeyFileAccessibleByGroupOrOthersIsRefused() throws Exception {
    Path f = dir.resolve("key.pem");
    Files.write(f, SecretKey.generate().pem());
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----",
        "rw-------", "r--------"}) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
      if (mode.endsWith("------")) {
        assertThat(SecretKey.loadOrCreate(f).digest()).as(mode).isNotNull();
        continue;
      }
      assertThatThrownBy(() -> SecretKey.loadOrCreate(f)).as(mode)
          .isInstanceOf(java.io.IOException.class)
          .hasMessage("Secret key file " + f + " is accessible by group or others (mode "
              + octal(mode) + "): run chmod 600 " + f);
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    VatConfig c = VatConfig.builder().secretKeyFile(f).build();
    assertThatThrownBy(c::secretKey).isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("Secret key file " + f + " is accessible by group or others "
            + "(mode 0644): run chmod 600 " + f);
  }

  private static String octal(String mode) {
    int bits = 0;
    for (int i = 0; i < 9; i++) {
      if (mode.charAt(i) != '-') {
        bits |= 1 << (8 - i);
      }
    }
    return String.format("%04o", bits);
  }

  @Test
  void digestIsSha256OfSubjectPublicKeyInfo() throws Exception {
    SecretKey k = SecretKey.generate();
    String d = k.digest().toString();
    assertThat(d).startsWith("sha-256:");
    assertThat(d.substring(8)).hasSize(43).matches("[A-Za-z0-9_-]+");
    byte[] expected = java.security.MessageDigest.getInstance("SHA-256")
        .digest(k.publicKey().getEncoded());
    assertThat(Base64.getUrlDecoder().decode(d.substring(8))).isEqualTo(expected);
    assertThat(AuthDigest.parse(d)).isEqualTo(k.digest());
    assertThat(k.digest().matches(k.publicKey())).isTrue();
    assertThat(k.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void derivedIdIsHmacOfThePemHash() throws Exception {
    SecretKey k = SecretKey.generate();
    byte[] secret = java.security.MessageDigest.getInstance("SHA-256").digest(k.pem());
    assertThat(k.hashedSecret()).isEqualTo(secret);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
    assertThat(k.derivedId("service").toBytes())
        .isEqualTo(mac.doFinal("service".getBytes(StandardCharsets.UTF_8)));
    VatConfig c = VatConfig.builder().secretKey(k).build();
    assertThat(c.derivedId("service")).isEqualTo(k.derivedId("service"));
  }

  @Test
  void loadsPkcs1RsaAndRejectsGarbage() throws Exception {
    Path f = dir.resolve("pkcs1.pem");
    Process p = new ProcessBuilder("openssl", "genrsa", "-traditional", "-out", f.toString(),
        "1024").redirectErrorStream(true).start();
    if (p.waitFor() == 0 && Files.exists(f)) {
      SecretKey k = SecretKey.loadOrCreate(f);
      assertThat(Files.readString(f)).contains("RSA PRIVATE KEY");
      assertThat(k.digest().matches(k.publicKey())).isTrue();
    }
    assertThatThrownBy(() -> SecretKey.fromPem("hello".getBytes(StandardCharsets.US_ASCII),
        "x.pem")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.pem");
    SecretKey a = SecretKey.generate();
    SecretKey b = SecretKey.generate();
    byte[] two = (new String(a.pem(), StandardCharsets.US_ASCII)
        + new String(b.pem(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> SecretKey.fromPem(two, "two.pem"))
        .hasMessageContaining("exactly one");
  }
}
