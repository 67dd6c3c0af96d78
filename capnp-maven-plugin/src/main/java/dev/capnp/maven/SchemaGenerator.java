package dev.capnp.maven;

import dev.capnp.compiler.JavaGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Adapter between the Maven goals and the in-process code generator of {@code capnp-compiler}. */
final class SchemaGenerator {
  private SchemaGenerator() {}

  /** Generates Java sources for every requested file of {@code request} into {@code outputDir}. */
  static List<Path> generate(byte[] request, Path outputDir, Map<String, String> packages)
      throws IOException {
    JavaGenerator.Options options = JavaGenerator.Options.defaults();
    for (Map.Entry<String, String> mapping : packages.entrySet()) {
      options = options.withPackage(mapping.getKey(), mapping.getValue());
    }
    return new JavaGenerator(options).generate(new ByteArrayInputStream(request), outputDir);
  }
}
