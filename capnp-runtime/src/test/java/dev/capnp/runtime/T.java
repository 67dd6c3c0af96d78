package dev.capnp.runtime;

/**
 * Hand-written equivalent of generated code for the test schema
 * <pre>
 * struct T {            # 24 bytes, 6 ptrs
 *   a @0 :Int32;        # bits[0, 32)
 *   b @1 :Bool;         # bits[32, 33)
 *   c @2 :Text;         # ptr[0]
 *   d @3 :List(Int16);  # ptr[1]
 *   e @4 :T;            # ptr[2]
 *   f @5 :List(T);      # ptr[3]
 *   g @6 :Float64;      # bits[64, 128)
 *   h @7 :Int64 = 1234; # bits[128, 192)
 *   i @8 :List(Bool);   # ptr[4]
 *   j @9 :Data;         # ptr[5]
 * }
 * </pre>
 */
final class T {
  static final String SCHEMA = "@0xbf5147cbbecf40c1;\n"
      + "struct T {\n  a @0 :Int32;\n  b @1 :Bool;\n  c @2 :Text;\n  d @3 :List(Int16);\n"
      + "  e @4 :T;\n  f @5 :List(T);\n  g @6 :Float64;\n  h @7 :Int64 = 1234;\n"
      + "  i @8 :List(Bool);\n  j @9 :Data;\n}\n";

  static final StructSize SIZE = new StructSize(3, 6);

  static final StructFactory<Builder, Reader> FACTORY = new StructFactory<>(SIZE) {
    @Override
    public Reader constructReader(SegmentReader segment, CapTableReader capTable, int dataOffset,
        int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit) {
      return new Reader(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount,
          nestingLimit);
    }

    @Override
    public Builder constructBuilder(SegmentBuilder segment, CapTableBuilder capTable,
        int dataOffset, int dataSizeBits, int pointerOffset, int pointerCount) {
      return new Builder(segment, capTable, dataOffset, dataSizeBits, pointerOffset,
          pointerCount);
    }
  };

  static final StructList.Factory<Builder, Reader> LIST = StructList.factory(FACTORY);

  private T() {}

  static final class Reader extends StructReader {
    Reader(SegmentReader segment, CapTableReader capTable, int dataOffset, int dataSizeBits,
        int pointerOffset, int pointerCount, int nestingLimit) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount,
          nestingLimit);
    }

    int getA() {
      return _getIntField(0);
    }

    boolean getB() {
      return _getBooleanField(32);
    }

    boolean hasC() {
      return !_pointerFieldIsNull(0);
    }

    Text.Reader getC() {
      return _getPointerField(Text.FACTORY, 0);
    }

    PrimitiveList.Short.Reader getD() {
      return _getPointerField(PrimitiveList.Short.FACTORY, 1);
    }

    boolean hasE() {
      return !_pointerFieldIsNull(2);
    }

    Reader getE() {
      return _getPointerField(FACTORY, 2);
    }

    StructList.Reader<Reader> getF() {
      return _getPointerField(LIST, 3);
    }

    double getG() {
      return _getDoubleField(1);
    }

    long getH() {
      return _getLongField(2, 1234L);
    }

    PrimitiveList.Boolean.Reader getI() {
      return _getPointerField(PrimitiveList.Boolean.FACTORY, 4);
    }

    Data.Reader getJ() {
      return _getPointerField(Data.FACTORY, 5);
    }

    AnyPointer.Reader getAny(int i) {
      return _getPointerField(AnyPointer.FACTORY, i);
    }

    <R> R get(PointerFactory<?, R> f, int i) {
      return _getPointerField(f, i);
    }

    <R> R get(PointerFactory<?, R> f, int i, SegmentReader def, int off) {
      return _getPointerField(f, i, def, off);
    }
  }

  static final class Builder extends StructBuilder {
    Builder(SegmentBuilder segment, CapTableBuilder capTable, int dataOffset, int dataSizeBits,
        int pointerOffset, int pointerCount) {
      super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount);
    }

    Reader asReader() {
      return _asReader(FACTORY);
    }

    int getA() {
      return _getIntField(0);
    }

    Builder setA(int v) {
      _setIntField(0, v);
      return this;
    }

    boolean getB() {
      return _getBooleanField(32);
    }

    Builder setB(boolean v) {
      _setBooleanField(32, v);
      return this;
    }

    Text.Builder getC() {
      return _getPointerField(Text.FACTORY, 0);
    }

    Builder setC(String v) {
      _setTextField(0, v);
      return this;
    }

    PrimitiveList.Short.Builder initD(int n) {
      return _initPointerField(PrimitiveList.Short.FACTORY, 1, n);
    }

    PrimitiveList.Short.Builder getD() {
      return _getPointerField(PrimitiveList.Short.FACTORY, 1);
    }

    Builder getE() {
      return _getPointerField(FACTORY, 2);
    }

    Builder initE() {
      return _initPointerField(FACTORY, 2, 0);
    }

    void setE(Reader r) {
      _setPointerField(FACTORY, 2, r);
    }

    Orphan<Builder> disownE() {
      return _disownPointerField(FACTORY, 2);
    }

    void adoptE(Orphan<?> o) {
      _adoptPointerField(2, o);
    }

    StructList.Builder<Builder> initF(int n) {
      return _initPointerField(LIST, 3, n);
    }

    StructList.Builder<Builder> getF() {
      return _getPointerField(LIST, 3);
    }

    double getG() {
      return _getDoubleField(1);
    }

    Builder setG(double v) {
      _setDoubleField(1, v);
      return this;
    }

    long getH() {
      return _getLongField(2, 1234L);
    }

    Builder setH(long v) {
      _setLongField(2, v, 1234L);
      return this;
    }

    PrimitiveList.Boolean.Builder initI(int n) {
      return _initPointerField(PrimitiveList.Boolean.FACTORY, 4, n);
    }

    Data.Builder initJ(int n) {
      return _initPointerField(Data.FACTORY, 5, n);
    }

    void setJ(byte[] v) {
      _setPointerField(Data.FACTORY, 5, new Data.Reader(v));
    }

    AnyPointer.Builder getAny(int i) {
      return _getPointerField(AnyPointer.FACTORY, i);
    }

    <B> B get(PointerFactory<B, ?> f, int i) {
      return _getPointerField(f, i);
    }

    <B> B get(PointerFactory<B, ?> f, int i, SegmentReader def, int off) {
      return _getPointerField(f, i, def, off);
    }

    <B> B init(PointerFactory<B, ?> f, int i, int n) {
      return _initPointerField(f, i, n);
    }

    <B extends StructBuilder> B initStruct(PointerFactory<B, ?> f, int i) {
      return _initStructField(f, i);
    }

    <B extends ListBuilder> B initList(PointerFactory<B, ?> f, int i, int n) {
      return _initListField(f, i, n);
    }

    Text.Builder initText(int i, int n) {
      return _initTextField(i, n);
    }

    Data.Builder initData(int i, int n) {
      return _initDataField(i, n);
    }

    <R> void set(PointerFactory<?, R> f, int i, R v) {
      _setPointerField(f, i, v);
    }

    void clear(int i) {
      _clearPointerField(i);
    }

    <X> Orphan<X> disown(PointerFactory<X, ?> f, int i) {
      return _disownPointerField(f, i);
    }

    void adopt(int i, Orphan<?> o) {
      _adoptPointerField(i, o);
    }
  }
}
