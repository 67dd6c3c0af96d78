package dev.capnp.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Helpers shared by the runtime tests. */
final class Fixtures {
  private Fixtures() {}

  /** Fills {@code t} with a recognisable value tree (depth 2). */
  static void fill(T.Builder t) {
    t.setA(-123456).setB(true).setC("hello, wörld").setG(3.25).setH(-7);
    PrimitiveList.Short.Builder d = t.initD(3);
    d.set(0, (short) 1);
    d.set(1, (short) -2);
    d.set(2, (short) 30000);
    t.initE().setA(42).setC("nested");
    StructList.Builder<T.Builder> f = t.initF(3);
    for (int i = 0; i < 3; i++) {
      f.get(i).setA(i * 10).setC("item" + i);
    }
    f.get(2).initD(1).set(0, (short) 9);
    PrimitiveList.Boolean.Builder bits = t.initI(10);
    for (int i = 0; i < 10; i++) {
      bits.set(i, i % 3 == 0);
    }
    t.setJ(new byte[] {1, 2, 3, 0, (byte) 255});
  }

  /** Asserts {@code t} holds what {@link #fill} wrote. */
  static void check(T.Reader t) {
    org.assertj.core.api.Assertions.assertThat(t.getA()).isEqualTo(-123456);
    org.assertj.core.api.Assertions.assertThat(t.getB()).isTrue();
    org.assertj.core.api.Assertions.assertThat(t.getC().toString()).isEqualTo("hello, wörld");
    org.assertj.core.api.Assertions.assertThat(t.getG()).isEqualTo(3.25);
    org.assertj.core.api.Assertions.assertThat(t.getH()).isEqualTo(-7);
    org.assertj.core.api.Assertions.assertThat(t.getD().toArray())
        .containsExactly((short) 1, (short) -2, (short) 30000);
    org.assertj.core.api.Assertions.assertThat(t.getE().getA()).isEqualTo(42);
    org.assertj.core.api.Assertions.assertThat(t.getE().getC().toString()).isEqualTo("nested");
    org.assertj.core.api.Assertions.assertThat(t.getF().size()).isEqualTo(3);
    int i = 0;
    for (T.Reader item : t.getF()) {
      org.assertj.core.api.Assertions.assertThat(item.getA()).isEqualTo(i * 10);
      org.assertj.core.api.Assertions.assertThat(item.getC().toString()).isEqualTo("item" + i);
      i++;
    }
    org.assertj.core.api.Assertions.assertThat(t.getF().get(2).getD().get(0)).isEqualTo((short) 9);
    PrimitiveList.Boolean.Reader bits = t.getI();
    org.assertj.core.api.Assertions.assertThat(bits.size()).isEqualTo(10);
    for (int k = 0; k < 10; k++) {
      org.assertj.core.api.Assertions.assertThat(bits.get(k)).isEqualTo(k % 3 == 0);
    }
    org.assertj.core.api.Assertions.assertThat(t.getJ().toArray())
        .containsExactly(1, 2, 3, 0, 255);
  }

  /** A single-segment message from raw little-endian words. */
  static MessageReader message(ReaderOptions options, long... words) {
    return new MessageReader(new ByteBuffer[] {words(words)}, options);
  }

  static MessageReader message(long... words) {
    return message(ReaderOptions.DEFAULT, words);
  }

  static ByteBuffer words(long... words) {
    ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long w : words) {
      b.putLong(w);
    }
    return b.flip();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
