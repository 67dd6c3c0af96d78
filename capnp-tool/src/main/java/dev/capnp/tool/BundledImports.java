package dev.capnp.tool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Schemas that ship inside capnp-java (today {@code /capnp/java.capnp}, our Java annotations),
 * copied once per run to a temporary directory that is added last to {@code capnp}'s import path,
 * so that {@code import "/capnp/java.capnp"} works without the user passing {@code -I}.
 */
final class BundledImports {
  private static final String[] RESOURCES = {"capnp/java.capnp"};
  private static Path directory;

  private BundledImports() {}

  /** The import directory holding the bundled schemas, created on first use. */
  static synchronized Path directory() {
    if (directory == null) {
      try {
        Path dir = Files.createTempDirectory("capnp-java-imports");
        dir.toFile().deleteOnExit();
        for (String resource : RESOURCES) {
          try (InputStream in = BundledImports.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
              throw new ToolException("the bundled schema " + resource + " is missing from the classpath");
            }
            Path target = dir.resolve(resource);
            Files.createDirectories(target.getParent());
            target.getParent().toFile().deleteOnExit();
            Files.copy(in, target);
            target.toFile().deleteOnExit();
          }
        }
        directory = dir;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot unpack the bundled schemas", e);
      }
    }
    return directory;
  }
}
