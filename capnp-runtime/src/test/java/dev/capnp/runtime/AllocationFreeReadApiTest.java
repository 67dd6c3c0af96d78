package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The read API that needs no per-value objects: struct-list elements read through one reused
 * reader, text compared, measured and written without a String.
 */
class AllocationFreeReadApiTest {
  private static T.Reader listOfThree() {
    MessageBuilder mb = new MessageBuilder();
    StructList.Builder<T.Builder> list = mb.initRoot(T.FACTORY).initF(3);
    for (int i = 0; i < 3; i++) {
      list.get(i).setA(10 + i).setC("n" + i);
    }
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb))).getRoot(T.FACTORY);
  }

  @Test
  void structListElementsReadThroughOneReusedReader() {
    StructList.Reader<T.Reader> list = listOfThree().getF();
    T.Reader cursor = list.get(0);
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      T.Reader element = list.get(i, cursor);
      assertThat(element).isSameAs(cursor);
      seen.append(element.getA()).append(element.getC()).append(' ');
    }
    assertThat(seen).hasToString("10n0 11n1 12n2 ");
    assertThatThrownBy(() -> list.get(3, cursor)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anyPointerFieldReadAsItsTypeWithoutAnAnyPointerReader() {
    T.Reader root = listOfThree();
    // pointer 2 of T is its struct field e (unset here), pointer 3 its list f
    StructList.Reader<T.Reader> direct = AnyPointer.readField(root, 3, T.LIST);
    assertThat(direct.size()).isEqualTo(3);
    assertThat(direct.get(2).getC().toString()).isEqualTo("n2");
    assertThat(AnyPointer.readField(root, 2, T.FACTORY).getA())
        .isEqualTo(root.getAny(2).getAs(T.FACTORY).getA()).isZero();
    // beyond the pointer section: null, read as the type's empty value
    assertThat(AnyPointer.readField(root, 9, T.LIST).size()).isZero();
    assertThat(AnyPointer.readField(root, 9, T.FACTORY).getA()).isZero();
  }

  private static Text.Reader text(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[utf8.length + 5];
    System.arraycopy(utf8, 0, padded, 3, utf8.length);
    return new Text.Reader(ByteBuffer.wrap(padded), 3, utf8.length);
  }

  @Test
  void contentEqualsComparesUtf8WithoutDecoding() {
    for (String s : new String[] {"", "Alice", "h\u00e9llo", "\u20ac5", "a\ud83d\ude00b",
        "\u0800\u07ff\u007f"}) {
      assertThat(text(s).contentEquals(s)).as(s).isTrue();
      assertThat(text(s).contentEquals(new StringBuilder(s))).as(s).isTrue();
      assertThat(text(s).contentEquals(s + "x")).as(s).isFalse();
      assertThat(text(s + "x").contentEquals(s)).as(s).isFalse();
    }
    assertThat(text("h\u00e9llo").contentEquals("h\u00e8llo")).isFalse();
    assertThat(text("a\ud83d\ude00").contentEquals("a\ud83d\ude01")).isFalse();
    assertThat(text("?").contentEquals("\ud83d")).isTrue(); // lone surrogate encodes as '?'
    assertThat(text("Alice").contentEquals("Alicf")).isFalse();
  }

  @Test
  void asciiTextIsACharSequenceWithoutAString() {
    Text.Reader ascii = text("Bob");
    assertThat(ascii.isAscii()).isTrue();
    assertThat(ascii.length()).isEqualTo(3);
    assertThat(ascii.charAt(2)).isEqualTo('b');
    assertThat(ascii.byteAt(0)).isEqualTo((byte) 'B');
    Text.Reader accented = text("\u00e9t\u00e9");
    assertThat(accented.isAscii()).isFalse();
    assertThat(accented.size()).isEqualTo(5);
    assertThat(accented.length()).isEqualTo(3);
    assertThat(accented.charAt(2)).isEqualTo('\u00e9');
    assertThatThrownBy(() -> ascii.byteAt(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ascii.charAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void writesUtf8BytesToStreamsAndBuffers() throws IOException {
    Text.Reader t = text("\u00e9t\u00e9");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTo(out);
    assertThat(out.toByteArray()).isEqualTo("\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8));
    ByteBuffer dst = ByteBuffer.allocate(7).put((byte) 1);
    t.writeTo(dst);
    assertThat(dst.position()).isEqualTo(6);
    assertThat(dst.array()).startsWith(1, 0xc3, 0xa9, 't', 0xc3, 0xa9);
    assertThatThrownBy(() -> t.writeTo(ByteBuffer.allocate(4)))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    ByteBuffer direct = ByteBuffer.allocateDirect(5);
    t.writeTo(direct);
    assertThat(direct.position()).isEqualTo(5);
  }

  @Test
  void dataHashAndEqualityAreThoseOfItsBytes() {
    Data.Reader a = new Data.Reader(ByteBuffer.wrap(new byte[] {9, 1, 2, 3}), 1, 3);
    Data.Reader b = new Data.Reader(new byte[] {1, 2, 3});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.hashCode()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}).hashCode());
    assertThat(a).isNotEqualTo(new Data.Reader(new byte[] {1, 2, 4}));
  }
}
