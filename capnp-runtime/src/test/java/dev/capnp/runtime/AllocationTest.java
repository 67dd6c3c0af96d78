package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
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

  private static long read(T.Reader r, PrimitiveList.Short.Reader d) {
    return r.getA() + (r.getB() ? 1 : 0) + (long) r.getG() + r.getH() + d.get(2);
  }
}
