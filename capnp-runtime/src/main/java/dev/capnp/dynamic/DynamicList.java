package dev.capnp.dynamic;

import dev.capnp.runtime.CapTableBuilder;
import dev.capnp.runtime.CapTableReader;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.ElementSize;
import dev.capnp.runtime.ListBuilder;
import dev.capnp.runtime.ListFactory;
import dev.capnp.runtime.ListReader;
import dev.capnp.runtime.PointerFactory;
import dev.capnp.runtime.SegmentBuilder;
import dev.capnp.runtime.SegmentReader;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;

/** Lists read and built through their element {@link DynamicType}. */
public final class DynamicList {
  private DynamicList() {}

  /** Factories for element types that need no schema (primitives, Text, Data, AnyPointer). */
  private static final Factory[] SIMPLE = new Factory[DynamicType.Kind.values().length];

  static {
    for (DynamicType.Kind kind : DynamicType.Kind.values()) {
      if (kind != DynamicType.Kind.ENUM && kind != DynamicType.Kind.STRUCT
          && kind != DynamicType.Kind.LIST && kind != DynamicType.Kind.INTERFACE) {
        SIMPLE[kind.ordinal()] = Factory.create(DynamicType.of(kind));
      }
    }
  }

  /**
   * The factory for lists with the given element type. Factories are cached with the schema
   * objects they depend on, so repeated calls allocate nothing.
   *
   * @param elementType the element type
   * @return the factory for lists with the given element type
   */
  public static Factory factory(DynamicType elementType) {
    Factory simple = SIMPLE[elementType.kind().ordinal()];
    if (simple != null) {
      return simple;
    }
    return switch (elementType.kind()) {
      case STRUCT -> elementType.structSchema().listFactory();
      case ENUM -> elementType.enumSchema().listFactory();
      case LIST -> factory(elementType.elementType()).listOfThis();
      default -> Factory.create(elementType);
    };
  }

  static ElementSize elementSizeOf(DynamicType.Kind kind) {
    return switch (kind) {
      case VOID -> ElementSize.VOID;
      case BOOL -> ElementSize.BIT;
      case INT8, UINT8 -> ElementSize.BYTE;
      case INT16, UINT16, ENUM -> ElementSize.TWO_BYTES;
      case INT32, UINT32, FLOAT32 -> ElementSize.FOUR_BYTES;
      case INT64, UINT64, FLOAT64 -> ElementSize.EIGHT_BYTES;
      case STRUCT -> ElementSize.INLINE_COMPOSITE;
      default -> ElementSize.POINTER;
    };
  }

  /** Reads and builds lists of one element type. */
  public static final class Factory extends ListFactory<Builder, Reader> {
    private final DynamicType elementType;
    private volatile Factory listOfThis;

    private Factory(DynamicType elementType, ElementSize size) {
      super(size);
      this.elementType = elementType;
    }

    private Factory(DynamicType elementType, StructSize size) {
      super(size);
      this.elementType = elementType;
    }

    static Factory create(DynamicType elementType) {
      if (elementType.kind() == DynamicType.Kind.STRUCT) {
        StructSchema s = elementType.structSchema();
        return new Factory(elementType, new StructSize(s.dataWordCount(), s.pointerCount()));
      }
      return new Factory(elementType, elementSizeOf(elementType.kind()));
    }

    /**
     * The element type.
     *
     * @return the element type
     */
    public DynamicType elementType() {
      return elementType;
    }

    /** The factory for lists whose elements are lists of this factory's type. */
    Factory listOfThis() {
      Factory f = listOfThis;
      if (f == null) {
        f = create(DynamicType.listOf(elementType));
        listOfThis = f;
      }
      return f;
    }

    @Override
    public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      return new Reader(elementType, segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize, nestingLimit);
    }

