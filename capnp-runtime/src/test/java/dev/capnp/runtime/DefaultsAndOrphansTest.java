package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DefaultsAndOrphansTest {
  /** The words of a message's first segment, as a generator would embed them. */
  private static SegmentReader words(MessageBuilder mb) {
    ByteBuffer seg = mb.getSegmentsForOutput()[0];
    long[] w = new long[seg.remaining() / 8];
    for (int i = 0; i < w.length; i++) {
      w[i] = seg.getLong(i * 8);
    }
    return SegmentReader.ofWords(w);
  }

  @Test
  void listDefaults() {
    MessageBuilder def = new MessageBuilder();
    PrimitiveList.Int.Builder ints = def.getRootAnyPointer().initAs(PrimitiveList.Int.FACTORY, 3);
    ints.set(0, 1);
    ints.set(2, 3);
    SegmentReader intsDefault = words(def);
    MessageBuilder structsDef = new MessageBuilder();
    structsDef.getRootAnyPointer().initAs(T.LIST, 2).get(1).setC("d");
    SegmentReader structsDefault = words(structsDef);

    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    assertThat(t.asReader().get(PrimitiveList.Int.FACTORY, 1, intsDefault, 0).toArray())
        .containsExactly(1, 0, 3);
    assertThat(t.asReader().get(T.LIST, 3, structsDefault, 0).get(1).getC().toString())
        .isEqualTo("d");
    PrimitiveList.Int.Builder own = t.get(PrimitiveList.Int.FACTORY, 1, intsDefault, 0);
    own.set(1, 2);
    assertThat(t.asReader().get(PrimitiveList.Int.FACTORY, 1, intsDefault, 0).toArray())
        .containsExactly(1, 2, 3);
    StructList.Builder<T.Builder> ownStructs = t.get(T.LIST, 3, structsDefault, 0);
    ownStructs.get(0).setA(4);
    T.Reader r = Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb))).getRoot(T.FACTORY);
    assertThat(r.getF().get(0).getA()).isEqualTo(4);
    assertThat(r.getF().get(1).getC().toString()).isEqualTo("d");
    // explicitly set values win over defaults, even when empty
    t.init(PrimitiveList.Int.FACTORY, 1, 0);
    assertThat(t.asReader().get(PrimitiveList.Int.FACTORY, 1, intsDefault, 0).size()).isZero();
  }

  @Test
  void anyListViews() {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(T.FACTORY).initF(2).get(1).setA(8);
    AnyList.Reader any = mb.getRoot(T.FACTORY).asReader().getAny(3).getAs(AnyList.FACTORY);
    assertThat(any.elementSize()).isEqualTo(ElementSize.INLINE_COMPOSITE);
    assertThat(any.size()).isEqualTo(2);
    assertThat(any.as(T.LIST).get(1).getA()).isEqualTo(8);
    assertThat(any.as(PrimitiveList.Int.FACTORY).get(1)).isEqualTo(8);
    assertThatThrownBy(() -> any.as(PrimitiveList.Boolean.FACTORY))
        .isInstanceOf(DecodeException.class);
    AnyList.Builder anyB = mb.getRoot(T.FACTORY).getAny(3).getAs(AnyList.FACTORY);
    anyB.as(T.LIST).get(0).setA(9);
    assertThat(mb.getRoot(T.FACTORY).getF().get(0).getA()).isEqualTo(9);
  }

  @Test
  void orphanedListsAndNullOrphans() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    Orphan<T.Builder> nothing = t.disownE();
    assertThat(nothing.isNull()).isTrue();
    t.initD(2).set(1, (short) 5);
    Orphan<PrimitiveList.Short.Builder> d = t.disown(PrimitiveList.Short.FACTORY, 1);
    assertThat(t.asReader().getD().size()).isZero();
    assertThat(d.get().get(1)).isEqualTo((short) 5);
    assertThat(d.getReader(PrimitiveList.Short.FACTORY).get(1)).isEqualTo((short) 5);
    t.getF(); // null -> empty builder, no allocation
    T.Builder item = t.initF(1).get(0);
    item.adopt(1, d);
    assertThat(t.asReader().getF().get(0).getD().get(1)).isEqualTo((short) 5);
    Orphan<TextList.Builder> texts = mb.getOrphanage().newOrphan(TextList.FACTORY, 2);
    texts.get().set(1, "b");
    AnyPointer.Builder slot = t.getAny(4);
    slot.adopt(texts);
    assertThat(t.asReader().get(TextList.FACTORY, 4).get(1).toString()).isEqualTo("b");
    Orphan<TextList.Builder> back = slot.disownAs(TextList.FACTORY);
    assertThat(slot.isNull()).isTrue();
    assertThat(back.get().get(1).toString()).isEqualTo("b");
  }

  @Test
  void blobBuildersWriteInPlace() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    Text.Builder c = t.init(Text.FACTORY, 0, 5);
    c.asByteBuffer().put("héll".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(t.asReader().getC().toString()).isEqualTo("héll");
    Data.Builder j = t.initJ(3);
    j.set(2, (byte) 7);
    assertThat(t.asReader().getJ().toArray()).containsExactly(0, 0, 7);
    assertThat(t.getC().toString()).isEqualTo("héll");
    assertThatThrownBy(() -> j.set(3, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
