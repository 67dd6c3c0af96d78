package dev.capnp.tool;

import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options shared by the schema-driven commands: the schema file, root type and import path. */
final class SchemaOptions {
  @Option(names = {"-I", "--import-path"}, paramLabel = "DIR",
      description = "Add DIR to the list of directories searched for non-relative imports.")
  List<Path> importPath = new ArrayList<>();

  @Option(names = {"--verbose", "--debug"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Parameters(index = "0", paramLabel = "SCHEMA.capnp", description = "The schema file.")
  Path schemaFile;

  @Parameters(index = "1", paramLabel = "TYPE",
      description = "The root struct type, possibly nested (Outer.Inner) or generic "
          + "(Box(Text)).")
  String typeName;

  /** Compiles a schema file with {@code capnp compile} and loads its nodes. */
  static SchemaRegistry load(Path schemaFile, List<Path> importPath) {
    if (!Files.isRegularFile(schemaFile)) {
      throw new ToolException("no such schema file: " + schemaFile);
    }
    byte[] request = SchemaCompiler.compile(schemaFile, importPath);
    SchemaRegistry registry = SchemaRegistry.fromCodeGeneratorRequest(ByteBuffer.wrap(request));
    if (registry.requestedFiles().isEmpty()) {
      throw new ToolException("capnp compile returned no file for " + schemaFile);
    }
    return registry;
  }

  /**
   * Compiles the schema and finds the root type: by its declared name, else (the name goes
   * through a {@code using} alias) as {@code capnp} resolves it.
   */
  StructSchema rootType() {
    SchemaRegistry registry = load(schemaFile, importPath);
    Map<String, Long> files = registry.requestedFiles();
    long fileId = files.values().iterator().next();
    try {
      return registry.findStruct(fileId, typeName);
    } catch (IllegalArgumentException e) {
      StructSchema aliased = AliasResolver.resolveStruct(schemaFile, importPath, typeName);
      if (aliased == null) {
        throw new ToolException(e.getMessage());
      }
      return aliased;
    }
  }
}
