package dev.capnp.runtime;

/**
 * Lists of primitive values. Unsigned types share the class of the signed type of the same width
 * ({@code List(UInt32)} is {@link Int}). Element reads allocate nothing.
 */
public final class PrimitiveList {
  private PrimitiveList() {}

  /** {@code List(Void)}: only a size. */
  public static final class Void {
    private Void() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Void)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.VOID);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Void)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}: always {@code null} (checks the index).
       *
       * @param index the element index, from 0
       */
      public java.lang.Void get(int index) {
        checkIndex(index);
        return null;
      }
    }

    /** Mutable {@code List(Void)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}: always {@code null} (checks the index).
       *
       * @param index the element index, from 0
       */
      public java.lang.Void get(int index) {
        checkIndex(index);
        return null;
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Bool)}. */
  public static final class Boolean {
    private Boolean() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Bool)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.BIT);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Bool)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public boolean get(int index) {
        return _getBooleanElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public boolean[] toArray() {
        boolean[] out = new boolean[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getBooleanElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Bool)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public boolean get(int index) {
        return _getBooleanElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, boolean value) {
        _setBooleanElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Int8)}. */
  public static final class Byte {
    private Byte() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Int8)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.BYTE);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Int8)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public byte get(int index) {
        return _getByteElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public byte[] toArray() {
        byte[] out = new byte[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getByteElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Int8)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public byte get(int index) {
        return _getByteElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, byte value) {
        _setByteElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Int16)}. */
  public static final class Short {
    private Short() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Int16)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.TWO_BYTES);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Int16)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public short get(int index) {
        return _getShortElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public short[] toArray() {
        short[] out = new short[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getShortElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Int16)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public short get(int index) {
        return _getShortElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, short value) {
        _setShortElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Int32)}. */
  public static final class Int {
    private Int() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Int32)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.FOUR_BYTES);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Int32)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public int get(int index) {
        return _getIntElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public int[] toArray() {
        int[] out = new int[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getIntElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Int32)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public int get(int index) {
        return _getIntElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, int value) {
        _setIntElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Int64)}. */
  public static final class Long {
    private Long() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Int64)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.EIGHT_BYTES);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Int64)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public long get(int index) {
        return _getLongElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public long[] toArray() {
        long[] out = new long[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getLongElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Int64)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public long get(int index) {
        return _getLongElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, long value) {
        _setLongElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Float32)}. */
  public static final class Float {
    private Float() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Float32)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.FOUR_BYTES);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Float32)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public float get(int index) {
        return _getFloatElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public float[] toArray() {
        float[] out = new float[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getFloatElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Float32)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public float get(int index) {
        return _getFloatElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, float value) {
        _setFloatElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }

  /** {@code List(Float64)}. */
  public static final class Double {
    private Double() {}

    /** Factory for this list type. */
    public static final Factory FACTORY = new Factory();

    /** Reads and builds {@code List(Float64)}. */
    public static final class Factory extends ListFactory<Builder, Reader> {
      private Factory() {
        super(ElementSize.EIGHT_BYTES);
      }

      @Override
      public Reader constructReader(SegmentReader segment, CapTableReader capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize, int nestingLimit) {
        return new Reader(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize, nestingLimit);
      }

      @Override
      public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable, int ptr,
          int elementCount, int step, int structDataSize, int structPointerCount,
          ElementSize elementSize) {
        return new Builder(segment, capTable, ptr, elementCount, step, structDataSize,
            structPointerCount, elementSize);
      }
    }

    /** Read-only {@code List(Float64)}. */
    public static final class Reader extends ListReader {
      Reader(SegmentReader segment, CapTableReader capTable, int ptr, int elementCount, int step,
          int structDataSize, int structPointerCount, ElementSize elementSize,
          int nestingLimit) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize, nestingLimit);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public double get(int index) {
        return _getDoubleElement(index);
      }

      /**
       * A copy of all elements.
       *
       * @return a copy of all elements
       */
      public double[] toArray() {
        double[] out = new double[elementCount];
        for (int i = 0; i < out.length; i++) {
          out[i] = _getDoubleElement(i);
        }
        return out;
      }
    }

    /** Mutable {@code List(Float64)}. */
    public static final class Builder extends ListBuilder {
      Builder(SegmentBuilder segment, CapTableBuilder capTable, int ptr, int elementCount,
          int step, int structDataSize, int structPointerCount, ElementSize elementSize) {
        super(segment, capTable, ptr, elementCount, step, structDataSize, structPointerCount,
            elementSize);
      }

      /**
       * Element {@code index}.
       *
       * @param index the element index, from 0
       * @return element {@code index}
       */
      public double get(int index) {
        return _getDoubleElement(index);
      }

      /**
       * Sets element {@code index}.
       *
       * @param index the element index, from 0
       * @param value the value to write
       */
      public void set(int index, double value) {
        _setDoubleElement(index, value);
      }

      /**
       * A reader of the same list.
       *
       * @return a reader of the same list
       */
      public Reader asReader() {
        return _asReader(FACTORY);
      }
    }
  }
}