    @Override
    public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      return new Builder(elementType, segment, capTable, ptr, elementCount, step, structDataSize,
          structPointerCount, elementSize);
    }
  }

  /** A list read through its element type. */
  public static final class Reader extends ListReader implements Iterable<Object> {
    private final DynamicType elementType;

    Reader(DynamicType elementType, SegmentReader segment, CapTableReader capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize, int nestingLimit) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize, nestingLimit);
      this.elementType = elementType;
    }

    /**
     * The element type.
     *
     * @return the element type
     */
    public DynamicType elementType() {
      return elementType;
    }

    /**
     * Raw bits of a primitive element: bool as 0/1, integers sign-extended, floats as IEEE bits,
     * enums as the unsigned value.
     *
     * @param index the element index, from 0
     * @return the raw bits of a primitive element: bool as 0/1, integers sign-extended, floats as
     *     IEEE bits, enums as the unsigned value
     */
    public long getBits(int index) {
      return switch (elementType.kind()) {
        case VOID -> {
          if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " of list of size " + size());
          }
          yield 0;
        }
        case BOOL -> _getBooleanElement(index) ? 1 : 0;
        case INT8, UINT8 -> _getByteElement(index);
        case INT16, UINT16 -> _getShortElement(index);
        case ENUM -> _getShortElement(index) & 0xffff;
        case INT32, UINT32, FLOAT32 -> _getIntElement(index);
        case INT64, UINT64, FLOAT64 -> _getLongElement(index);
        default -> throw new IllegalArgumentException("List(" + elementType + ") is not primitive");
      };
    }

    /**
     * Element {@code index}; see {@link DynamicValue} for the Java types used.
     *
     * @param index the element index, from 0
     * @return element {@code index}
     */
    public Object get(int index) {
      return switch (elementType.kind()) {
        case VOID -> {
          getBits(index);
          yield DynamicValue.VOID;
        }
        case BOOL -> getBits(index) != 0;
        case INT8, UINT8 -> (byte) getBits(index);
        case INT16, UINT16 -> (short) getBits(index);
        case INT32, UINT32 -> (int) getBits(index);
        case INT64, UINT64 -> getBits(index);
        case FLOAT32 -> Float.intBitsToFloat((int) getBits(index));
        case FLOAT64 -> Double.longBitsToDouble(getBits(index));
        case ENUM -> new DynamicEnum(elementType.enumSchema(), (int) getBits(index));
        case STRUCT -> _getStructElement(elementType.structSchema().factory(), index);
        default -> {
          PointerFactory<?, Object> f = DynamicStruct.pointerFactory(elementType);
          yield _getPointerElement(f, index);
        }
      };
    }

    /** Iterates over the elements as returned by {@link #get(int)}. */
    @Override
    public java.util.Iterator<Object> iterator() {
      return new java.util.Iterator<Object>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < size();
        }

        @Override
        public Object next() {
          if (next >= size()) {
            throw new java.util.NoSuchElementException();
          }
          return get(next++);
        }
      };
    }

    /**
     * Whether pointer element {@code index} is non-null.
     *
     * @param index the element index, from 0
     * @return {@code true} if pointer element {@code index} is non-null
     */
    public boolean hasPointer(int index) {
      return !_pointerElementIsNull(index);
    }

    @Override
    public String toString() {
      return TextPrinter.printList(this, false);
    }
  }

  /** A list built through its element type. */
  public static final class Builder extends ListBuilder {
    private final DynamicType elementType;

    Builder(DynamicType elementType, SegmentBuilder segment, CapTableBuilder capTable, int ptr,
        int elementCount, int step, int structDataSize, int structPointerCount,
        ElementSize elementSize) {
      super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
          elementSize);
      this.elementType = elementType;
    }

    /**
     * The element type.
     *
     * @return the element type
     */
    public DynamicType elementType() {
      return elementType;
    }

    /**
     * A reader for the same list.
     *
     * @return a reader for the same list
     */
    public Reader asReader() {
      return _asReader(factory(elementType));
    }

    /**
     * Sets a primitive, enum, Text or Data element (value types as in
     * {@link DynamicStruct.Builder#set}).
     *
     * @param index the element index, from 0
     * @param value the value, of a type accepted for the element type
     */
    public void set(int index, Object value) {
      switch (elementType.kind()) {
        case VOID -> { }
        case BOOL -> _setBooleanElement(index, (Boolean) value);
        case INT8, UINT8 -> _setByteElement(index, ((Number) value).byteValue());
        case INT16, UINT16 -> _setShortElement(index, ((Number) value).shortValue());
        case INT32, UINT32 -> _setIntElement(index, ((Number) value).intValue());
        case INT64, UINT64 -> _setLongElement(index, ((Number) value).longValue());
        case FLOAT32 -> _setFloatElement(index, ((Number) value).floatValue());
        case FLOAT64 -> _setDoubleElement(index, ((Number) value).doubleValue());
        case ENUM -> _setShortElement(index,
            (short) DynamicStruct.enumValue(elementType.enumSchema(), value));
        case TEXT -> _setPointerElement(Text.FACTORY, index, DynamicStruct.toText(value));
        case DATA -> _setPointerElement(Data.FACTORY, index,
            value instanceof Data.Reader d ? d : new Data.Reader((byte[]) value));
        default -> {
          PointerFactory<?, Object> f = DynamicStruct.pointerFactory(elementType);
          _setPointerElement(f, index, value);
        }
      }
    }

    /**
     * The builder of struct element {@code index}.
     *
     * @param index the element index, from 0
     * @return the builder of struct element {@code index}
     */
    public DynamicStruct.Builder getStruct(int index) {
      return _getStructElement(elementType.structSchema().factory(), index);
    }

    /**
     * Initializes list, Text or Data element {@code index} with {@code size} elements (bytes).
     *
     * @param index the element index, from 0
     * @param size the number of elements (bytes for Text and Data)
     * @return the builder of the new value
     */
    public Object init(int index, int size) {
      PointerFactory<Object, ?> f = DynamicStruct.pointerFactory(elementType);
      return _initPointerElement(f, index, size);
    }

    @Override
    public String toString() {
      return asReader().toString();
    }
  }
}
