package dev.capnp.tool;

import dev.capnp.dynamic.DynamicList;
import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.runtime.MessageReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eval}: prints a constant (or a part of one), like {@code capnp eval}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Prints the value of NAME, a constant defined in SCHEMA.capnp, like "
        + "'capnp eval'. NAME may continue with struct fields and list subscripts "
        + "(myConst.items[2].name); Struct.field gives a field's default value. Names may "
        + "go through 'using' aliases, also of imported files."})
final class EvalCommand implements Callable<Integer> {
  private static final Pattern PART = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[[0-9]+\\])*)");

  private final CapnpJava tool;

  @Option(names = {"-I", "--import-path"}, paramLabel = "DIR",
      description = "Add DIR to the list of directories searched for non-relative imports.")
  List<java.nio.file.Path> importPath = new ArrayList<>();

  @Option(names = {"--verbose", "--debug"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Option(names = "--short", description = "Print structs and lists on one line.")
  boolean oneLine;

  @Parameters(index = "0", paramLabel = "SCHEMA.capnp", description = "The schema file.")
  java.nio.file.Path schemaFile;

  @Parameters(index = "1", paramLabel = "NAME", description = "The constant to print.")
  String name;

  EvalCommand(CapnpJava tool) {
    this.tool = tool;
  }

  private record Part(String name, List<Integer> subscripts) {}

  private record Value(DynamicType type, Object value) {}

  @Override
  public Integer call() {
    List<Part> parts = parse(name);
    EvalNames names = new EvalNames(importPath);
    EvalNames.Node node = names.root(schemaFile);
    int pos = 0;
    boolean stoppedAtSubscript = false;
    for (; pos < parts.size(); pos++) {
      Optional<EvalNames.Node> child = names.member(node, parts.get(pos).name());
      if (child.isEmpty()) {
        break;
      }
      node = child.get();
      if (!parts.get(pos).subscripts().isEmpty()) {
        stoppedAtSubscript = true;
        break;
      }
    }
    SchemaRegistry registry = node.registry();
    long scope = node.id();
    Value value;
    String shortName = shortName(registry.displayName(scope));
    if (registry.isConst(scope)) {
      value = new Value(registry.constType(scope), registry.constValue(scope));
    } else if (registry.isStruct(scope) && pos < parts.size()) {
      StructSchema struct = registry.getStruct(scope);
      ByteBuffer empty = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      value = new Value(DynamicType.struct(struct),
          new MessageReader(new ByteBuffer[] {empty}).getRoot(struct.factory()));
    } else if (stoppedAtSubscript) {
      throw new ToolException("'" + shortName + "' is not a list.");
    } else if (pos < parts.size()) {
      throw new ToolException("'" + parts.get(pos).name() + "' is not defined.");
    } else {
      throw new ToolException("'" + shortName + "' cannot be evaluated.");
    }
    for (; pos < parts.size(); pos++) {
      Part part = parts.get(pos);
      if (!stoppedAtSubscript) {
        if (value.type().kind() != DynamicType.Kind.STRUCT) {
          throw new ToolException("'" + parts.get(pos - 1).name() + "' is not a struct.");
        }
        DynamicStruct.Reader struct = (DynamicStruct.Reader) value.value();
        StructSchema.Field field = struct.schema().findField(part.name());
        if (field == null) {
          throw new ToolException("'" + parts.get(pos - 1).name() + "' has no member '"
              + part.name() + "'.");
        }
        value = new Value(field.type(), struct.get(field));
      }
      List<Integer> subscripts = part.subscripts();
      for (int i = 0; i < subscripts.size(); i++) {
        if (value.type().kind() != DynamicType.Kind.LIST) {
          throw new ToolException("'" + part.name() + subscriptText(subscripts, i)
              + "' is not a list.");
        }
        DynamicList.Reader list = (DynamicList.Reader) value.value();
        int index = subscripts.get(i);
        if (index >= list.size()) {
          throw new ToolException("'" + part.name() + subscriptText(subscripts, i + 1)
              + "' is out-of-bounds.");
        }
        value = new Value(list.elementType(), list.get(index));
      }
      stoppedAtSubscript = false;
    }
    PrintStream out = tool.out();
    byte[] text = TextFormat.valueToBytes(value.type(), value.value(), !oneLine);
    out.write(text, 0, text.length);
    out.write('\n');
    out.flush();
    return 0;
  }

  private static String shortName(String displayName) {
    int colon = displayName.lastIndexOf(':');
    String name = displayName.substring(colon + 1);
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private static String subscriptText(List<Integer> subscripts, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append('[').append(subscripts.get(i)).append(']');
    }
    return sb.toString();
  }

  private static List<Part> parse(String name) {
    List<Part> parts = new ArrayList<>();
    for (String piece : name.split("\\.", -1)) {
      Matcher m = PART.matcher(piece);
      if (!m.matches()) {
        throw new ToolException("invalid syntax: " + name);
      }
      List<Integer> subscripts = new ArrayList<>();
      Matcher s = Pattern.compile("\\[([0-9]+)\\]").matcher(m.group(2));
      while (s.find()) {
        try {
          subscripts.add(Integer.parseInt(s.group(1)));
        } catch (NumberFormatException e) {
          throw new ToolException("subscript out of range in " + name);
        }
      }
      parts.add(new Part(m.group(1), subscripts));
    }
    return parts;
  }
}
