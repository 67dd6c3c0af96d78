package dev.capnp.dynamic;

import java.util.List;

/**
 * Writes parsed text expressions into dynamic builders, checking them against the schema the way
 * capnp's {@code ValueTranslator} does (integer ranges, which literals fit which types, enumerant
 * names, groups only from struct literals). Errors carry the position of the offending input.
 */
final class TextValueTranslator {
  private final byte[] input;

  TextValueTranslator(byte[] input) {
    this.input = input;
  }

  private TextFormatException error(TextExpression e, String what) {
    return TextFormatException.at(input, e.start(), e.end(), what);
  }

  private TextFormatException mismatch(TextExpression e, DynamicType type) {
    return error(e, "Type mismatch; expected " + type + ".");
  }

  void fillStruct(DynamicStruct.Builder builder, TextExpression.Tuple tuple) {
    StructSchema schema = builder.schema();
    for (TextExpression.Param param : tuple.params()) {
      if (param.name() == null) {
        throw error(param.value(), "Missing field name.");
      }
      StructSchema.Field field = schema.findField(param.name());
      if (field == null) {
        throw TextFormatException.at(input, param.nameStart(), param.nameEnd(),
            "Struct has no field named '" + param.name() + "'.");
      }
      TextExpression value = param.value();
      if (field.isGroup()) {
        if (!(value instanceof TextExpression.Tuple t)) {
          throw error(value, "Type mismatch; expected group.");
        }
        fillStruct(builder.init(field), t);
        continue;
      }
      DynamicType type = field.type();
      switch (type.kind()) {
        case LIST -> {
          TextExpression.ListValue list = expectList(value, type);
          fillList(builder.initList(field, list.elements().size()), list);
        }
        case STRUCT -> fillStruct(builder.init(field), expectTuple(value, type));
        default -> builder.set(field, scalar(value, type));
      }
    }
  }

  private TextExpression.ListValue expectList(TextExpression value, DynamicType type) {
    if (value instanceof TextExpression.ListValue l) {
      return l;
    }
    throw unsupportedOr(value, type);
  }

  private TextExpression.Tuple expectTuple(TextExpression value, DynamicType type) {
    if (value instanceof TextExpression.Tuple t) {
      return t;
    }
    throw unsupportedOr(value, type);
  }

  private TextFormatException unsupportedOr(TextExpression value, DynamicType type) {
    if (value instanceof TextExpression.Unsupported u) {
      return error(value, "References to other values (" + u.what()
          + ") are not supported in text input.");
    }
    if (value instanceof TextExpression.Name n && !isLiteralName(n.name())) {
      return unknownName(n);
    }
    return mismatch(value, type);
  }

  private static boolean isLiteralName(String name) {
    return switch (name) {
      case "void", "true", "false", "inf", "nan" -> true;
      default -> false;
    };
  }

  private TextFormatException unknownName(TextExpression.Name n) {
    return error(n, "Unknown name '" + n.name()
        + "' (references to constants are not supported in text input).");
  }

  private void fillList(DynamicList.Builder builder, TextExpression.ListValue list) {
    DynamicType element = builder.elementType();
    List<TextExpression> elements = list.elements();
    for (int i = 0; i < elements.size(); i++) {
      TextExpression value = elements.get(i);
      switch (element.kind()) {
        case LIST -> {
          TextExpression.ListValue inner = expectList(value, element);
          fillList((DynamicList.Builder) builder.init(i, inner.elements().size()), inner);
        }
        case STRUCT -> fillStruct(builder.getStruct(i), expectTuple(value, element));
        default -> builder.set(i, scalar(value, element));
      }
    }
  }

  /** Converts a literal to the Java value {@link DynamicStruct.Builder#set} expects. */
  private Object scalar(TextExpression value, DynamicType type) {
    DynamicType.Kind kind = type.kind();
    if (value instanceof TextExpression.Name n) {
      if (kind == DynamicType.Kind.ENUM) {
        int v = type.enumSchema().findEnumerant(n.name());
        if (v < 0) {
          throw error(n, "Enum " + type + " has no enumerant named '" + n.name() + "'.");
        }
        return v;
      }
      Object literal = switch (n.name()) {
        case "void" -> kind == DynamicType.Kind.VOID ? DynamicValue.VOID : null;
        case "true" -> kind == DynamicType.Kind.BOOL ? Boolean.TRUE : null;
        case "false" -> kind == DynamicType.Kind.BOOL ? Boolean.FALSE : null;
        case "inf" -> isFloat(kind) ? Double.POSITIVE_INFINITY : null;
        case "nan" -> isFloat(kind) ? Double.NaN : null;
        default -> throw unknownName(n);
      };
      if (literal == null) {
        throw mismatch(value, type);
      }
      return literal;
    }
    if (value instanceof TextExpression.PositiveInt p) {
      if (isFloat(kind)) {
        return unsignedToDouble(p.value());
      }
      checkRange(value, type, p.value(), false);
      return p.value();
    }
    if (value instanceof TextExpression.NegativeInt neg) {
      if (Long.compareUnsigned(neg.magnitude(), Long.MIN_VALUE) > 0) {
        throw error(value, "Integer is too big to be negative.");
      }
      long v = -neg.magnitude();
      if (isFloat(kind)) {
        return (double) v;
      }
      checkRange(value, type, v, true);
      return v;
    }
    if (value instanceof TextExpression.FloatValue f) {
      if (isFloat(kind)) {
        return f.value();
      }
      throw mismatch(value, type);
    }
    if (value instanceof TextExpression.StringValue s) {
      if (kind == DynamicType.Kind.TEXT || kind == DynamicType.Kind.DATA) {
        return s.bytes();
      }
      throw mismatch(value, type);
    }
    if (value instanceof TextExpression.BinaryValue b) {
      if (kind == DynamicType.Kind.DATA) {
        return b.bytes();
      }
      throw mismatch(value, type);
    }
    throw unsupportedOr(value, type);
  }

  private static boolean isFloat(DynamicType.Kind kind) {
    return kind == DynamicType.Kind.FLOAT32 || kind == DynamicType.Kind.FLOAT64;
  }

  private static double unsignedToDouble(long v) {
    if (v >= 0) {
      return v;
    }
    return ((double) (v >>> 1)) * 2.0 + (v & 1);
  }

  private void checkRange(TextExpression value, DynamicType type, long v, boolean negative) {
    DynamicType.Kind kind = type.kind();
    long min;
    long max; // for UINT64, compared unsigned
    switch (kind) {
      case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
      case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
      case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
      case INT64 -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
      case UINT8 -> { min = 0; max = 0xff; }
      case UINT16 -> { min = 0; max = 0xffff; }
      case UINT32 -> { min = 0; max = 0xffffffffL; }
      case UINT64 -> { min = 0; max = -1L; }
      default -> throw mismatch(value, type);
    }
    boolean ok;
    if (negative) {
      ok = v >= min;
    } else if (kind == DynamicType.Kind.UINT64) {
      ok = true;
    } else {
      ok = Long.compareUnsigned(v, max) <= 0;
    }
    if (!ok) {
      throw error(value, "Integer value out of range.");
    }
  }
}
