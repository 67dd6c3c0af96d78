package dev.capnp.runtime;

/** Pointer encoding, validation, allocation and copying (the C++ "WireHelpers"). */
final class Wire {
  static final int STRUCT = 0;
  static final int LIST = 1;
  static final int FAR = 2;
  static final int OTHER = 3;

  private Wire() {}

  private static UnsupportedOperationException todo() {
    return new UnsupportedOperationException("not implemented yet");
  }

  static <R extends StructReader> R readStruct(StructFactory<?, R> f, SegmentReader seg, CapTableReader cap,
      int refOff, SegmentReader defSeg, int defOff, int nesting) {
    throw todo();
  }

  static <B extends StructBuilder> B getWritableStruct(StructFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff, SegmentReader defSeg, int defOff) {
    throw todo();
  }

  static <B extends StructBuilder> B initStruct(StructFactory<B, ?> f, SegmentBuilder seg, CapTableBuilder cap,
      int refOff) {
    throw todo();
  }

  static void setStruct(SegmentBuilder seg, CapTableBuilder cap, int refOff, StructReader v) {
    throw todo();
  }

  static void copyStructInto(SegmentBuilder seg, CapTableBuilder cap, int data, int dataBits,
      int pointers, int pointerCount, StructReader value) {
    throw todo();
  }

  static long structTotalSize(StructReader s) {
    throw todo();
  }

  static long pointerTotalSize(SegmentReader seg, int refOff, int nesting) {
    throw todo();
  }

  static <R extends ListReader> R readList(ListFactory<?, R> f, SegmentReader seg,
      CapTableReader cap, int refOff, SegmentReader defSeg, int defOff, int nesting) {
    throw todo();
  }

  static <B extends ListBuilder> B getWritableList(ListFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff, SegmentReader defSeg, int defOff) {
    throw todo();
  }

  static <B extends ListBuilder> B initList(ListFactory<B, ?> f, SegmentBuilder seg,
      CapTableBuilder cap, int refOff, int count) {
    throw todo();
  }

  static void setList(SegmentBuilder seg, CapTableBuilder cap, int refOff, ListReader v) {
    throw todo();
  }

  static void checkListCompatible(ElementSize expected, ElementSize actual, int dataBits,
      int pointerCount, String what) {
    throw todo();
  }

  static Text.Reader readText(SegmentReader seg, int refOff, SegmentReader defSeg, int defOff) {
    throw todo();
  }

  static Text.Builder getWritableText(SegmentBuilder seg, int refOff, SegmentReader defSeg,
      int defOff) {
    throw todo();
  }

  static Text.Builder initText(SegmentBuilder seg, int refOff, int size) {
    throw todo();
  }

  static void setText(SegmentBuilder seg, int refOff, Text.Reader v) {
    throw todo();
  }

  static Data.Reader readData(SegmentReader seg, int refOff, SegmentReader defSeg, int defOff) {
    throw todo();
  }

  static Data.Builder getWritableData(SegmentBuilder seg, int refOff, SegmentReader defSeg,
      int defOff) {
    throw todo();
  }

  static Data.Builder initData(SegmentBuilder seg, int refOff, int size) {
    throw todo();
  }

  static void setData(SegmentBuilder seg, int refOff, Data.Reader v) {
    throw todo();
  }

  static int targetKind(SegmentReader seg, int refOff) {
    throw todo();
  }

  static int readCapabilityIndex(SegmentReader seg, int refOff) {
    throw todo();
  }

  static void setCapabilityIndex(SegmentBuilder seg, int refOff, int index) {
    throw todo();
  }

  static void copyPointer(SegmentBuilder dst, CapTableBuilder dstCap, int dstOff,
      SegmentReader src, CapTableReader srcCap, int srcOff, int nesting) {
    throw todo();
  }

  static void clearPointer(SegmentBuilder seg, int refOff) {
    throw todo();
  }

  static void transferPointer(SegmentBuilder dstSeg, int dstOff, SegmentBuilder srcSeg,
      int srcOff) {
    throw todo();
  }

  static byte[] canonicalize(StructReader struct) {
    throw todo();
  }
}
