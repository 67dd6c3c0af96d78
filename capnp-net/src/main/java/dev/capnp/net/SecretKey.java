package dev.capnp.net;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A vat's secret key (spec section 2): RSA-2048 when generated; saved as PEM PKCS#8
 * ({@code PRIVATE KEY}, 64-character lines, trailing newline) in a file created exclusively with
 * mode 0600. Loading also accepts PKCS#1 {@code RSA PRIVATE KEY} and {@code EC PRIVATE KEY}.
 * {@link #hashedSecret()} is SHA-256 of the exact PEM bytes (the seed's {@code hashed_secret}).
 *
 * <p>Unlike the seed, {@link #loadOrCreate(Path)} refuses an existing key file that group or
 * others may access (any of the mode bits 077 set), as OpenSSH refuses such a private key, with
 * an error naming the file, its mode and the {@code chmod} that fixes it. The check applies on
 * file systems with POSIX permissions; elsewhere the file is used as it is.
 */
public final class SecretKey {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final byte[] pem;
  private final AuthDigest digest;

  private SecretKey(PrivateKey privateKey, PublicKey publicKey, byte[] pem) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.pem = pem;
    this.digest = AuthDigest.ofPublicKey(publicKey);
  }

  /**
   * A fresh RSA-2048 key (not saved anywhere).
   *
   * @return the new key
   */
  public static SecretKey generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair kp = g.generateKeyPair();
      return new SecretKey(kp.getPrivate(), kp.getPublic(), toPem(kp.getPrivate()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key", e);
    }
  }

  /**
   * Loads the key in {@code file}, or generates one and writes it there (exclusive create, mode
   * 0600) if the file does not exist.
   *
   * @param file the key file
   * @return the key loaded from or saved to {@code file}
   * @throws IOException if the file cannot be read or written, or if it exists and group or
   *     others may access it (on POSIX file systems): {@code Secret key file F is accessible by
   *     group or others (mode 0644): run chmod 600 F}
   * @throws IllegalArgumentException if the file does not hold one supported private key
   */
  public static SecretKey loadOrCreate(Path file) throws IOException {
    try {
      return load(file);
    } catch (NoSuchFileException e) {
      SecretKey k = generate();
      try {
        k.save(file);
      } catch (FileAlreadyExistsException race) {
        return load(file);
      }
      return k;
    }
  }

  private static SecretKey load(Path file) throws IOException {
    checkOwnerOnly(file);
    return fromPem(Files.readAllBytes(file), file.toString());
  }

  /** The mode bits of group and others (077). */
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /**
   * Refuses a key file that group or others may access, as OpenSSH does: anyone else who can
   * read it can impersonate the vat. Skipped where the file system has no POSIX permissions.
   */
  private static void checkOwnerOnly(Path file) throws IOException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return;
    }
    if (!Collections.disjoint(mode, GROUP_OR_OTHERS)) {
      throw new IOException("Secret key file " + file + " is accessible by group or others (mode "
          + octal(mode) + "): run chmod 600 " + file);
    }
  }

  /** {@code mode} as four octal digits, e.g. {@code 0644}. */
  static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      // PosixFilePermission's order is OWNER_READ .. OTHERS_EXECUTE: bit 8 down to bit 0
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }

  /**
   * Writes the PEM to a new file (fails if it exists), mode 0600 on POSIX systems.
   *
   * @param file the file to create
   * @throws IOException if the file exists or cannot be written
   */
  public void save(Path file) throws IOException {
    EnumSet<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    SeekableByteChannel ch;
    try {
      ch = Files.newByteChannel(file, opts,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      ch = Files.newByteChannel(file, opts);
    }
    try (SeekableByteChannel c = ch) {
      ByteBuffer b = ByteBuffer.wrap(pem);
      while (b.hasRemaining()) {
        c.write(b);
      }
    }
  }

  /**
   * Parses a PEM holding exactly one private key; {@code source} names it in errors.
   *
   * @param pemBytes the PEM text
   * @param source names the PEM in error messages, e.g. its file name
   * @return the key
   * @throws IllegalArgumentException if the PEM is not one supported private key
   */
  public static SecretKey fromPem(byte[] pemBytes, String source) {
    String text = new String(pemBytes, StandardCharsets.US_ASCII);
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      Object o = p.readObject();
      if (o == null) {
        throw new IllegalArgumentException("No private key found in " + source);
      }
      if (p.readObject() != null) {
        throw new IllegalArgumentException("Expected exactly one private key in " + source);
      }
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      PrivateKey priv;
      PublicKey pub;
      if (o instanceof PEMKeyPair) {
        KeyPair kp = conv.getKeyPair((PEMKeyPair) o);
        priv = kp.getPrivate();
        pub = kp.getPublic();
      } else if (o instanceof PrivateKeyInfo) {
        priv = conv.getPrivateKey((PrivateKeyInfo) o);
        pub = publicOf(priv, source);
      } else {
        throw new IllegalArgumentException("Not a private key in " + source + ": "
            + o.getClass().getSimpleName());
      }
      return new SecretKey(priv, pub, pemBytes.clone());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Bad private key in " + source + ": " + e.getMessage(),
          e);
    }
  }

  private static PublicKey publicOf(PrivateKey priv, String source)
      throws GeneralSecurityException {
    if (priv instanceof RSAPrivateCrtKey) {
      RSAPrivateCrtKey k = (RSAPrivateCrtKey) priv;
      return KeyFactory.getInstance("RSA").generatePublic(
          new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
    }
    throw new IllegalArgumentException("Unsupported PKCS#8 key type " + priv.getAlgorithm()
        + " in " + source + " (RSA keys are supported as PKCS#8; EC as EC PRIVATE KEY)");
  }

  private static byte[] toPem(PrivateKey key) throws GeneralSecurityException {
    byte[] der = KeyFactory.getInstance(key.getAlgorithm())
        .getKeySpec(key, PKCS8EncodedKeySpec.class).getEncoded();
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder("-----BEGIN PRIVATE KEY-----\n");
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    sb.append("-----END PRIVATE KEY-----\n");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The private key.
   *
   * @return the private key
   */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * The public key.
   *
   * @return the public key
   */
  public PublicKey publicKey() {
    return publicKey;
  }

  /**
   * The exact PEM bytes (a copy; secret!).
   *
   * @return a copy of the PEM bytes
   */
  public byte[] pem() {
    return pem.clone();
  }

  /**
   * {@code sha-256:} fingerprint of the public key's DER SubjectPublicKeyInfo.
   *
   * @return the public key's fingerprint
   */
  public AuthDigest digest() {
    return digest;
  }

  /**
   * SHA-256 of the exact PEM bytes: the secret behind {@link #derivedId(String)}.
   *
   * @return the 32-byte SHA-256 of the PEM bytes
   */
  public byte[] hashedSecret() {
    return ServiceId.sha256(pem);
  }

  /**
   * HMAC-SHA256(key = {@link #hashedSecret()}, name): a stable secret service ID.
   *
   * @param name the service name
   * @return the 32-byte service ID
   */
  public ServiceId derivedId(String name) {
    return ServiceId.derived(hashedSecret(), name);
  }

  /** Shows the fingerprint only. */
  @Override
  public String toString() {
    return "SecretKey(" + privateKey.getAlgorithm() + ", " + digest + ")";
  }
}
