package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class CanonicalTest {
  private static long word(byte[] b, int i) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(i * 8);
  }

  @Test
  void truncatesTrailingZeroDataAndNullPointers() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    t.setA(5);
    t.setH(1234); // default -> stored as zero
    byte[] c = Canonical.canonicalize(t.asReader());
    // root pointer: struct, offset 0, 1 data word, 0 pointers; then the data word
    assertThat(c).hasSize(16);
    assertThat(word(c, 0)).isEqualTo(1L << 32);
    assertThat(word(c, 1)).isEqualTo(5);
  }

  @Test
  void emptyStructUsesOffsetMinusOne() {
    MessageBuilder mb = new MessageBuilder();
    byte[] c = Canonical.canonicalize(mb.initRoot(T.FACTORY).asReader());
    assertThat(c).hasSize(8);
    assertThat(word(c, 0)).isEqualTo(0xfffffffcL);
  }

  @Test
  void independentOfLayoutAndSegmentation() {
    MessageBuilder a = new MessageBuilder(1);
    Fixtures.fill(a.initRoot(T.FACTORY));
    MessageBuilder b = new MessageBuilder(4096);
    T.Builder tb = b.initRoot(T.FACTORY);
    tb.setC("garbage that gets replaced");
    tb.initE().initF(10);
    Fixtures.fill(tb);
    assertThat(a.segmentCount()).isGreaterThan(1);
    byte[] ca = Canonical.canonicalize(a.getRoot(T.FACTORY).asReader());
    byte[] cb = Canonical.canonicalize(b.getRoot(T.FACTORY).asReader());
    assertThat(ca).isEqualTo(cb);
    // canonical bytes are themselves a valid single-segment message in canonical form
    MessageReader r = new MessageReader(new ByteBuffer[] {ByteBuffer.wrap(ca)});
    Fixtures.check(r.getRoot(T.FACTORY));
    assertThat(Canonical.canonicalize(r.getRoot(T.FACTORY))).isEqualTo(ca);
    assertThat(Canonical.isCanonical(r)).isTrue();
    assertThat(Canonical.isCanonical(a.asReader())).isFalse();
    MessageBuilder single = new MessageBuilder();
    Fixtures.fill(single.initRoot(T.FACTORY));
    single.getRoot(T.FACTORY).setC("changed"); // leaves a hole: not canonical
    assertThat(Canonical.isCanonical(single.asReader())).isFalse();
  }

  @Test
  void structListsAreTruncatedToTheLargestElement() {
    MessageBuilder mb = new MessageBuilder();
    StructList.Builder<T.Builder> f = mb.initRoot(T.FACTORY).initF(2);
    f.get(1).setA(1);
    byte[] c = Canonical.canonicalize(mb.getRoot(T.FACTORY).asReader());
    // root ptr, root struct (0 data, 4 pointers), list tag, 2 elements x 1 data word
    assertThat(c.length / 8).isEqualTo(1 + 4 + 1 + 2);
    long tag = word(c, 5);
    assertThat(tag & 0xffffffffL).isEqualTo(2 << 2); // element count 2
    assertThat(tag >>> 32).isEqualTo(1); // 1 data word, 0 pointers
  }

  @Test
  void structsReadFromPrimitiveListsCanonicalizeToWholeWords() {
    MessageBuilder mb = new MessageBuilder();
    PrimitiveList.Int.Builder ints = mb.initRoot(T.FACTORY).init(PrimitiveList.Int.FACTORY, 3, 2);
    ints.set(1, 9);
    StructList.Reader<T.Reader> structs = mb.getRoot(T.FACTORY).asReader().getF();
    byte[] zero = Canonical.canonicalize(structs.get(0));
    assertThat(zero).hasSize(8);
    byte[] nine = Canonical.canonicalize(structs.get(1));
    assertThat(nine).hasSize(16);
    assertThat(word(nine, 1)).isEqualTo(9);
  }
}
