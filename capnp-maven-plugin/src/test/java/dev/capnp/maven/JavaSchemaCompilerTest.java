package dev.capnp.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's {@code <compiler>java</compiler>} option: no native tool, same generated Java. */
class JavaSchemaCompilerTest {
  private static final String POINT = "@0xd1a7e3b5c6f0a9b7;\n"
      + "using Java = import \"/capnp/java.capnp\";\n$Java.package(\"com.example.geo\");\n"
      + "struct Point { x @0 :Int32; y @1 :Int32 = 7; tags @2 :List(Text); }\n";

  @Test
  void generatesTheSameJavaAsCapnp(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("geo"));
    Path schema = src.resolve("geo/point.capnp");
    Files.writeString(schema, POINT);
    List<File> schemas = List.of(schema.toFile());
    Path include = dir.resolve("include");
    Files.createDirectories(include.resolve("capnp"));
    try (var in = getClass().getClassLoader().getResourceAsStream("capnp/java.capnp")) {
      Files.copy(in, include.resolve("capnp/java.capnp"));
    }
    List<File> imports = List.of(src.toFile(), include.toFile());
    byte[] fromJava = JavaSchemaCompiler.compile(schemas, imports, src.toFile());
    List<Path> written = SchemaGenerator.generate(fromJava, dir.resolve("java"), Map.of());
    assertThat(written).hasSize(1);
    assertThat(Files.readString(written.get(0))).contains("package com.example.geo;", "getY()");
    boolean capnpInstalled;
    try {
      capnpInstalled = new ProcessBuilder("capnp", "--version").start().waitFor() == 0;
    } catch (java.io.IOException e) {
      capnpInstalled = false;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        capnpInstalled || System.getenv("CAPNP_INTEROP_REQUIRED") != null, "capnp is not installed");
    byte[] fromCapnp = new CapnpExecutable("capnp").compile(schemas, imports, src.toFile());
    List<Path> nativeWritten = SchemaGenerator.generate(fromCapnp, dir.resolve("native"), Map.of());
    assertThat(Files.readString(written.get(0))).isEqualTo(Files.readString(nativeWritten.get(0)));
  }

  @Test
  void schemaErrorsAreReportedLikeCapnp(@TempDir Path dir) throws Exception {
    Path schema = dir.resolve("broken.capnp");
    Files.writeString(schema, "@0xd1a7e3b5c6f0a9b5;\nstruct Broken { field @0 :NoSuchType; }\n");
    assertThatThrownBy(() -> JavaSchemaCompiler.compile(List.of(schema.toFile()), List.of(),
        dir.toFile()))
        .isInstanceOf(MojoExecutionException.class)
        .hasMessage("Schema errors:\nbroken.capnp:2:27-37: error: Not defined: NoSuchType");
  }
}
