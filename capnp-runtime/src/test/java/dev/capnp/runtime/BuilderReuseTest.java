package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Reusing a {@link MessageBuilder} and encoding text straight into the message. */
class BuilderReuseTest {
  private static T.Reader reread(MessageBuilder mb) {
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb))).getRoot(T.FACTORY);
  }

  @Test
  void resetMessageIsEmptyAndBuildsTheSameBytesAsANewOne() {
    MessageBuilder reused = new MessageBuilder(64);
    T.Builder first = reused.initRoot(T.FACTORY);
    first.setA(7).setC("first content");
    first.initF(2).get(1).setA(3);
    reused.reset();
    assertThat(reused.sizeInWords()).isEqualTo(1);
    assertThat(reused.asReader().getRoot(T.FACTORY).getA()).isZero();
    reused.initRoot(T.FACTORY).setC("x");
    MessageBuilder fresh = new MessageBuilder(64);
    fresh.initRoot(T.FACTORY).setC("x");
    assertThat(Serialize.toBytes(reused)).isEqualTo(Serialize.toBytes(fresh));
  }

  @Test
  void rewindFreesWhatCameAfterTheMarkAndKeepsTheBuildersBeforeIt() {
    MessageBuilder mb = new MessageBuilder(64);
    T.Builder root = mb.initRoot(T.FACTORY);
    T.Builder e = root.initE();
    e.setA(7);
    long mark = mb.sizeInWords();
    AnyPointer.Builder content = e.getAny(0);
    content.initAs(T.FACTORY).setC("first content, long enough for several words");
    assertThat(mb.sizeInWords()).isGreaterThan(mark);
    content.clear();
    assertThat(mb.rewind(mark)).isTrue();
    assertThat(mb.sizeInWords()).isEqualTo(mark);
    // the builders from before the mark still work, and the freed words are zero
    e.setA(8);
    content.initAs(T.FACTORY).setC("x");
    MessageBuilder fresh = new MessageBuilder(64);
    T.Builder fe = fresh.initRoot(T.FACTORY).initE();
    fe.setA(8);
    fe.getAny(0).initAs(T.FACTORY).setC("x");
    assertThat(Serialize.toBytes(mb)).isEqualTo(Serialize.toBytes(fresh));
  }

  @Test
  void rewindRefusesAMessageOfSeveralSegmentsAndABadSize() {
    MessageBuilder mb = new MessageBuilder(8);
    StructList.Builder<T.Builder> list = mb.initRoot(T.FACTORY).initF(20);
    list.get(19).setC("far");
    assertThat(mb.segmentCount()).isGreaterThan(1);
    long size = mb.sizeInWords();
    assertThat(mb.rewind(1)).isFalse();
    assertThat(mb.sizeInWords()).isEqualTo(size);
    MessageBuilder one = new MessageBuilder(64);
    one.initRoot(T.FACTORY);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.rewind(0))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.rewind(one.sizeInWords() + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resetMergesSegmentsIntoOneLargeEnoughForThePreviousMessage() {
    MessageBuilder mb = new MessageBuilder(8);
    StructList.Builder<T.Builder> list = mb.initRoot(T.FACTORY).initF(50);
    for (int i = 0; i < 50; i++) {
      list.get(i).setA(i).setC("element " + i);
    }
    assertThat(mb.segmentCount()).isGreaterThan(1);
    long used = mb.sizeInWords();
    mb.reset();
    assertThat(mb.segmentCount()).isOne();
    StructList.Builder<T.Builder> again = mb.initRoot(T.FACTORY).initF(50);
    for (int i = 0; i < 50; i++) {
      again.get(i).setA(i).setC("element " + i);
    }
    assertThat(mb.segmentCount()).isOne();
    assertThat(mb.sizeInWords()).isLessThanOrEqualTo(used);
    assertThat(reread(mb).getF().get(49).getC()).hasToString("element 49");
  }

  @Test
  void sizingGivesTheFirstSegmentWhatThePreviousMessageUsedPlusAQuarter() {
    MessageBuilder.Sizing sizing = new MessageBuilder.Sizing();
    assertThat(sizing.nextFirstSegmentWords())
        .isEqualTo(MessageBuilder.DEFAULT_FIRST_SEGMENT_WORDS);
    MessageBuilder first = new MessageBuilder(sizing);
    StructList.Builder<T.Builder> list = first.initRoot(T.FACTORY).initF(50);
    for (int i = 0; i < 50; i++) {
      list.get(i).setA(i).setC("element " + i);
    }
    long used = first.sizeInWords();
    int expected = (int) ((used + used / 4 + 7) / 8 * 8);
    assertThat(sizing.nextFirstSegmentWords()).isEqualTo(expected);
    MessageBuilder second = new MessageBuilder(sizing);
    assertThat(second.rootSegment().sizeInWords()).isEqualTo(expected);
    StructList.Builder<T.Builder> again = second.initRoot(T.FACTORY).initF(50);
    for (int i = 0; i < 50; i++) {
      again.get(i).setA(i).setC("element " + i);
    }
    assertThat(second.segmentCount()).isOne();
    assertThat(Serialize.toBytes(second)).isEqualTo(Serialize.toBytes(first));
    // an empty previous message still leaves room for a small one
    new MessageBuilder(sizing);
    assertThat(sizing.nextFirstSegmentWords()).isEqualTo(8);
  }

  @Test
  void textFromAStringIsItsUtf8Encoding() {
    for (String s : new String[] {"", "ascii only", "h\u00e9llo \u20ac \ud83d\ude00"}) {
      MessageBuilder mb = new MessageBuilder();
      mb.initRoot(T.FACTORY).setC(s);
      Text.Reader t = reread(mb).getC();
      assertThat(t).hasToString(s);
      assertThat(t.size()).isEqualTo(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
  }
}
