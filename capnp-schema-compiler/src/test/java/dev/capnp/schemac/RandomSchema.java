package dev.capnp.schemac;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generates a random schema file from a seed: nested structs with fields of random types and
 * shuffled ordinals, unnamed and named unions, groups, enums, a generic struct and its instances,
 * aliases, constants (also of struct type, also referring to others), annotations with scalar
 * and struct values, interfaces with inheritance and generic methods, defaults and doc comments.
 * A few are invalid on purpose (an annotation on the wrong kind of declaration), and layouts
 * capnp refuses (its issue 344) come up too.
 */
final class RandomSchema {
  private static final String[] PRIMITIVES = {"Void", "Bool", "Int8", "Int16", "Int32", "Int64",
      "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "Text", "Data"};

  private final Random random;
  private final StringBuilder out = new StringBuilder();
  private final List<String> structs = new ArrayList<>();
  private final List<String> enums = new ArrayList<>();
  private final List<List<String>> enumerants = new ArrayList<>();
  private int nameCounter;

  private RandomSchema(long seed) {
    this.random = new Random(seed);
  }

  /** The schema text for {@code seed}. */
  static String generate(long seed) {
    return new RandomSchema(seed).file();
  }

  private String lower() {
    return "m" + (nameCounter++);
  }

  private String upper() {
    return "T" + (nameCounter++);
  }

  private String file() {
    out.append("@0x").append(Long.toHexString(random.nextLong() | Long.MIN_VALUE)).append(";\n");
    out.append("annotation note(*) :Text;\nannotation flag(*) :Void;\nannotation structOnly(struct) :Void;\n");
    out.append("struct Box(T) {\n  value @0 :T;\n  count @1 :UInt16;\n}\n");
    out.append("struct Info {  # information\n  level @0 :UInt8;\n  tag @1 :Text;\n"
        + "  nums @2 :List(Int32);\n}\nannotation info(*) :Info;\n");
    out.append("const base :Int32 = 7;\nconst derived :Int32 = .base;\n"
        + "const infoConst :Info = (level = 2, tag = \"c\", nums = [1, 2]);\n");
    out.append("using BoxedText = Box(Text);\n");
    int enumCount = random.nextInt(3);
    for (int i = 0; i < enumCount; i++) {
      enumDecl("", "");
    }
    int structCount = 1 + random.nextInt(3);
    for (int i = 0; i < structCount; i++) {
      structDecl("", 0, "");
    }
    int constCount = random.nextInt(4);
    for (int i = 0; i < constCount; i++) {
      String type = primitiveType(true);
      out.append("const ").append(lower()).append(" :").append(type).append(" = ")
          .append(value(type)).append(";\n");
    }
    if (random.nextBoolean()) {
      interfaceDecl();
    }
    return out.toString();
  }

  private void enumDecl(String indent, String qualifier) {
    String name = upper();
    List<String> names = new ArrayList<>();
    int count = 1 + random.nextInt(5);
    out.append(indent).append("enum ").append(name).append(annotations(true)).append(" {\n");
    for (int i = 0; i < count; i++) {
      String e = lower();
      names.add(e);
      out.append(indent).append("  ").append(e).append(" @").append(i).append(annotations(false))
          .append(";").append(doc()).append("\n");
    }
    out.append(indent).append("}\n");
    enums.add(qualifier + name);
    enumerants.add(names);
  }

  private void structDecl(String indent, int depth, String qualifier) {
    String name = upper();
    out.append(indent).append("struct ").append(name).append(annotations(true)).append(" {")
        .append(doc()).append("\n");
    if (depth < 2 && random.nextInt(3) == 0) {
      structDecl(indent + "  ", depth + 1, qualifier + name + ".");
    }
    if (random.nextInt(4) == 0) {
      enumDecl(indent + "  ", qualifier + name + ".");
    }
    List<Member> members = members(depth);
    int total = countOrdinals(members);
    List<Integer> ordinals = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      ordinals.add(i);
    }
    Collections.shuffle(ordinals, random);
    int[] next = {0};
    for (Member m : members) {
      emit(m, indent + "  ", ordinals, next);
    }
    out.append(indent).append("}\n");
    structs.add(qualifier + name);
  }

  /** A member: a field (type), a union or a group (children). */
  private record Member(String type, boolean union, boolean named, List<Member> children) {}

