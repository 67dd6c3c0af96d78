package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The typed init calls of {@link StructBuilder} ({@code _initStructField}, {@code _initListField},
 * {@code _initTextField}, {@code _initDataField}) build exactly what the generic
 * {@code _initPointerField} builds, and text set from a {@code String} (one-pass ASCII copy)
 * has exactly the layout of the general path, whatever the string and the room left.
 */
class TypedInitAndTextTest {
  private static byte[] build(int firstSegmentWords, Consumer<T.Builder> fill) {
    MessageBuilder mb = new MessageBuilder(firstSegmentWords);
    fill.accept(mb.initRoot(T.FACTORY));
    return Serialize.toBytes(mb);
  }

  private static T.Reader read(byte[] bytes) {
    return Serialize.read(ByteBuffer.wrap(bytes)).getRoot(T.FACTORY);
  }

  @Test
  void typedInitsBuildTheSameBytesAsTheGenericOne() {
    byte[] typed = build(64, t -> {
      t.initStruct(T.FACTORY, 2).setA(5);
      t.initList(PrimitiveList.Short.FACTORY, 1, 3).set(2, (short) 7);
      t.initList(T.LIST, 3, 2).get(1).setA(9);
      t.initText(0, 3).asByteBuffer().put(0, (byte) 'a');
      t.initData(5, 4).asByteBuffer().put(3, (byte) 1);
    });
    byte[] generic = build(64, t -> {
      t.init(T.FACTORY, 2, 0).setA(5);
      t.init(PrimitiveList.Short.FACTORY, 1, 3).set(2, (short) 7);
      t.init(T.LIST, 3, 2).get(1).setA(9);
      t.init(Text.FACTORY, 0, 3).asByteBuffer().put(0, (byte) 'a');
      t.init(Data.FACTORY, 5, 4).asByteBuffer().put(3, (byte) 1);
    });
    assertThat(typed).isEqualTo(generic);
    T.Reader r = read(typed);
    assertThat(r.getE().getA()).isEqualTo(5);
    assertThat(r.getF().get(1).getA()).isEqualTo(9);
  }

  @Test
  void typedInitsKeepTheGenericErrors() {
    T.Builder t = new MessageBuilder().initRoot(T.FACTORY);
    assertThatThrownBy(() -> t.initList(T.LIST, 3, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bad list size -1");
    assertThatThrownBy(() -> t.initText(0, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bad text size -1");
    assertThatThrownBy(() -> t.initData(5, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bad data size -1");
    assertThatThrownBy(() -> t.initText(6, 1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("pointer 6 beyond pointer section of 6");
  }

  /** The general path's layout: the text's UTF-8 bytes written through initText. */
  private static void viaInitText(T.Builder t, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    t.initText(0, utf8.length).asByteBuffer().put(0, utf8);
  }

  @Test
  void textFromAStringHasTheLayoutOfTheGeneralPath() {
    String[] strings = {"", "a", "seven c", "exactly8", "ascii then \u00e9", "\u00e9 first",
        "\u20ac\ud83d\ude00", "a longer ascii string of more than one word"};
    // 64 words: room to spare; 6 words: root struct (9 words) already overflows, so the text
    // lands in another segment behind a landing pad; 12, 13, 14: text just (not) fitting.
    for (int words : new int[] {64, 6, 12, 13, 14}) {
      for (String s : strings) {
        byte[] fast = build(words, t -> t.setA(1).setC(s).setA(2));
        byte[] general = build(words, t -> {
          t.setA(1);
          viaInitText(t, s);
          t.setA(2);
        });
        assertThat(fast).as("%s in %d words", s, words).isEqualTo(general);
        assertThat(read(fast).getC()).hasToString(s);
      }
    }
  }

  @Test
  void replacingTextZeroesTheOldAndAbandonedCopiesLeaveNoTrace() {
    // A non-ASCII character found after some ASCII ones: the partly copied bytes are put back to
    // zero, so an object allocated afterwards starts zeroed.
    byte[] fast = build(64, t -> {
      t.setC("first");
      t.setC("abc\u00e9");
      t.initStruct(T.FACTORY, 2);
      t.initList(PrimitiveList.Short.FACTORY, 1, 4);
    });
    byte[] general = build(64, t -> {
      viaInitText(t, "first");
      t.clear(0);
      viaInitText(t, "abc\u00e9");
      t.initStruct(T.FACTORY, 2);
      t.initList(PrimitiveList.Short.FACTORY, 1, 4);
    });
    assertThat(fast).isEqualTo(general);
    T.Reader r = read(fast);
    assertThat(r.getC()).hasToString("abc\u00e9");
    assertThat(r.getE().getA()).isZero();
  }
}
