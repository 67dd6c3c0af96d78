package dev.capnp.schemac;

import dev.capnp.dynamic.DynamicList;
import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compiles value expressions (defaults, constants, annotation values) against their type, with
 * the C++ compiler's checks and messages: literals, enumerant names, references to constants,
 * lists, struct tuples and embedded files.
 */
final class ValueTranslator {
  /** The Void value. */
  private enum VoidValue { VOID }

  /** An integer: {@code negative} when it is a negative signed value. */
  private record IntValue(long value, boolean negative) {}

  /** An enumerant of enum {@code typeId}. */
  private record EnumValue(long typeId, int value) {}

  /** The value of a constant of pointer type. */
  private record PointerValue(Schema.Type.Reader type, AnyPointer.Reader value) {}

  private final NodeTranslator owner;
  private final Module module;
  private final Workspace workspace;

  ValueTranslator(NodeTranslator owner) {
    this.owner = owner;
    this.module = owner.module;
    this.workspace = owner.node.workspace;
  }

  private void error(Expression at, String message) {
    module.error(at.start(), at.end(), message);
  }

  /** Compiles {@code source} as a value of {@code type} into {@code target}. */
  void compile(Expression source, Schema.Type.Reader type, Schema.Value.Builder target,
      boolean isBootstrap) {
    if (type.isAnyPointer() && !type.getAnyPointer().isUnconstrained()) {
      error(source, "Cannot interpret value because the type is a generic type parameter which "
          + "is not yet bound. We don't know what type to expect here.");
      return;
    }
    DynamicType dynamicType = workspace.valueRegistry().dynamicType(type);
    if (dynamicType == null) {
      return;
    }
    switch (type.which()) {
      case STRUCT -> {
        if (source instanceof Expression.Tuple tuple) {
          MessageBuilder scratch = new MessageBuilder(256);
          AnyPointer.Builder root = scratch.getRootAnyPointer();
          fillStruct(root.initAs(dynamicType.structSchema().factory()), tuple, type,
              type.getStruct().getTypeId());
          target.setStruct(root.asReader());
          return;
        }
        Object v = inner(source, dynamicType, isBootstrap);
        if (v instanceof PointerValue p && (p.type() == null || p.type().isStruct()
            && p.type().getStruct().getTypeId() == type.getStruct().getTypeId())) {
          target.setStruct(p.value());
        } else if (v != null) {
          mismatch(source, dynamicType);
        }
      }
      case LIST -> {
        if (source instanceof Expression.ListExpr list) {
          MessageBuilder scratch = new MessageBuilder(256);
          AnyPointer.Builder root = scratch.getRootAnyPointer();
          fillList(root.initAs(DynamicList.factory(dynamicType.elementType()),
              list.elements().size()), list, type.getList().getElementType());
          target.setList(root.asReader());
          return;
        }
        Object v = inner(source, dynamicType, isBootstrap);
        if (v instanceof PointerValue p && p.type().isList()
            && sameType(p.type(), type)) {
          target.setList(p.value());
        } else if (v != null) {
          mismatch(source, dynamicType);
        }
      }
      case ANY_POINTER -> {
        Object v = inner(source, dynamicType, isBootstrap);
        if (v instanceof PointerValue p && anyPointerAccepts(type, p.type())) {
          target.setAnyPointer(p.value());
        } else if (v != null) {
          mismatch(source, dynamicType);
        }
      }
      case INTERFACE -> {
        Object v = inner(source, dynamicType, isBootstrap);
        if (v != null) {
          mismatch(source, dynamicType);
        }
      }
      default -> {
        Object v = checked(source, dynamicType, isBootstrap);
        if (v != null) {
          writeScalar(target, dynamicType, v);
        }
      }
    }
  }

