package dev.capnp.tool;

import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resolves root type names that only the schema compiler knows: {@code using} aliases (such as
 * {@code using Foo = import "x.capnp".Bar;} or {@code using T = SomeStruct;}) leave no trace in
 * a {@code CodeGeneratorRequest}, so the name is handed back to {@code capnp compile} as the type
 * of a field of a small wrapper schema that imports the user's schema, and the field's resolved
 * type is the root type.
 */
final class AliasResolver {
  /** Type expressions: names, dots, generic arguments; nothing that could end the wrapper. */
  private static final Pattern TYPE_EXPRESSION = Pattern.compile("[A-Za-z_][A-Za-z0-9_.(), ]*");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> BUILT_IN = Set.of("Void", "Bool", "Int8", "Int16", "Int32",
      "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "Text", "Data",
      "List", "AnyPointer", "AnyStruct", "AnyList", "Capability");
  private static final String WRAPPER_STRUCT = "CapnpJavaRoot";

  private AliasResolver() {}

  /**
   * The struct {@code typeExpression} names in {@code schemaFile} as {@code capnp} resolves it,
   * or null if {@code capnp} does not accept it as a type there.
   */
  static StructSchema resolveStruct(Path schemaFile, List<Path> importPath,
      String typeExpression) {
    if (!TYPE_EXPRESSION.matcher(typeExpression).matches()) {
      return null;
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("capnp-java-alias");
      Path wrapper = dir.resolve("root.capnp");
      Path schema = schemaFile.toAbsolutePath().normalize();
      String source = String.format("@0x%016x;%nusing Schema = import \"/%s\";%n"
          + "struct %s {%n  root @0 :%s;%n}%n",
          ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE,
          schema.getFileName(), WRAPPER_STRUCT, inSchemaScope(typeExpression));
      Files.writeString(wrapper, source, StandardCharsets.UTF_8);
      // The schema's own directory first, so that "/<its name>" is the schema itself.
      List<Path> paths = new ArrayList<>();
      paths.add(schema.getParent());
      paths.addAll(importPath);
      byte[] request;
      try {
        request = SchemaCompiler.compile(wrapper, paths);
      } catch (ToolException e) {
        return null;
      }
      SchemaRegistry registry =
          SchemaRegistry.fromCodeGeneratorRequest(ByteBuffer.wrap(request));
      long fileId = registry.requestedFiles().values().iterator().next();
      StructSchema root = registry.findStruct(fileId, WRAPPER_STRUCT);
      DynamicType type = root.findField("root").type();
      if (type.kind() != DynamicType.Kind.STRUCT) {
        throw new ToolException("'" + typeExpression + "' is not a struct type");
      }
      return type.structSchema();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /**
   * The expression with every name that starts a path (the type, each generic argument) looked
   * up in the user's schema ({@code Schema.}) unless it is a built-in type.
   */
  static String inSchemaScope(String typeExpression) {
    Matcher m = IDENTIFIER.matcher(typeExpression);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(typeExpression, last, m.start());
      boolean member = typeExpression.substring(0, m.start()).strip().endsWith(".");
      if (!member && !BUILT_IN.contains(m.group())) {
        out.append("Schema.");
      }
      out.append(m.group());
      last = m.end();
    }
    return out.append(typeExpression.substring(last)).toString();
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
