package dev.capnp.schemac;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads schema files: the files named on the command line, imports relative to the
 * importing file, and absolute imports ({@code /capnp/schema.capnp}) searched in the import path
 * and then in the schemas bundled in this jar (and capnp-runtime's {@code /capnp/java.capnp}).
 */
final class ModuleLoader {
  private static final String BUNDLED_PREFIX = "capnp/";

  private final List<Path> importPath;
  private final Map<String, Module> modules = new HashMap<>();
  private final ErrorReporter errors;

  ModuleLoader(List<Path> importPath, ErrorReporter errors) {
    this.importPath = new ArrayList<>(importPath);
    this.errors = errors;
  }

  /** Loads a file given on the command line, displayed as {@code displayName}. */
  Module loadRoot(Path path, String displayName) {
    String key = "file:" + path.toAbsolutePath().normalize();
    Module cached = modules.get(key);
    if (cached != null) {
      return cached;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    return register(key, new SourceFile(displayName, bytes), path.toAbsolutePath().getParent(),
        parentOf(displayName));
  }

  /** Registers a source held in memory; relative imports are resolved in {@code directory}. */
  Module loadSource(SourceFile source, Path directory) {
    return register("source:" + source.name(), source, directory, parentOf(source.name()));
  }

  /** Resolves {@code import "name"} from {@code importer}, or null when not found. */
  Module importFrom(Module importer, String name) {
    if (name.startsWith("/")) {
      String relative = name.substring(1);
      for (Path dir : importPath) {
        Path candidate = dir.resolve(relative);
        if (Files.isRegularFile(candidate)) {
          return loadFile(candidate, relative, candidate.getParent(), parentOf(relative));
        }
      }
      if (relative.startsWith(BUNDLED_PREFIX)) {
        return loadBundled(relative);
      }
      return null;
    }
    if (importer.directory() == null) {
      return null;
    }
    Path candidate = importer.directory().resolve(name).normalize();
    if (!Files.isRegularFile(candidate)) {
      return null;
    }
    String display = normalizeDisplay(importer.displayDirectory() + name);
    return loadFile(candidate, display, candidate.getParent(), parentOf(display));
  }

  private Module loadFile(Path file, String display, Path dir, String displayDir) {
    String key = "file:" + file.toAbsolutePath().normalize();
    Module cached = modules.get(key);
    if (cached != null) {
      return cached;
    }
    try {
      return register(key, new SourceFile(display, Files.readAllBytes(file)), dir, displayDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private Module loadBundled(String relative) {
    String key = "bundled:" + relative;
    Module cached = modules.get(key);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = ModuleLoader.class.getClassLoader().getResourceAsStream(relative)) {
      if (in == null) {
        return null;
      }
      return register(key, new SourceFile(relative, in.readAllBytes()), null, parentOf(relative));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled schema " + relative, e);
    }
  }

  private Module register(String key, SourceFile file, Path dir, String displayDir) {
    Module module = new Module(this, file, dir, displayDir, errors);
    modules.put(key, module);
    return module;
  }

  private static String parentOf(String display) {
    int slash = display.lastIndexOf('/');
    return slash < 0 ? "" : display.substring(0, slash + 1);
  }

  private static String normalizeDisplay(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.equals("..") && !parts.isEmpty() && !parts.get(parts.size() - 1).equals("..")) {
        parts.remove(parts.size() - 1);
      } else if (!part.equals(".") && !part.isEmpty()) {
        parts.add(part);
      }
    }
    return String.join("/", parts);
  }
}