  private static boolean anyPointerAccepts(Schema.Type.Reader anyType,
      Schema.Type.Reader valueType) {
    var unconstrained = anyType.getAnyPointer().getUnconstrained();
    if (valueType.isStruct()) {
      return unconstrained.isAnyKind() || unconstrained.isStruct();
    }
    if (valueType.isList()) {
      return unconstrained.isAnyKind() || unconstrained.isList();
    }
    return valueType.isAnyPointer();
  }

  private static boolean sameType(Schema.Type.Reader a, Schema.Type.Reader b) {
    if (a.which() != b.which()) {
      return false;
    }
    return switch (a.which()) {
      case LIST -> sameType(a.getList().getElementType(), b.getList().getElementType());
      case STRUCT -> a.getStruct().getTypeId() == b.getStruct().getTypeId();
      case ENUM -> a.getEnum().getTypeId() == b.getEnum().getTypeId();
      case INTERFACE -> a.getInterface().getTypeId() == b.getInterface().getTypeId();
      default -> true;
    };
  }

  private void writeScalar(Schema.Value.Builder target, DynamicType type, Object v) {
    switch (type.kind()) {
      case VOID -> target.setVoid();
      case BOOL -> target.setBool((Boolean) v);
      case INT8 -> target.setInt8((byte) longOf(v));
      case INT16 -> target.setInt16((short) longOf(v));
      case INT32 -> target.setInt32((int) longOf(v));
      case INT64 -> target.setInt64(longOf(v));
      case UINT8 -> target.setUint8((byte) longOf(v));
      case UINT16 -> target.setUint16((short) longOf(v));
      case UINT32 -> target.setUint32((int) longOf(v));
      case UINT64 -> target.setUint64(longOf(v));
      case FLOAT32 -> target.setFloat32((float) doubleOf(v));
      case FLOAT64 -> target.setFloat64(doubleOf(v));
      case ENUM -> target.setEnum((short) ((EnumValue) v).value());
      case TEXT -> target.setText((String) v);
      case DATA -> target.setData((byte[]) v);
      default -> throw new IllegalStateException("not a scalar: " + type);
    }
  }

  private static long longOf(Object v) {
    return ((IntValue) v).value();
  }

