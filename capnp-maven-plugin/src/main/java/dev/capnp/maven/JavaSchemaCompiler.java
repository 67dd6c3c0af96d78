package dev.capnp.maven;

import dev.capnp.schemac.CapnpCompiler;
import dev.capnp.schemac.SchemaCompileException;
import dev.capnp.schemac.SchemaError;
import java.io.File;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Parses schemas with the schema compiler written in Java ({@code capnp-schema-compiler}), so
 * that no native {@code capnp} is needed; it gives the same request as {@link CapnpExecutable}.
 */
final class JavaSchemaCompiler {
  private JavaSchemaCompiler() {}

  /**
   * Parses {@code schemas} and returns the encoded {@code CodeGeneratorRequest}.
   *
   * @param srcPrefix stripped from file names so that generated names are relative to it
   */
  static byte[] compile(List<File> schemas, List<File> importPaths, File srcPrefix)
      throws MojoExecutionException {
    try {
      return CapnpCompiler.builder()
          .importPath(importPaths.stream().map(File::toPath).toList())
          .sourcePrefixes(List.of(srcPrefix.toPath().toAbsolutePath()))
          .build()
          .compileToBytes(schemas.stream().map(f -> f.toPath().toAbsolutePath()).toList());
    } catch (SchemaCompileException e) {
      throw new MojoExecutionException("Schema errors:\n" + e.errors().stream()
          .map(SchemaError::toString).collect(Collectors.joining("\n")), e);
    } catch (java.io.UncheckedIOException e) {
      throw new MojoExecutionException("Cannot read a schema: " + e.getMessage(), e);
    }
  }
}