  private List<Member> members(int depth) {
    List<Member> members = new ArrayList<>();
    int count = 1 + random.nextInt(6);
    boolean hasUnnamedUnion = false;
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(10);
      if (kind == 0 && depth < 3 && !hasUnnamedUnion) {
        hasUnnamedUnion = true;
        members.add(new Member(null, true, false, unionMembers(depth + 1)));
      } else if (kind == 1 && depth < 3) {
        members.add(new Member(null, true, true, unionMembers(depth + 1)));
      } else if (kind == 2 && depth < 3) {
        members.add(new Member(null, false, true, members(depth + 1)));
      } else {
        members.add(new Member(fieldType(), false, false, null));
      }
    }
    return members;
  }

  private List<Member> unionMembers(int depth) {
    List<Member> members = new ArrayList<>();
    int count = 2 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(8);
      if (kind == 0 && depth < 3) {
        members.add(new Member(null, false, true, members(depth + 1)));
      } else if (kind == 1 && depth < 3) {
        members.add(new Member(null, true, true, unionMembers(depth + 1)));
      } else {
        members.add(new Member(fieldType(), false, false, null));
      }
    }
    return members;
  }

  private static int countOrdinals(List<Member> members) {
    int n = 0;
    for (Member m : members) {
      n += m.children() == null ? 1 : countOrdinals(m.children());
    }
    return n;
  }

  private void emit(Member m, String indent, List<Integer> ordinals, int[] next) {
    if (m.children() == null) {
      out.append(indent).append(lower()).append(" @").append(ordinals.get(next[0]++))
          .append(" :").append(m.type());
      if (random.nextInt(3) == 0) {
        String v = value(m.type());
        if (v != null) {
          out.append(" = ").append(v);
        }
      }
      out.append(annotations(false)).append(";").append(doc()).append("\n");
      return;
    }
    if (m.union()) {
      out.append(indent).append(m.named() ? lower() + " :union" : "union").append(" {\n");
    } else {
      out.append(indent).append(lower()).append(" :group").append(" {\n");
    }
    for (Member child : m.children()) {
      emit(child, indent + "  ", ordinals, next);
    }
    out.append(indent).append("}\n");
  }

  private String annotations(boolean typeLevel) {
    StringBuilder s = new StringBuilder();
    if (random.nextInt(5) == 0) {
      s.append(" $note(\"").append(lower()).append("\")");
    }
    if (random.nextInt(6) == 0) {
      s.append(" $flag");
    }
    if (random.nextInt(typeLevel ? 30 : 400) == 0) {
      s.append(" $structOnly");  // invalid except on structs: both compilers must say so
    }
    if (random.nextInt(7) == 0) {
      s.append(" $info(level = ").append(random.nextInt(256)).append(", tag = \"t\")");
    }
    return s.toString();
  }

  /** Sometimes a doc comment (after a statement's ';' or '{'). */
  private String doc() {
    return switch (random.nextInt(6)) {
      case 0 -> "  # doc " + nameCounter++;
      case 1 -> "\n  # doc line one\n  # doc line two";
      default -> "";
    };
  }

  private String primitiveType(boolean nonVoid) {
    String t = PRIMITIVES[random.nextInt(PRIMITIVES.length)];
    return nonVoid && t.equals("Void") ? "Int32" : t;
  }

  private String fieldType() {
    int kind = random.nextInt(13);
    if (kind < 6) {
      return primitiveType(false);
    } else if (kind == 6 && !enums.isEmpty()) {
      return enums.get(random.nextInt(enums.size()));
    } else if (kind == 7 && !structs.isEmpty()) {
      return structs.get(random.nextInt(structs.size()));
    } else if (kind == 8) {
      String element = random.nextBoolean() ? primitiveType(false)
          : structs.isEmpty() ? "Text" : structs.get(random.nextInt(structs.size()));
      return "List(" + element + ")";
    } else if (kind == 9) {
      return random.nextBoolean() ? "Box(Text)"
          : structs.isEmpty() ? "Box(Data)" : "Box(" + structs.get(random.nextInt(structs.size())) + ")";
    } else if (kind == 10) {
      return random.nextBoolean() ? "AnyPointer" : "List(List(Int16))";
    } else if (kind == 11) {
      return switch (random.nextInt(4)) {
        case 0 -> "BoxedText";
        case 1 -> "Box(Box(Text))";
        case 2 -> "List(Box(Text))";
        default -> "Info";
      };
    }
    return primitiveType(false);
  }

  private String value(String type) {
    switch (type) {
      case "Void": return "void";
      case "Bool": return random.nextBoolean() ? "true" : "false";
      case "Int8": return Integer.toString(random.nextInt(256) - 128);
      case "Int16": return Integer.toString(random.nextInt(65536) - 32768);
      case "Int32": return Integer.toString(random.nextInt());
      case "Int64": return Long.toString(random.nextLong());
      case "UInt8": return Integer.toString(random.nextInt(256));
      case "UInt16": return Integer.toString(random.nextInt(65536));
      case "UInt32": return Long.toString(random.nextInt() & 0xffffffffL);
      case "UInt64": return Long.toUnsignedString(random.nextLong());
      case "Float32": return Float.toString((random.nextInt(2000) - 1000) / 8f);
      case "Float64": return Double.toString((random.nextInt(2000000) - 1000000) / 16.0);
      case "Text": return "\"" + lower() + "\"";
      case "Data": return "0x\"" + String.format("%02x %02x", random.nextInt(256), random.nextInt(256)) + "\"";
      case "List(Int16)": return "[1, -2, 3]";
      case "List(List(Int16))": return "[[1], [], [2, 3]]";
      case "Box(Text)": return "(value = \"boxed\", count = 3)";
      case "BoxedText": return "(value = \"aliased\")";
      case "Info": return random.nextBoolean() ? ".infoConst" : "(level = 1, nums = [3])";
      case "Box(Box(Text))": return "(value = (value = \"inner\"))";
      default:
        int e = enums.indexOf(type);
        if (e >= 0) {
          List<String> names = enumerants.get(e);
          return names.get(random.nextInt(names.size()));
        }
        return null;
    }
  }

  private void interfaceDecl() {
    String baseName = upper();
    out.append("interface ").append(baseName).append(" {\n  ping @0 () -> ();\n}\n");
    out.append("interface ").append(upper()).append(" extends(").append(baseName).append(") {")
        .append(doc()).append("\n");
    int methods = 1 + random.nextInt(3);
    for (int i = 0; i < methods; i++) {
      if (random.nextInt(3) == 0) {
        out.append("  ").append(lower()).append(" @").append(i)
            .append(" [T] (a :T, b :Box(T)) -> (r :T)").append(annotations(false)).append(";\n");
      } else {
        out.append("  ").append(lower()).append(" @").append(i).append(" (a :")
            .append(fieldType()).append(", b :Text = \"dflt\"").append(annotations(false))
            .append(") -> (r :").append(fieldType()).append(");").append(doc()).append("\n");
      }
    }
    out.append("}\n");
  }
}
