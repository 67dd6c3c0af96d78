package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec section 4: cap files. */
class CapFileTest {
  @TempDir
  Path dir;

  private static final CapnpUri URI = CapnpUri.parse(
      "capnp://sha-256:s16WV4JeGusAL_nTjvICiQOFqm3LqYrDj3K-HXdMi8s@localhost:7000/bWFpbg");

  @Test
  void saveWritesTheUriAndANewlineWithMode0600() throws Exception {
    Path f = dir.resolve("alice.cap");
    CapFile.save(f, URI);
    assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo(URI + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThat(CapFile.load(f)).isEqualTo(URI);
    assertThat(CapFile.load(f).serviceId()).isEqualTo(ServiceId.ofPublic("main"));
  }

  @Test
  void saveTruncatesAnExistingFileAndKeepsItsMode() throws Exception {
    Path f = dir.resolve("old.cap");
    Files.writeString(f, "x".repeat(500));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    CapnpUri unix = CapnpUri.parse("capnp://insecure@/tmp/calc.socket/");
    CapFile.save(f, unix);
    assertThat(Files.readString(f)).isEqualTo("capnp://insecure@/tmp/calc.socket/\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-r-----");
    assertThat(CapFile.load(f)).isEqualTo(unix);
  }

  @Test
  void loadTrimsWhitespace() throws Exception {
    Path f = dir.resolve("spaced.cap");
    Files.writeString(f, "  \n" + URI + " \r\n\n");
    assertThat(CapFile.load(f)).isEqualTo(URI);
  }

  @Test
  void loadErrors() throws Exception {
    Path missing = dir.resolve("missing.cap");
    assertThatThrownBy(() -> CapFile.load(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("File \"" + missing + "\" does not exist");
    Path bad = dir.resolve("bad.cap");
    Files.writeString(bad, "capnp://insecure@localhost\n");
    assertThatThrownBy(() -> CapFile.load(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Error loading \"" + bad + "\": ")
        .hasMessageContaining("Missing port");
    assertThatThrownBy(() -> CapFile.saveText(dir.resolve("n.cap"), "http://x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.resolve("n.cap")).doesNotExist();
  }
}
