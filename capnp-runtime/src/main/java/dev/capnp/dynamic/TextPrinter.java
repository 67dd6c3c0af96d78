package dev.capnp.dynamic;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints dynamic values in Cap'n Proto text format, exactly as the C++ library does: the one-line
 * form of {@code kj::str(value)} and the indented form of {@code capnp::prettyPrint} (used by
 * {@code capnp decode}). Fields outside the union are printed when set (pointers non-null,
 * primitives always), the active union member in field order, groups inline.
 */
final class TextPrinter {
  private static final int MAX_INLINE_VALUE = 24;
  private static final int MAX_INLINE_RECORD = 64;

  private final int start;
  private final boolean raw;

  private TextPrinter(boolean pretty, boolean raw) {
    this.start = pretty ? 1 : 0;
    this.raw = raw;
  }

  /** How the caller places the value (C++'s PrintMode; PARENTHESIZED is never used). */
  private enum Mode { BARE, PREFIXED }

  /** Prints a struct; {@code pretty} selects the multi-line form. */
  static String print(DynamicStruct.Reader reader, boolean pretty) {
    TextPrinter p = new TextPrinter(pretty, false);
    return p.struct(reader, p.start, Mode.BARE);
  }

  /** Prints a list; {@code pretty} selects the multi-line form. */
  static String printList(DynamicList.Reader list, boolean pretty) {
    TextPrinter p = new TextPrinter(pretty, false);
    return p.list(list, p.start, Mode.BARE);
  }

  /**
   * Prints a struct as the exact bytes the C++ library produces (Text bytes copied verbatim even
   * if they are not valid UTF-8).
   */
  static byte[] printBytes(DynamicStruct.Reader reader, boolean pretty) {
    TextPrinter p = new TextPrinter(pretty, true);
    return p.struct(reader, p.start, Mode.BARE).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Prints any value as C++'s {@code capnp eval} does: structs and lists pretty-printed when
   * {@code pretty}, everything else in its one-line form (a top-level Float32 is printed at
   * double precision, as {@code kj::str(DynamicValue)} does).
   */
  static byte[] printValue(DynamicType type, Object value, boolean pretty) {
    TextPrinter p = new TextPrinter(pretty, true);
    String text = switch (type.kind()) {
      case STRUCT -> p.struct((DynamicStruct.Reader) value, p.start, Mode.BARE);
      case LIST -> p.list((DynamicList.Reader) value, p.start, Mode.BARE);
      case VOID -> "void";
      case BOOL -> ((Boolean) value).toString();
      case INT8, UINT8, INT16, UINT16, INT32, UINT32, INT64, UINT64 ->
          DynamicValue.integerToString(type.kind(), ((Number) value).longValue());
      case FLOAT32, FLOAT64 -> FloatFormat.formatDouble(((Number) value).doubleValue());
      case ENUM -> ((DynamicEnum) value).toString();
      default -> p.pointer(type, value, 0, Mode.BARE);
    };
    return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static int next(int indent) {
    return indent == 0 ? 0 : indent + 1;
  }

  private String struct(DynamicStruct.Reader reader, int indent, Mode mode) {
    StructSchema schema = reader.schema();
    List<StructSchema.Field> nonUnion = schema.nonUnionFields();
    List<String> items = new ArrayList<>(nonUnion.size() + 1);
    StructSchema.Field which = reader.which();
    String unionValue = null;
    if (which != null) {
      if (which.discriminantValue() != 0 || reader.has(which)) {
        unionValue = which.name() + " = " + field(reader, which, next(indent));
      } else {
        which = null;
      }
    }
    for (StructSchema.Field field : nonUnion) {
      if (which != null && which.index() < field.index()) {
        items.add(unionValue);
        which = null;
      }
      if (reader.has(field)) {
        items.add(field.name() + " = " + field(reader, field, next(indent)));
      }
    }
    if (which != null) {
      items.add(unionValue);
    }
    return "(" + delimit(items, indent, mode, true) + ")";
  }

  private String field(DynamicStruct.Reader reader, StructSchema.Field field, int indent) {
    if (field.isGroup()) {
      return struct((DynamicStruct.Reader) reader.get(field), indent, Mode.PREFIXED);
    }
    DynamicType type = field.type();
    if (!type.kind().isPointer()) {
      return primitive(type, reader.getBits(field));
    }
    return pointer(type, reader.get(field), indent, Mode.PREFIXED);
  }

  private String primitive(DynamicType type, long bits) {
    return switch (type.kind()) {
      case VOID -> "void";
      case BOOL -> bits != 0 ? "true" : "false";
      case FLOAT32 -> FloatFormat.formatFloat(Float.intBitsToFloat((int) bits));
      case FLOAT64 -> FloatFormat.formatDouble(Double.longBitsToDouble(bits));
      case ENUM -> {
        List<String> names = type.enumSchema().enumerants();
        yield bits < names.size() ? names.get((int) bits) : "(" + bits + ")";
      }
      default -> DynamicValue.integerToString(type.kind(), bits);
    };
  }

  private String pointer(DynamicType type, Object value, int indent, Mode mode) {
    return switch (type.kind()) {
      case TEXT -> {
        StringBuilder sb = new StringBuilder();
        TextEscape.appendQuoted(sb, ((Text.Reader) value).asByteBuffer(), false, raw);
        yield sb.toString();
      }
      case DATA -> {
        StringBuilder sb = new StringBuilder();
        TextEscape.appendQuoted(sb, ((Data.Reader) value).asByteBuffer(), true, raw);
        yield sb.toString();
      }
      case LIST -> list((DynamicList.Reader) value, indent, mode);
      case STRUCT -> struct((DynamicStruct.Reader) value, indent, mode);
      case INTERFACE -> "<external capability>";
      default -> "<opaque pointer>";
    };
  }

  private String list(DynamicList.Reader list, int indent, Mode mode) {
    DynamicType element = list.elementType();
    int n = list.size();
    List<String> items = new ArrayList<>(n);
    int inner = next(indent);
    boolean primitive = !element.kind().isPointer();
    for (int i = 0; i < n; i++) {
      items.add(primitive ? primitive(element, list.getBits(i))
          : pointer(element, list.get(i), inner, Mode.BARE));
    }
    return "[" + delimit(items, indent, mode, false) + "]";
  }

  private String delimit(List<String> items, int indent, Mode mode, boolean record) {
    if (indent == 0 || canPrintAllInline(items, record)) {
      return String.join(", ", items);
    }
    String spaces = " ".repeat(indent * 2);
    StringBuilder sb = new StringBuilder();
    sb.append(mode == Mode.BARE ? " " : "\n" + spaces);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(",\n").append(spaces);
      }
      sb.append(items.get(i));
    }
    return sb.append(' ').toString();
  }

  private boolean canPrintAllInline(List<String> items, boolean record) {
    long total = 0;
    for (String item : items) {
      int size = utf8Length(item);
      if (size > MAX_INLINE_VALUE || item.indexOf('\n') >= 0) {
        return false;
      }
      if (record) {
        total += size;
        if (total > MAX_INLINE_RECORD) {
          return false;
        }
      }
    }
    return true;
  }

  private int utf8Length(String s) {
    int n = s.length();
    if (raw) {
      return n;
    }
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 2;
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
