package dev.capnp.maven;

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
    // Wired to dev.capnp.compiler.JavaGenerator once its API lands.
    throw new UnsupportedOperationException("generator not wired yet: " + request.length + " bytes, " + outputDir + packages);
  }

  static ByteArrayInputStream stream(byte[] request) {
    return new ByteArrayInputStream(request);
  }
}
