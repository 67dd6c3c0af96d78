package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: options, output directory, and the bin/capnpc-java plugin launcher. */
class CapnpcJavaTest {
  @TempDir
  Path out;

  @Test
  void writesFilesBelowOutputWithPackageOption() throws IOException {
    TestSchemas.assumeCapnp();
    byte[] request = TestSchemas.compile("nopackage.capnp");
    List<Path> written = CapnpcJava.run(new String[] {"--output", out.toString(),
        "--package", "nopackage.capnp=org.example.np"}, new ByteArrayInputStream(request));
    Path expected = out.resolve("org/example/np/Nopackage.java");
    assertThat(written).containsExactly(expected);
    assertThat(Files.readString(expected)).contains("package org.example.np;")
        .contains("public final class Nopackage {").contains("public static final class Thing {");
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> CapnpcJava.run(new String[] {"--bogus"},
        new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus");
    assertThatThrownBy(() -> CapnpcJava.run(new String[] {"--package", "nopackage.capnp"},
        new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FILE=PKG");
    assertThatThrownBy(() -> CapnpcJava.run(new String[] {"--output"},
        new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
  }

  @Test
  void binLauncherWorksAsCapnpPlugin() {
    TestSchemas.assumeCapnp();
    Path launcher = Path.of("../bin/capnpc-java").toAbsolutePath().normalize();
    assumeTrue(Files.isDirectory(Path.of("../capnp-runtime/target/classes"))
        && Files.isDirectory(Path.of("target/classes")), "modules not built in place");
    TestSchemas.run(List.of("capnp", "compile", "-I", TestSchemas.JAVA_CAPNP_DIR.toString(),
        "-o", launcher + ":" + out, "test.capnp", "imported.capnp"), null);
    assertThat(out.resolve("dev/capnp/compiler/test/TestSchema.java")).exists();
    assertThat(out.resolve("dev/capnp/compiler/test/other/Imported.java")).exists();
  }
}
