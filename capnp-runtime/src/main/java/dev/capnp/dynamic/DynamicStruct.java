package dev.capnp.dynamic;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.CapTableBuilder;
import dev.capnp.runtime.CapTableReader;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.PointerFactory;
import dev.capnp.runtime.SegmentBuilder;
import dev.capnp.runtime.SegmentReader;
import dev.capnp.runtime.StructBuilder;
import dev.capnp.runtime.StructFactory;
import dev.capnp.runtime.StructReader;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.nio.charset.StandardCharsets;

/** Structs read and built through a {@link StructSchema} instead of generated classes. */
public final class DynamicStruct {
  private DynamicStruct() {}

  /**
   * The factory reading and building structs of {@code schema} dynamically.
   *
   * @param schema the struct type
   * @return the factory reading and building structs of {@code schema} dynamically
   */
  public static Factory factory(StructSchema schema) {
    return schema.factory();
  }

  /** Reads and builds one struct type dynamically. */
  public static final class Factory extends StructFactory<Builder, Reader> {
    private final StructSchema schema;

    Factory(StructSchema schema) {
      super(new StructSize(schema.dataWordCount(), schema.pointerCount()));
      this.schema = schema;
    }

    /**
     * The struct type.
     *
     * @return the struct type
     */
    public StructSchema schema() {
      return schema;
    }

    @Override
    public Reader constructReader(SegmentReader segment, CapTableReader capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
      return new Reader(schema, segment, capTable, dataOffset, dataSizeBits, pointerOffset,
          pointerCount, nestingLimit);
    }

