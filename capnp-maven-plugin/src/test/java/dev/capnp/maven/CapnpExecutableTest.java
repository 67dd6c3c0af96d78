package dev.capnp.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's use of the {@code capnp} executable, and its errors. */
class CapnpExecutableTest {
  @Test
  void missingExecutableSaysHowToInstallCapnp(@TempDir Path dir) {
    CapnpExecutable capnp = new CapnpExecutable(dir.resolve("no-such-capnp").toString());
    assertThatThrownBy(() -> capnp.compile(List.of(dir.resolve("x.capnp").toFile()), List.of(), dir.toFile()))
        .isInstanceOf(MojoExecutionException.class)
        .hasMessageContaining("Cannot run the Cap'n Proto compiler")
        .hasMessageContaining("apt-get install capnproto");
  }

  @Test
  void schemaErrorsAreReportedWithCapnpsMessage(@TempDir Path dir) throws Exception {
    Path schema = dir.resolve("broken.capnp");
    Files.writeString(schema, "@0xd1a7e3b5c6f0a9b5;\nstruct Broken { field @0 :NoSuchType; }\n");
    CapnpExecutable capnp = new CapnpExecutable("capnp");
    assertThatThrownBy(() -> capnp.compile(List.of(schema.toFile()), List.of(), dir.toFile()))
        .isInstanceOf(MojoExecutionException.class)
        .hasMessageContaining("capnp compile failed")
        .hasMessageContaining("NoSuchType");
  }

  @Test
  void validSchemaYieldsARequestThatGeneratesJava(@TempDir Path dir) throws Exception {
    Path schema = dir.resolve("point.capnp");
    Files.writeString(schema, "@0xd1a7e3b5c6f0a9b7;\nstruct Point { x @0 :Int32; y @1 :Int32; }\n");
    byte[] request = new CapnpExecutable("capnp").compile(List.of(schema.toFile()), List.of(), dir.toFile());
    Path out = dir.resolve("out");
    List<Path> written = SchemaGenerator.generate(request, out, java.util.Map.of("point.capnp", "com.example.geo"));
    assertThat(written).hasSize(1);
    assertThat(written.get(0)).isEqualTo(out.resolve("com/example/geo/PointSchema.java")); // the outer class yields to the struct named Point
    assertThat(written.get(0).getFileName().toString()).isEqualTo("PointSchema.java");
    assertThat(Files.readString(written.get(0))).contains("package com.example.geo;", "getX()", "setY(int value)");
    assertThat(new File(out.toFile(), "com/example/geo").isDirectory()).isTrue();
  }
}
