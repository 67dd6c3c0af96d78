package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.persist.CapFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UriOrCapFile}: a command-line argument that is a URI or a cap file. */
class UriOrCapFileTest {
  private static final String URI =
      "capnp://sha-256:s16WV4JeGusAL_nTjvICiQOFqm3LqYrDj3K-HXdMi8s@localhost:7000/bWFpbg";

  @TempDir
  Path dir;

  @Test
  void aUriIsParsed() {
    assertThat(UriOrCapFile.parse(URI)).isEqualTo(CapnpUri.parse(URI));
    assertThat(UriOrCapFile.parse(URI).address()).isEqualTo(NetAddress.tcp("localhost", 7000));
    assertThat(UriOrCapFile.isUri(URI)).isTrue();
  }

  @Test
  void anythingElseIsACapFile() throws Exception {
    Path file = dir.resolve("echo.cap");
    CapFile.save(file, CapnpUri.parse(URI));
    assertThat(UriOrCapFile.parse(file.toString())).isEqualTo(CapnpUri.parse(URI));
    assertThat(UriOrCapFile.isUri(file.toString())).isFalse();
  }

  @Test
  void errorsNameTheProblem() throws Exception {
    Path missing = dir.resolve("missing.cap");
    assertThatThrownBy(() -> UriOrCapFile.parse(missing.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("File \"" + missing + "\" does not exist");
    assertThatThrownBy(() -> UriOrCapFile.parse("http://example.com/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown scheme \"http\"");
    assertThatThrownBy(() -> UriOrCapFile.parse(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty argument");
    Path garbage = dir.resolve("garbage.cap");
    Files.writeString(garbage, "not a uri\n");
    assertThatThrownBy(() -> UriOrCapFile.parse(garbage.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Error loading \"" + garbage + "\"");
  }
}
