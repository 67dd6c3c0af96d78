package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MessageRoundTripTest {
  private static MessageReader reread(MessageBuilder mb) {
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb)));
  }

  @Test
  void buildAndReadStructTree() {
    MessageBuilder mb = new MessageBuilder();
    Fixtures.fill(mb.initRoot(T.FACTORY));
    Fixtures.check(mb.getRoot(T.FACTORY).asReader());
    MessageReader mr = reread(mb);
    assertThat(mr.segmentCount()).isEqualTo(1);
    Fixtures.check(mr.getRoot(T.FACTORY));
  }

  @Test
  void tinySegmentsForceFarPointers() {
    MessageBuilder mb = new MessageBuilder(1);
    Fixtures.fill(mb.initRoot(T.FACTORY));
    assertThat(mb.segmentCount()).isGreaterThan(1);
    Fixtures.check(mb.getRoot(T.FACTORY).asReader());
    Fixtures.check(reread(mb).getRoot(T.FACTORY));
  }

  @Test
  void segmentsGrowGeometrically() {
    MessageBuilder mb = new MessageBuilder(4);
    T.Builder root = mb.initRoot(T.FACTORY);
    root.initJ(100_000);
    root.initE().initJ(10);
    // 4-word first segment, the root struct, the big data, then a segment as large as all so far
    assertThat(mb.segmentCount()).isLessThanOrEqualTo(4);
    assertThat(reread(mb).getRoot(T.FACTORY).getJ().size()).isEqualTo(100_000);
  }

  @Test
  void defaultsReadWhenAbsent() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    assertThat(t.getH()).isEqualTo(1234);
    t.setH(1234);
    assertThat(mb.getSegmentsForOutput()[0].getLong(8 + 16)).isZero();
    t.setH(0);
    assertThat(t.getH()).isZero();
    T.Reader r = reread(mb).getRoot(T.FACTORY);
    assertThat(r.getH()).isZero();
    assertThat(r.getC().toString()).isEmpty();
    assertThat(r.getD().size()).isZero();
    assertThat(r.hasE()).isFalse();
    assertThat(r.getE().getA()).isZero();
    assertThat(r.getE().getH()).isEqualTo(1234);
    assertThat(r.getF().size()).isZero();
  }

  @Test
  void olderSmallerStructReadsDefaultsAndUpgradesOnWrite() {
    // a struct with 1 data word and 1 pointer, as an older schema would have written it
    MessageBuilder old = new MessageBuilder();
    AnyStruct.Builder s = old.getRootAnyPointer().initAs(AnyStruct.factory(new StructSize(1, 1)));
    s.getDataSection().putInt(0, 77);
    s.getPointer(0).setAs(Text.FACTORY, new Text.Reader("old"));
    MessageReader mr = reread(old);
    T.Reader r = mr.getRoot(T.FACTORY);
    assertThat(r.getA()).isEqualTo(77);
    assertThat(r.getC().toString()).isEqualTo("old");
    assertThat(r.getG()).isZero();
    assertThat(r.getH()).isEqualTo(1234);
    assertThat(r.getJ().size()).isZero();

    for (int first : new int[] {1, 1024}) {
      MessageBuilder mb = new MessageBuilder(first);
      mb.setRoot(AnyStruct.FACTORY, mr.getRoot(AnyStruct.FACTORY));
      upgradeAndCheck(mb);
    }
  }

  private static void upgradeAndCheck(MessageBuilder mb) {
    T.Builder b = mb.getRoot(T.FACTORY); // upgrades in place
    assertThat(b.getA()).isEqualTo(77);
    assertThat(b.getC().toString()).isEqualTo("old");
    b.setH(5).setC("new");
    T.Reader back = reread(mb).getRoot(T.FACTORY);
    assertThat(back.getA()).isEqualTo(77);
    assertThat(back.getH()).isEqualTo(5);
    assertThat(back.getC().toString()).isEqualTo("new");
  }

  @Test
  void pointerDefaultsFromSegmentWords() {
    MessageBuilder def = new MessageBuilder();
    def.initRoot(T.FACTORY).setA(99).setC("default text");
    ByteBuffer seg = def.getSegmentsForOutput()[0];
    long[] words = new long[seg.remaining() / 8];
    for (int i = 0; i < words.length; i++) {
      words[i] = seg.getLong(i * 8);
    }
    SegmentReader defSeg = SegmentReader.ofWords(words);

    MessageBuilder mb = new MessageBuilder();
    T.Builder root = mb.initRoot(T.FACTORY);
    T.Reader r = root.asReader();
    assertThat(r.get(T.FACTORY, 2, defSeg, 0).getA()).isEqualTo(99);
    assertThat(r.get(T.FACTORY, 2, defSeg, 0).getC().toString()).isEqualTo("default text");
    // builder copies the default on first access, then it is independent
    T.Builder e = root.get(T.FACTORY, 2, defSeg, 0);
    assertThat(e.getA()).isEqualTo(99);
    e.setA(100);
    assertThat(root.asReader().get(T.FACTORY, 2, defSeg, 0).getA()).isEqualTo(100);
    assertThat(defSeg.asByteBuffer().getInt(8)).isEqualTo(99);
    // text defaults
    MessageBuilder td = new MessageBuilder();
    td.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader("dflt"));
    ByteBuffer ts = td.getSegmentsForOutput()[0];
    long[] tw = new long[ts.remaining() / 8];
    for (int i = 0; i < tw.length; i++) {
      tw[i] = ts.getLong(i * 8);
    }
    SegmentReader textDef = SegmentReader.ofWords(tw);
    assertThat(r.get(Text.FACTORY, 0, textDef, 0).toString()).isEqualTo("dflt");
    assertThat(root.get(Text.FACTORY, 0, textDef, 0).toString()).isEqualTo("dflt");
  }

  @Test
  void deepCopyBetweenMessages() {
    MessageBuilder src = new MessageBuilder(3);
    Fixtures.fill(src.initRoot(T.FACTORY));
    MessageReader srcReader = reread(src);
    MessageBuilder dst = new MessageBuilder();
    dst.setRoot(T.FACTORY, srcReader.getRoot(T.FACTORY));
    Fixtures.check(reread(dst).getRoot(T.FACTORY));
    // copy a subtree into a field
    MessageBuilder dst2 = new MessageBuilder();
    dst2.initRoot(T.FACTORY).setE(srcReader.getRoot(T.FACTORY));
    Fixtures.check(reread(dst2).getRoot(T.FACTORY).getE());
    assertThat(Canonical.canonicalize(reread(dst2).getRoot(T.FACTORY).getE()))
        .isEqualTo(Canonical.canonicalize(srcReader.getRoot(T.FACTORY)));
  }

  @Test
  void overwritingZeroesOldObjects() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    t.setC("first value that is long");
    t.setC("second");
    t.initE().setC("x");
    t.clear(2);
    ByteBuffer seg = mb.getSegmentsForOutput()[0];
    String all = new String(seg.array(), 0, seg.remaining(),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(all).doesNotContain("first").contains("second").doesNotContain("x\0");
  }

  @Test
  void orphans() {
    MessageBuilder mb = new MessageBuilder(2);
    T.Builder root = mb.initRoot(T.FACTORY);
    root.initE().setA(7).setC("orphaned");
    Orphan<T.Builder> o = root.disownE();
    assertThat(root.asReader().hasE()).isFalse();
    assertThat(o.get().getA()).isEqualTo(7);
    T.Builder f0 = root.initF(1).get(0);
    f0.adoptE(o);
    assertThat(o.isNull()).isTrue();
    assertThatThrownBy(o::get).isInstanceOf(IllegalStateException.class);
    T.Reader r = reread(mb).getRoot(T.FACTORY);
    assertThat(r.getF().get(0).getE().getC().toString()).isEqualTo("orphaned");

    Orphanage orphanage = mb.getOrphanage();
    Orphan<Text.Builder> text = orphanage.newOrphan(Text.FACTORY, 3);
    text.get().asByteBuffer().put(new byte[] {'a', 'b', 'c'});
    root.adopt(0, text);
    Orphan<T.Builder> copy = orphanage.newOrphanCopy(T.FACTORY, r);
    root.adoptE(copy);
    Orphan<PrimitiveList.Int.Builder> ints = orphanage.newOrphan(PrimitiveList.Int.FACTORY, 2);
    ints.get().set(1, 5);
    root.adopt(5, ints);
    T.Reader r2 = reread(mb).getRoot(T.FACTORY);
    assertThat(r2.getC().toString()).isEqualTo("abc");
    assertThat(r2.getE().getF().get(0).getE().getC().toString()).isEqualTo("orphaned");
    assertThat(r2.get(PrimitiveList.Int.FACTORY, 5).toArray()).containsExactly(0, 5);

    MessageBuilder other = new MessageBuilder();
    Orphan<T.Builder> foreign = other.getOrphanage().newOrphan(T.FACTORY, 0);
    assertThatThrownBy(() -> root.adoptE(foreign)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void orphanAdoptedAcrossFullSegmentsUsesDoubleFar() {
    // segment 0: root pointer; segment 1: landing pad + root struct (full);
    // segment 2: orphan slot + orphan struct (9 words) + its text (1 word) = 11 words (full)
    MessageBuilder mb = new MessageBuilder(1);
    T.Builder root = mb.initRoot(T.FACTORY);
    Orphan<T.Builder> o = mb.getOrphanage().newOrphan(T.FACTORY, 0);
    o.get().setA(5).setC("far");
    root.initF(3); // lands in a new segment
    root.adoptE(o);
    long ePointer = root.segment.getWord(root.pointers + 2);
    assertThat(ePointer & 7).as("double-far pointer").isEqualTo(6);
    T.Reader r = reread(mb).getRoot(T.FACTORY);
    assertThat(r.getE().getA()).isEqualTo(5);
    assertThat(r.getE().getC().toString()).isEqualTo("far");
    assertThat(r.getF().size()).isEqualTo(3);
    // and the builder side can follow it too
    assertThat(root.getE().getC().toString()).isEqualTo("far");
    root.getE().setC("changed through a double far");
    assertThat(reread(mb).getRoot(T.FACTORY).getE().getC().toString())
        .isEqualTo("changed through a double far");
  }

  @Test
  void anyPointerAccess() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder root = mb.initRoot(T.FACTORY);
    AnyPointer.Builder p = root.getAny(2);
    assertThat(p.isNull()).isTrue();
    p.initAs(T.FACTORY).setA(3);
    assertThat(p.isStruct()).isTrue();
    root.getAny(3).initAs(PrimitiveList.Long.FACTORY, 2).set(1, Long.MIN_VALUE);
    root.getAny(4).setCapabilityIndex(7);
    T.Reader r = reread(mb).getRoot(T.FACTORY);
    assertThat(r.getAny(2).isStruct()).isTrue();
    assertThat(r.getAny(2).getAs(T.FACTORY).getA()).isEqualTo(3);
    assertThat(r.getAny(3).isList()).isTrue();
    assertThat(r.getAny(3).getAs(PrimitiveList.Long.FACTORY).get(1)).isEqualTo(Long.MIN_VALUE);
    assertThat(r.getAny(3).getAs(AnyList.FACTORY).elementSize())
        .isEqualTo(ElementSize.EIGHT_BYTES);
    assertThat(r.getAny(4).isCapability()).isTrue();
    assertThat(r.getAny(4).getCapabilityIndex()).isEqualTo(7);
    assertThat(r.getAny(0).isNull()).isTrue();
    AnyStruct.Reader any = r.getAny(2).getAs(AnyStruct.FACTORY);
    assertThat(any.dataSizeBits()).isEqualTo(192);
    assertThat(any.pointerCount()).isEqualTo(6);
    assertThat(any.as(T.FACTORY).getA()).isEqualTo(3);
    // copy via AnyPointer into another message
    MessageBuilder mb2 = new MessageBuilder();
    mb2.getRootAnyPointer().set(reread(mb).getRootAnyPointer());
    assertThat(reread(mb2).getRoot(T.FACTORY).getAny(4).getCapabilityIndex()).isEqualTo(7);
  }

  @Test
  void textIsZeroCopyAndComparable() {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(T.FACTORY).setC("zero copy");
    ByteBuffer framed = ByteBuffer.wrap(Serialize.toBytes(mb));
    T.Reader r = Serialize.read(framed).getRoot(T.FACTORY);
    Text.Reader c = r.getC();
    assertThat(c.size()).isEqualTo(9);
    assertThat(c).isEqualTo(new Text.Reader("zero copy"));
    assertThat(c.hashCode()).isEqualTo(new Text.Reader("zero copy").hashCode());
    framed.array()[framed.array().length - 16 + 0] = 'Z';
    assertThat(r.getC().toString()).startsWith("Z");
    assertThat(c.asByteBuffer().isReadOnly()).isTrue();
  }
}
