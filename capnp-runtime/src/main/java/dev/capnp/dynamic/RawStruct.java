package dev.capnp.dynamic;

import dev.capnp.runtime.CapTableBuilder;
import dev.capnp.runtime.CapTableReader;
import dev.capnp.runtime.SegmentBuilder;
import dev.capnp.runtime.SegmentReader;
import dev.capnp.runtime.StructBuilder;
import dev.capnp.runtime.StructFactory;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.StructReader;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.List;

/**
 * Untyped access to a struct by raw field offsets. Used to read {@code schema.capnp} nodes, so
 * that the dynamic layer does not depend on the generated schema classes (which themselves print
 * through the dynamic layer).
 */
final class RawStruct extends StructReader {
  /** Reads structs as {@link RawStruct}s; building is not supported. */
  static final StructFactory<RawBuilder, RawStruct> FACTORY =
      new StructFactory<RawBuilder, RawStruct>(new StructSize(0, 0)) {
        @Override
        public RawStruct constructReader(SegmentReader segment, CapTableReader capTable,
            int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount,
            int nestingLimit) {
          return new RawStruct(segment, capTable, dataOffset, dataSizeBits, pointerOffset,
              pointerCount, nestingLimit);
        }

        @Override
        public RawBuilder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
            int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount) {
          throw new UnsupportedOperationException("schema nodes are read-only");
        }
      };

  private static final dev.capnp.runtime.PointerFactory<?, StructList.Reader<RawStruct>> LIST =
      StructList.factory(FACTORY);

  private RawStruct(SegmentReader segment, CapTableReader capTable, int dataOffset,
      int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
    super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount, nestingLimit);
  }

  /** A raw view of any struct reader (for example a generated {@code Schema.Node.Reader}). */
  RawStruct(StructReader other) {
    super(other);
  }

  boolean bool(int bit) {
    return _getBooleanField(bit);
  }

  int u16(int index) {
    return _getShortField(index) & 0xffff;
  }

  int u16(int index, int defaultValue) {
    return (_getShortField(index, (short) defaultValue)) & 0xffff;
  }

  byte i8(int index) {
    return _getByteField(index);
  }

  short i16(int index) {
    return _getShortField(index);
  }

  int i32(int index) {
    return _getIntField(index);
  }

  long i64(int index) {
    return _getLongField(index);
  }

  boolean isNull(int pointer) {
    return _pointerFieldIsNull(pointer);
  }

  String text(int pointer) {
    return _getPointerField(Text.FACTORY, pointer).toString();
  }

  RawStruct struct(int pointer) {
    return _getPointerField(FACTORY, pointer);
  }

  List<RawStruct> list(int pointer) {
    StructList.Reader<RawStruct> list = _getPointerField(LIST, pointer);
    int n = list.size();
    RawStruct[] out = new RawStruct[n];
    for (int i = 0; i < n; i++) {
      out[i] = list.get(i);
    }
    return List.of(out);
  }

  /** Reads pointer {@code index} with any factory. */
  <R> R pointer(dev.capnp.runtime.PointerFactory<?, R> factory, int index) {
    return _getPointerField(factory, index);
  }

  SegmentReader segment() {
    return _segment();
  }

  /** Absolute word offset of pointer {@code index} within {@link #segment()}. */
  int pointerWord(int index) {
    return _pointerOffset() + index;
  }

  /** Placeholder builder type; raw structs are never built. */
  static final class RawBuilder extends StructBuilder {
    private RawBuilder(StructBuilder other) {
      super(other);
    }
  }
}