    @Override
    public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount) {
      return new Builder(schema, segment, capTable, dataOffset, dataSizeBits, pointerOffset,
          pointerCount);
    }
  }

  static void checkField(StructSchema schema, StructSchema.Field field) {
    if (field.parent() != schema) {
      throw new IllegalArgumentException(field + " is not a field of " + schema);
    }
  }

  static StructSchema.Field fieldNamed(StructSchema schema, String name) {
    StructSchema.Field f = schema.findField(name);
    if (f == null) {
      throw new IllegalArgumentException(schema + " has no field named '" + name + "'");
    }
    return f;
  }

  /** Pointer factory for a pointer-typed field or element of the given type. */
  @SuppressWarnings("unchecked")
  static <B, R> PointerFactory<B, R> pointerFactory(DynamicType type) {
    Object f = switch (type.kind()) {
      case TEXT -> Text.FACTORY;
      case DATA -> Data.FACTORY;
      case LIST -> DynamicList.factory(type.elementType());
      case STRUCT -> type.structSchema().factory();
      case ANY_POINTER, INTERFACE -> AnyPointer.FACTORY;
      default -> throw new IllegalArgumentException(type + " is not a pointer type");
    };
    return (PointerFactory<B, R>) f;
  }

  /** A struct read through its schema. */
  public static final class Reader extends StructReader {
    private final StructSchema schema;

    Reader(StructSchema schema, SegmentReader segment, CapTableReader capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount, nestingLimit);
      this.schema = schema;
    }

    /**
     * Views any struct reader (for example a generated one) as a struct of {@code schema}.
     *
     * @param schema the struct type to view the reader as
     * @param other the reader whose location is shared
     */
    public Reader(StructSchema schema, StructReader other) {
      super(other);
      this.schema = schema;
    }

    /**
     * The struct's type.
     *
     * @return the struct's type
     */
    public StructSchema schema() {
      return schema;
    }

    /**
     * The raw union discriminant (0 when the struct has no union).
     *
     * @return the raw union discriminant (0 when the struct has no union)
     */
    public int whichDiscriminant() {
      return schema.discriminantCount() == 0 ? 0 : _getShortField(schema.discriminantOffset()) & 0xffff;
    }

    /**
     * The active union member, or null without a union or if the value is unknown to the schema.
     *
     * @return the active union member, or null without a union or if the value is unknown to the
     *     schema
     */
    public StructSchema.Field which() {
      return schema.discriminantCount() == 0 ? null : schema.unionField(whichDiscriminant());
    }

    /**
     * Whether the field is set: false for inactive union members and null pointers; true for
     * active groups and non-pointer fields.
     *
     * @param field the field, from this struct's schema
     * @return {@code true} if the field is set: false for inactive union members and null pointers
     */
    public boolean has(StructSchema.Field field) {
      checkField(schema, field);
      if (field.isUnionMember() && whichDiscriminant() != field.discriminantValue()) {
        return false;
      }
      if (field.isGroup() || !field.type().kind().isPointer()) {
        return true;
      }
      return !_pointerFieldIsNull(field.offset());
    }

    /**
     * {@link #has(StructSchema.Field)} by field name.
     *
     * @param name the field's name
     * @return {@code true} if the named field is set
     */
    public boolean has(String name) {
      return has(fieldNamed(schema, name));
    }

    /**
     * Raw bits of a primitive field with its default applied: bool as 0/1, integers sign-extended
     * (unsigned ones too: mask as needed), floats as their IEEE bits, enums as the value.
     *
     * @param field the field, from this struct's schema
     * @return the raw bits of a primitive field with its default applied: bool as 0/1, integers
     *     sign-extended (unsigned ones too: mask as needed), floats as their IEEE bits, enums as
     *     the value
     */
    public long getBits(StructSchema.Field field) {
      checkField(schema, field);
      long mask = field.defaultBits();
      int off = field.offset();
      return switch (field.type().kind()) {
        case VOID -> 0;
        case BOOL -> _getBooleanField(off, mask != 0) ? 1 : 0;
        case INT8, UINT8 -> _getByteField(off, (byte) mask);
        case INT16, UINT16 -> _getShortField(off, (short) mask);
        case ENUM -> _getShortField(off, (short) mask) & 0xffff;
        case INT32, UINT32, FLOAT32 -> _getIntField(off, (int) mask);
        case INT64, UINT64, FLOAT64 -> _getLongField(off, mask);
        default -> throw new IllegalArgumentException(field + " is not a primitive field");
      };
    }

    /**
     * The field's value; see {@link DynamicValue} for the Java types used.
     *
     * @param field the field, from this struct's schema
     * @return the field's value
     */
    public Object get(StructSchema.Field field) {
      checkField(schema, field);
      if (field.isGroup()) {
        return new Reader(field.type().structSchema(), this);
      }
      DynamicType type = field.type();
      return switch (type.kind()) {
        case VOID -> DynamicValue.VOID;
        case BOOL -> getBits(field) != 0;
        case INT8, UINT8 -> (byte) getBits(field);
        case INT16, UINT16 -> (short) getBits(field);
        case INT32, UINT32 -> (int) getBits(field);
        case INT64, UINT64 -> getBits(field);
        case FLOAT32 -> Float.intBitsToFloat((int) getBits(field));
        case FLOAT64 -> Double.longBitsToDouble(getBits(field));
        case ENUM -> new DynamicEnum(type.enumSchema(), (int) getBits(field));
        default -> getPointer(field, type);
      };
    }

    private Object getPointer(StructSchema.Field field, DynamicType type) {
      PointerFactory<?, Object> f = pointerFactory(type);
      SegmentReader defaultSegment = field.defaultSegment();
      if (defaultSegment != null && type.kind() != DynamicType.Kind.ANY_POINTER
          && type.kind() != DynamicType.Kind.INTERFACE) {
        return _getPointerField(f, field.offset(), defaultSegment, field.defaultPointerWord());
      }
      return _getPointerField(f, field.offset());
    }

    /**
     * The named field's value.
     *
     * @param name the field's name
     * @return the named field's value
     */
    public Object get(String name) {
      return get(fieldNamed(schema, name));
    }

    /** The struct in Cap'n Proto text format on one line (like capnp's {@code kj::str}). */
    @Override
    public String toString() {
      return TextPrinter.print(this, false);
    }
  }

  /** A struct built through its schema. */
  public static final class Builder extends StructBuilder {
    private final StructSchema schema;

    Builder(StructSchema schema, SegmentBuilder segment, CapTableBuilder capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount);
      this.schema = schema;
    }

    /**
     * Views any struct builder (for example a generated one) as a struct of {@code schema}.
     *
     * @param schema the struct type to view the builder as
     * @param other the builder whose location is shared
     */
    public Builder(StructSchema schema, StructBuilder other) {
      super(other);
      this.schema = schema;
    }

    /**
     * The struct's type.
     *
     * @return the struct's type
     */
    public StructSchema schema() {
      return schema;
    }

    /**
     * A reader for the same struct.
     *
     * @return a reader for the same struct
     */
    public Reader asReader() {
      return _asReader(schema.factory());
    }

    /**
     * The active union member, or null.
     *
     * @return the active union member, or null
     */
    public StructSchema.Field which() {
      return asReader().which();
    }

    private void activate(StructSchema.Field field) {
      if (field.isUnionMember()) {
        _setShortField(schema.discriminantOffset(), (short) field.discriminantValue());
      }
    }

    /**
     * Sets a non-group field (making it the active union member if it is one). Accepted values:
     * {@link Boolean}, any {@link Number} for numeric fields (no range check beyond the Java
     * cast), {@link String}/{@code byte[]}/{@link Text.Reader} for Text, {@code byte[]}/{@link
     * Data.Reader} for Data, {@link DynamicEnum}/{@link Number}/enumerant name for enums,
     * readers of the matching type for structs and lists, {@link DynamicValue#VOID} or null for
     * Void.
     *
     * @param field the field, from this struct's schema
     * @param value the value, of a type accepted for the field's type (see above)
     */
    public void set(StructSchema.Field field, Object value) {
      checkField(schema, field);
      if (field.isGroup()) {
        throw new IllegalArgumentException(field + " is a group; use init()");
      }
      activate(field);
      DynamicType type = field.type();
      int off = field.offset();
      long mask = field.defaultBits();
      switch (type.kind()) {
        case VOID -> { }
        case BOOL -> _setBooleanField(off, (Boolean) value, mask != 0);
        case INT8, UINT8 -> _setByteField(off, ((Number) value).byteValue(), (byte) mask);
        case INT16, UINT16 -> _setShortField(off, ((Number) value).shortValue(), (short) mask);
        case INT32, UINT32 -> _setIntField(off, ((Number) value).intValue(), (int) mask);
        case INT64, UINT64 -> _setLongField(off, ((Number) value).longValue(), mask);
        case FLOAT32 -> _setFloatField(off, ((Number) value).floatValue(), (int) mask);
        case FLOAT64 -> _setDoubleField(off, ((Number) value).doubleValue(), mask);
        case ENUM -> _setShortField(off, (short) enumValue(type.enumSchema(), value), (short) mask);
        case TEXT -> _setPointerField(Text.FACTORY, off, toText(value));
        case DATA -> _setPointerField(Data.FACTORY, off,
            value instanceof Data.Reader d ? d : new Data.Reader((byte[]) value));
        case LIST -> {
          PointerFactory<?, Object> f = pointerFactory(type);
          _setPointerField(f, off, value);
        }
        case STRUCT -> _setPointerField(type.structSchema().factory(), off, (Reader) value);
        case ANY_POINTER, INTERFACE -> _setPointerField(AnyPointer.FACTORY, off,
            (AnyPointer.Reader) value);
        default -> throw new IllegalStateException();
      }
    }

    /**
     * Sets the named field.
     *
     * @param name the field's name
     * @param value the value, as for {@link #set(StructSchema.Field, Object)}
     */
    public void set(String name, Object value) {
      set(fieldNamed(schema, name), value);
    }

    /**
     * Makes a group or struct field active (a struct field is replaced by a new zeroed struct) and
     * returns its builder.
     *
     * @param field the field, from this struct's schema
     * @return the builder of the new value
     */
    public Builder init(StructSchema.Field field) {
      checkField(schema, field);
      activate(field);
      if (field.isGroup()) {
        clear(field);
        return new Builder(field.type().structSchema(), this);
      }
      DynamicType type = field.type();
      if (type.kind() != DynamicType.Kind.STRUCT) {
        throw new IllegalArgumentException(field + " is not a struct or group; use init(field, size)");
      }
      return _initPointerField(type.structSchema().factory(), field.offset(), 0);
    }

    /**
     * Resets a field to its default (making it the active union member if it is one): raw zero
     * for primitives, null for pointers; a group's fields are cleared recursively and its union
     * goes back to its first member.
     *
     * @param field the field, from this struct's schema
     */
    public void clear(StructSchema.Field field) {
      checkField(schema, field);
      activate(field);
      if (field.isGroup()) {
        Builder group = new Builder(field.type().structSchema(), this);
        StructSchema.Field first = group.schema.unionField(0);
        if (first != null) {
          group.clear(first);
        }
        for (StructSchema.Field f : group.schema.nonUnionFields()) {
          group.clear(f);
        }
        return;
      }
      int off = field.offset();
      switch (field.type().kind()) {
        case VOID -> { }
        case BOOL -> _setBooleanField(off, false);
        case INT8, UINT8 -> _setByteField(off, (byte) 0);
        case INT16, UINT16, ENUM -> _setShortField(off, (short) 0);
        case INT32, UINT32, FLOAT32 -> _setIntField(off, 0);
        case INT64, UINT64, FLOAT64 -> _setLongField(off, 0);
        default -> _clearPointerField(off);
      }
    }

    /**
     * Clears the named field.
     *
     * @param name the field's name
     */
    public void clear(String name) {
      clear(fieldNamed(schema, name));
    }

    /**
     * Initializes a list, Text or Data field with {@code size} elements (bytes) and returns it.
     *
     * @param field the field, from this struct's schema
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public Object init(StructSchema.Field field, int size) {
      checkField(schema, field);
      activate(field);
      DynamicType type = field.type();
      return switch (type.kind()) {
        case LIST -> _initPointerField(DynamicList.factory(type.elementType()), field.offset(), size);
        case TEXT -> _initPointerField(Text.FACTORY, field.offset(), size);
        case DATA -> _initPointerField(Data.FACTORY, field.offset(), size);
        case STRUCT -> init(field);
        default -> throw new IllegalArgumentException(field + " cannot be initialized with a size");
      };
    }

    /**
     * Initializes a list field and returns its builder.
     *
     * @param field the field, from this struct's schema
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public DynamicList.Builder initList(StructSchema.Field field, int size) {
      return (DynamicList.Builder) init(field, size);
    }

    /**
     * The builder of a struct, list or group field (struct/list allocated from its default if
     * null).
     *
     * @param field the field, from this struct's schema
     * @return the builder of a struct, list or group field (struct/list allocated from its default
     *     if null)
     */
    public Object get(StructSchema.Field field) {
      checkField(schema, field);
      if (field.isGroup()) {
        return new Builder(field.type().structSchema(), this);
      }
      DynamicType type = field.type();
      if (!type.kind().isPointer()) {
        return asReader().get(field);
      }
      PointerFactory<Object, ?> f = pointerFactory(type);
      SegmentReader defaultSegment = field.defaultSegment();
      if (defaultSegment != null && type.kind() != DynamicType.Kind.ANY_POINTER
          && type.kind() != DynamicType.Kind.INTERFACE) {
        return _getPointerField(f, field.offset(), defaultSegment, field.defaultPointerWord());
      }
      return _getPointerField(f, field.offset());
    }

    @Override
    public String toString() {
      return asReader().toString();
    }
  }

  static Text.Reader toText(Object value) {
    if (value instanceof Text.Reader t) {
      return t;
    }
    if (value instanceof byte[] b) {
      return new Text.Reader(b);
    }
    return new Text.Reader(value.toString().getBytes(StandardCharsets.UTF_8));
  }

  static int enumValue(EnumSchema schema, Object value) {
    if (value instanceof DynamicEnum e) {
      return e.value();
    }
    if (value instanceof Number n) {
      return n.intValue();
    }
    int v = schema.findEnumerant(value.toString());
    if (v < 0) {
      throw new IllegalArgumentException(schema + " has no enumerant '" + value + "'");
    }
    return v;
  }
}
