package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Primitive field and element reads must not allocate. */
class AllocationTest {
  @Test
  void primitiveReadsDoNotAllocate() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(mx.isThreadAllocatedMemorySupported());
    mx.setThreadAllocatedMemoryEnabled(true);

    MessageBuilder mb = new MessageBuilder();
    Fixtures.fill(mb.initRoot(T.FACTORY));
    T.Reader r = Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb))).getRoot(T.FACTORY);
    PrimitiveList.Short.Reader d = r.getD();
    long sink = 0;
    for (int warm = 0; warm < 20_000; warm++) {
      sink += read(r, d);
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 1_000_000; i++) {
      sink += read(r, d);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(sink).isNotZero();
    // a million reads of five fields: anything per-read would be megabytes
    assertThat(allocated).isLessThan(64 * 1024);
  }

  /**
   * Regression (found by the decoder fuzzer): a segment table claiming 8 Mi words followed by one
   * word made the stream readers allocate the whole 64 MiB body before reading it.
   */
  @Test
  void claimedMessageSizeIsNotAllocatedBeforeTheBytesArrive() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(mx.isThreadAllocatedMemorySupported());
    mx.setThreadAllocatedMemoryEnabled(true);
    byte[] claim = new byte[16];
    ByteBuffer.wrap(claim).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0)
        .putInt(4, 8 * 1024 * 1024);
    byte[] packedClaim = {0x40, (byte) 0x80, 0};
    for (int round = 0; round < 2; round++) { // the first round loads classes
      long before = mx.getCurrentThreadAllocatedBytes();
      assertThatThrownBy(() -> Serialize.read(new java.io.ByteArrayInputStream(claim)))
          .isInstanceOf(DecodeException.class).hasMessageContaining("premature end");
      assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(packedClaim)))
          .isInstanceOf(DecodeException.class).hasMessageContaining("truncated packed data");
      long allocated = mx.getCurrentThreadAllocatedBytes() - before;
      if (round == 1) {
        assertThat(allocated).isLessThan(3 * Serialize.EAGER_BODY_BYTES);
      }
    }
  }

  @Test
  void messagesLargerThanTheEagerBodyStillReadFromStreams() throws java.io.IOException {
    MessageBuilder mb = new MessageBuilder();
    PrimitiveList.Short.Builder list = mb.initRoot(T.FACTORY).initD(500_000);
    for (int i = 0; i < list.size(); i++) {
      list.set(i, (short) (i * 31));
    }
    byte[] bytes = Serialize.toBytes(mb);
    assertThat(bytes.length).isGreaterThan(3 * Serialize.EAGER_BODY_BYTES);
    PrimitiveList.Short.Reader back = Serialize.read(new java.io.ByteArrayInputStream(bytes))
        .getRoot(T.FACTORY).getD();
    assertThat(back.size()).isEqualTo(500_000);
    assertThat(back.get(499_999)).isEqualTo((short) (499_999 * 31));
    PrimitiveList.Short.Reader packed = SerializePacked.read(ByteBuffer.wrap(
        SerializePacked.toBytes(mb))).getRoot(T.FACTORY).getD();
    assertThat(packed.get(12_345)).isEqualTo((short) (12_345 * 31));
  }

  private static long read(T.Reader r, PrimitiveList.Short.Reader d) {
    return r.getA() + (r.getB() ? 1 : 0) + (long) r.getG() + r.getH() + d.get(2);
  }
}
