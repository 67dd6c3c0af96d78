package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.ServiceId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
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

  /**
   * Unlike the seed, which truncates an existing file and keeps its mode, an existing cap file
   * readable by others is replaced by one of mode 0600 (issue 10): the URI's secret is never in a
   * file others can read, and no temporary file is left behind.
   */
  @Test
  void saveReplacesAnExistingFileWithAFileOfMode0600() throws Exception {
    Path f = dir.resolve("old.cap");
    Files.writeString(f, "x".repeat(500));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    CapnpUri unix = CapnpUri.parse("capnp://insecure@/tmp/calc.socket/");
    CapFile.save(f, unix);
    assertThat(Files.readString(f)).isEqualTo("capnp://insecure@/tmp/calc.socket/\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThat(CapFile.load(f)).isEqualTo(unix);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(f);
    }
  }

  /** A symbolic link at the path is followed: the file it points to is replaced (0600). */
  @Test
  void saveFollowsASymbolicLink() throws Exception {
    Path real = Files.createDirectory(dir.resolve("caps")).resolve("real.cap");
    Files.writeString(real, "old");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path link = Files.createSymbolicLink(dir.resolve("link.cap"), real);
    CapFile.save(link, URI);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).isEqualTo(URI + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real)))
        .isEqualTo("rw-------");
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