  private static double doubleOf(Object v) {
    if (v instanceof IntValue i) {
      return i.negative() || i.value() >= 0 ? (double) i.value()
          : unsignedToDouble(i.value());
    }
    return (Double) v;
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  /** A scalar value of {@code type} (after range and type checks), or null after an error. */
  private Object checked(Expression source, DynamicType type, boolean isBootstrap) {
    Object v = inner(source, type, isBootstrap);
    if (v == null) {
      return null;
    }
    DynamicType.Kind k = type.kind();
    if (v == VoidValue.VOID && k == DynamicType.Kind.VOID) {
      return v;
    } else if (v instanceof Boolean && k == DynamicType.Kind.BOOL) {
      return v;
    } else if (v instanceof IntValue i) {
      IntValue r = checkInteger(source, i, k);
      if (r != null) {
        return r;
      }
    } else if (v instanceof Double && (k == DynamicType.Kind.FLOAT32
        || k == DynamicType.Kind.FLOAT64)) {
      return v;
    } else if (v instanceof String && k == DynamicType.Kind.TEXT) {
      return v;
    } else if (v instanceof byte[] && k == DynamicType.Kind.DATA) {
      return v;
    } else if (v instanceof EnumValue e && k == DynamicType.Kind.ENUM
        && e.typeId() == type.enumSchema().id()) {
      return v;
    }
    mismatch(source, type);
    return null;
  }

  private IntValue checkInteger(Expression source, IntValue i, DynamicType.Kind k) {
    if (i.negative()) {
      long min;
      switch (k) {
        case INT8 -> min = Byte.MIN_VALUE;
        case INT16 -> min = Short.MIN_VALUE;
        case INT32 -> min = Integer.MIN_VALUE;
        case INT64, FLOAT32, FLOAT64 -> min = Long.MIN_VALUE;
        case UINT8, UINT16, UINT32, UINT64 -> min = 0;
        default -> {
          return null;
        }
      }
      if (i.value() < min) {
        error(source, "Integer value out of range.");
        return new IntValue(min, min < 0);
      }
      return i;
    }
    long max;
    switch (k) {
      case INT8 -> max = Byte.MAX_VALUE;
      case INT16 -> max = Short.MAX_VALUE;
      case INT32 -> max = Integer.MAX_VALUE;
      case INT64 -> max = Long.MAX_VALUE;
      case UINT8 -> max = 0xff;
      case UINT16 -> max = 0xffff;
      case UINT32 -> max = 0xffffffffL;
      case UINT64, FLOAT32, FLOAT64 -> max = -1;
      default -> {
        return null;
      }
    }
    if (Long.compareUnsigned(i.value(), max) > 0) {
      error(source, "Integer value out of range.");
      return new IntValue(max, false);
    }
    return i;
  }

  private void mismatch(Expression source, DynamicType type) {
    error(source, "Type mismatch; expected " + typeName(type) + ".");
  }

  private String typeName(DynamicType type) {
    return switch (type.kind()) {
      case LIST -> "List(" + typeName(type.elementType()) + ")";
      case ENUM -> type.enumSchema().shortDisplayName();
      case STRUCT -> type.structSchema().shortDisplayName();
      case INTERFACE -> {
        DeclNode n = workspace.findNode(type.typeId());
        yield n == null ? "Interface" : n.decl.nameText();
      }
      default -> type.kind().schemaName();
    };
  }

  /** The raw value of an expression (C++: {@code compileValueInner}), or null after an error. */
  private Object inner(Expression source, DynamicType type, boolean isBootstrap) {
    if (source instanceof Expression.Unknown) {
      return null;
    }
    if (source instanceof Expression.RelativeName name) {
      String id = name.name();
      if (type.kind() == DynamicType.Kind.ENUM) {
        int index = type.enumSchema().findEnumerant(id);
        if (index >= 0) {
          return new EnumValue(type.enumSchema().id(), index);
        }
      } else {
        switch (id) {
          case "void":
            return VoidValue.VOID;
          case "true":
            return Boolean.TRUE;
          case "false":
            return Boolean.FALSE;
          case "nan":
            return Double.NaN;
          case "inf":
            return Double.POSITIVE_INFINITY;
          default:
            break;
        }
      }
      return readConstant(source, isBootstrap);
    } else if (source instanceof Expression.AbsoluteName || source instanceof Expression.Import
        || source instanceof Expression.Application || source instanceof Expression.Member) {
      return readConstant(source, isBootstrap);
    } else if (source instanceof Expression.Embed embed) {
      return readEmbed(embed, type);
    } else if (source instanceof Expression.PositiveInt p) {
      return new IntValue(p.value(), false);
    } else if (source instanceof Expression.NegativeInt n) {
      if (Long.compareUnsigned(n.magnitude(), Long.MIN_VALUE) > 0) {
        error(source, "Integer is too big to be negative.");
        return null;
      }
      return new IntValue(-n.magnitude(), true);
    } else if (source instanceof Expression.FloatLiteral f) {
      return f.value();
    } else if (source instanceof Expression.StringLiteral s) {
      return type.kind() == DynamicType.Kind.DATA
          ? s.value().getBytes(StandardCharsets.UTF_8) : s.value();
    } else if (source instanceof Expression.BinaryLiteral b) {
      if (type.kind() != DynamicType.Kind.DATA) {
        mismatch(source, type);
        return null;
      }
      return b.value();
    }
    mismatch(source, type);
    return null;
  }

  private Object readEmbed(Expression.Embed embed, DynamicType type) {
    Path dir = module.directory();
    byte[] data = null;
    if (dir != null) {
      try {
        data = Files.readAllBytes(dir.resolve(embed.path()));
      } catch (IOException e) {
        data = null;
      }
    }
    if (data == null) {
      module.error(embed.pathStart(), embed.pathEnd(),
          "Couldn't read file for embed: " + embed.path());
      return null;
    }
    return switch (type.kind()) {
      case TEXT -> new String(data, StandardCharsets.UTF_8);
      case DATA -> data;
      case STRUCT -> {
        if (data.length % 8 != 0) {
          error(embed, "Embedded file is not a valid Cap'n Proto message.");
          yield null;
        }
        try {
          var message = dev.capnp.runtime.Serialize.read(java.nio.ByteBuffer.wrap(data),
              new dev.capnp.runtime.ReaderOptions(Long.MAX_VALUE, Integer.MAX_VALUE));
          yield new PointerValue(null, message.getRootAnyPointer());
        } catch (RuntimeException e) {
          error(embed, "Embedded file is not a valid Cap'n Proto message.");
          yield null;
        }
      }
      default -> {
        error(embed, "Embeds can only be used when Text, Data, or a struct is expected.");
        yield null;
      }
    };
  }

  private Object readConstant(Expression source, boolean isBootstrap) {
    BrandedDecl decl = owner.compileDeclExpression(source, ImplicitParams.NONE);
    if (decl == null) {
      return null;
    }
    if (decl.kind() != Declaration.Kind.CONST) {
      error(source, "'" + ExpressionText.of(source) + "' does not refer to a constant.");
      return null;
    }
    long id = decl.decl().id();
    DeclNode constNode = workspace.findNode(id);
    NodeTranslator t = constNode.translator(
        isBootstrap ? DeclNode.State.BOOTSTRAP : DeclNode.State.FINISHED);
    if (t == null) {
      return null;
    }
    Schema.Node.Const.Reader proto = t.main.node().asReader().getConst();
    if (source instanceof Expression.RelativeName name) {
      DeclNode scope = constNode.parent;
      String parent = scope.parent == null ? ""
          : scope.displayName.substring(prefixLength(scope.displayName));
      error(source, "Constant names must be qualified to avoid confusion.  Please replace '"
          + name.name() + "' with '" + parent + "." + name.name()
          + "', if that's what you intended.");
    }
    Schema.Value.Reader v = proto.getValue();
    return switch (v.which()) {
      case VOID -> VoidValue.VOID;
      case BOOL -> v.getBool();
      case INT8 -> new IntValue(v.getInt8(), v.getInt8() < 0);
      case INT16 -> new IntValue(v.getInt16(), v.getInt16() < 0);
      case INT32 -> new IntValue(v.getInt32(), v.getInt32() < 0);
      case INT64 -> new IntValue(v.getInt64(), v.getInt64() < 0);
      case UINT8 -> new IntValue(v.getUint8() & 0xffL, false);
      case UINT16 -> new IntValue(v.getUint16() & 0xffffL, false);
      case UINT32 -> new IntValue(v.getUint32() & 0xffffffffL, false);
      case UINT64 -> new IntValue(v.getUint64(), false);
      case FLOAT32 -> (double) v.getFloat32();
      case FLOAT64 -> v.getFloat64();
      case TEXT -> v.getText().toString();
      case DATA -> v.getData().toArray();
      case ENUM -> new EnumValue(proto.getType().getEnum().getTypeId(), v.getEnum() & 0xffff);
      case STRUCT -> new PointerValue(proto.getType(), v.getStruct());
      case LIST -> new PointerValue(proto.getType(), v.getList());
      case ANY_POINTER -> new PointerValue(proto.getType(), v.getAnyPointer());
      default -> null;
    };
  }

  private static int prefixLength(String displayName) {
    int prefix = displayName.lastIndexOf('.') + 1;
    int colon = displayName.lastIndexOf(':');
    return Math.max(prefix, colon + 1);
  }

  // ---- struct and list values ----

  /**
   * Fills a struct value. {@code type} is the struct's type with its brand: fields whose type
   * is a generic parameter bound by the brand get values of the bound type.
   */
  private void fillStruct(DynamicStruct.Builder builder, Expression.Tuple tuple,
      Schema.Type.Reader type, long nodeId) {
    StructSchema schema = builder.schema();
    Schema.Node.Reader node = workspace.valueRegistry().node(nodeId);
    for (Expression.Param param : tuple.params()) {
      if (param.name() == null) {
        error(param.value(), "Missing field name.");
        continue;
      }
      StructSchema.Field field = schema.findField(param.name());
      if (field == null) {
        module.error(param.nameStart(), param.nameEnd(),
            "Struct has no field named '" + param.name() + "'.");
        continue;
      }
      Expression value = param.value();
      Schema.Field.Reader proto = node == null ? null : fieldNamed(node, param.name());
      if (field.isGroup()) {
        if (value instanceof Expression.Tuple t) {
          fillStruct(builder.init(field), t, type,
              proto == null ? 0 : proto.getGroup().getTypeId());
        } else {
          error(value, "Type mismatch; expected group.");
        }
        continue;
      }
      Schema.Type.Reader bound = proto == null ? null
          : Generics.substitute(proto.getSlot().getType(), type.getStruct().getBrand());
      if (bound != null) {
        AnyPointer.Reader v = pointerValue(value, bound);
        if (v != null) {
          setPointer(builder, field, v);
        }
        continue;
      }
      setField(builder, field, value, proto == null ? null : proto.getSlot().getType());
    }
  }

  private static Schema.Field.Reader fieldNamed(Schema.Node.Reader node, String name) {
    for (var f : Lists.of(node.getStruct().getFields())) {
      if (f.getName().toString().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static void setPointer(DynamicStruct.Builder builder, StructSchema.Field field,
      AnyPointer.Reader value) {
    DynamicType type = field.type();
    switch (type.kind()) {
      case STRUCT -> builder.set(field, value.getAs(type.structSchema().factory()));
      case LIST -> builder.set(field, value.getAs(DynamicList.factory(type.elementType())));
      case TEXT -> builder.set(field, value.getAs(dev.capnp.runtime.Text.FACTORY));
      case DATA -> builder.set(field, value.getAs(dev.capnp.runtime.Data.FACTORY));
      default -> builder.set(field, value);
    }
  }

  /** A value of pointer type {@code type} built in a scratch message, or null after an error. */
  private AnyPointer.Reader pointerValue(Expression source, Schema.Type.Reader type) {
    DynamicType dynamicType = workspace.valueRegistry().dynamicType(type);
    if (dynamicType == null) {
      return null;
    }
    MessageBuilder scratch = new MessageBuilder(256);
    AnyPointer.Builder root = scratch.getRootAnyPointer();
    switch (type.which()) {
      case STRUCT -> {
        if (source instanceof Expression.Tuple tuple) {
          fillStruct(root.initAs(dynamicType.structSchema().factory()), tuple, type,
              type.getStruct().getTypeId());
          return root.asReader();
        }
      }
      case LIST -> {
        if (source instanceof Expression.ListExpr list) {
          fillList(root.initAs(DynamicList.factory(dynamicType.elementType()),
              list.elements().size()), list, type.getList().getElementType());
          return root.asReader();
        }
      }
      case TEXT, DATA -> {
        Object v = checked(source, dynamicType, false);
        if (v == null) {
          return null;
        }
        if (v instanceof String text) {
          root.setAs(dev.capnp.runtime.Text.FACTORY, new dev.capnp.runtime.Text.Reader(text));
        } else {
          root.setAs(dev.capnp.runtime.Data.FACTORY, new dev.capnp.runtime.Data.Reader((byte[]) v));
        }
        return root.asReader();
      }
      default -> { }
    }
    Object v = inner(source, dynamicType, false);
    if (v instanceof PointerValue p) {
      return p.value();
    } else if (v != null) {
      mismatch(source, dynamicType);
    }
    return null;
  }

  private void setField(DynamicStruct.Builder builder, StructSchema.Field field,
      Expression value, Schema.Type.Reader schemaType) {
    DynamicType type = field.type();
    switch (type.kind()) {
      case STRUCT -> {
        if (value instanceof Expression.Tuple t) {
          fillStruct(builder.init(field), t, schemaType, type.structSchema().id());
        } else {
          Object v = inner(value, type, false);
          if (v instanceof PointerValue p && (p.type() == null || p.type().isStruct()
              && p.type().getStruct().getTypeId() == type.structSchema().id())) {
            builder.set(field, p.value().getAs(type.structSchema().factory()));
          } else if (v != null) {
            mismatch(value, type);
          }
        }
      }
      case LIST -> {
        if (value instanceof Expression.ListExpr l) {
          fillList(builder.initList(field, l.elements().size()), l,
              schemaType == null ? null : schemaType.getList().getElementType());
        } else {
          Object v = inner(value, type, false);
          if (v instanceof PointerValue p && p.type().isList()) {
            builder.set(field, p.value().getAs(DynamicList.factory(type.elementType())));
          } else if (v != null) {
            mismatch(value, type);
          }
        }
      }
      case ANY_POINTER -> {
        Object v = inner(value, type, false);
        if (v instanceof PointerValue p) {
          builder.set(field, p.value());
        } else if (v != null) {
          mismatch(value, type);
        }
      }
      case INTERFACE -> {
        if (inner(value, type, false) != null) {
          mismatch(value, type);
        }
      }
      default -> {
        Object v = checked(value, type, false);
        if (v != null) {
          builder.set(field, dynamicScalar(type, v));
        }
      }
    }
  }

  private void fillList(DynamicList.Builder list, Expression.ListExpr source,
      Schema.Type.Reader elementSchemaType) {
    DynamicType element = list.elementType();
    for (int i = 0; i < source.elements().size(); i++) {
      Expression value = source.elements().get(i);
      switch (element.kind()) {
        case STRUCT -> {
          if (value instanceof Expression.Tuple t) {
            fillStruct(list.getStruct(i), t, elementSchemaType, element.structSchema().id());
          } else {
            Object v = inner(value, element, false);
            if (v instanceof PointerValue p && (p.type() == null || p.type().isStruct())) {
              copyStruct(list.getStruct(i), p.value().getAs(element.structSchema().factory()));
            } else if (v != null) {
              mismatch(value, element);
            }
          }
        }
        case LIST -> {
          if (value instanceof Expression.ListExpr l) {
            fillList((DynamicList.Builder) list.init(i, l.elements().size()), l,
                elementSchemaType == null ? null
                    : elementSchemaType.getList().getElementType());
          } else {
            Object v = inner(value, element, false);
            if (v instanceof PointerValue p && p.type().isList()) {
              list.set(i, p.value().getAs(DynamicList.factory(element.elementType())));
            } else if (v != null) {
              mismatch(value, element);
            }
          }
        }
        case ANY_POINTER, INTERFACE -> mismatch(value, element);
        default -> {
          Object v = checked(value, element, false);
          if (v != null) {
            list.set(i, dynamicScalar(element, v));
          }
        }
      }
    }
  }

  private static void copyStruct(DynamicStruct.Builder target, DynamicStruct.Reader source) {
    for (StructSchema.Field f : source.schema().fields()) {
      if (f.isUnionMember() && source.whichDiscriminant() != f.discriminantValue()) {
        continue;
      }
      if (f.isGroup()) {
        copyStruct(target.init(f), new DynamicStruct.Reader(f.type().structSchema(), source));
      } else if (!f.type().kind().isPointer() || source.has(f)) {
        target.set(f, source.get(f));
      }
    }
  }

  private static Object dynamicScalar(DynamicType type, Object v) {
    return switch (type.kind()) {
      case VOID -> null;
      case BOOL, TEXT, DATA -> v;
      case FLOAT32, FLOAT64 -> doubleOf(v);
      case ENUM -> ((EnumValue) v).value();
      default -> longOf(v);
    };
  }
}
