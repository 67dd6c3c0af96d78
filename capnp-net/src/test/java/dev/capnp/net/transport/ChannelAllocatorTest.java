package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capnp.net.AotTraining;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocator of a vat's connections ({@link NettyPlatform#channelAllocator()}): where Netty
 * frees direct memory by closing a shared arena (JDK 25 without native access), a call path must
 * not make the JVM stop every thread for such a close every few dozen calls (issue 12).
 */
class ChannelAllocatorTest {

  @Test
  void onlyAJdkWhereNettyClosesSharedArenasGetsThePooledAllocator() {
    assertThat(NettyPlatform.directFreeIsExpensive(17, true, false)).isFalse();
    assertThat(NettyPlatform.directFreeIsExpensive(21, false, false)).isFalse();
    assertThat(NettyPlatform.directFreeIsExpensive(25, true, false)).isFalse();
    assertThat(NettyPlatform.directFreeIsExpensive(25, false, true)).isFalse();
    assertThat(NettyPlatform.directFreeIsExpensive(25, false, false)).isTrue();
    assertThat(NettyPlatform.directFreeIsExpensive(26, false, false)).isTrue();
  }

  @Test
  void theAllocatorFollowsThisJvm() {
    boolean expensive = NettyPlatform.directFreeIsExpensive(Runtime.version().feature(),
        PlatformDependent.hasUnsafe(), nativeAccess());
    assertThat(NettyPlatform.channelAllocator())
        .isSameAs(expensive ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT);
  }

  /**
   * Runs {@link AotTraining}'s calls (TCP, Unix socket and TLS, 5,000 each, from a thread and
   * from the loop, 100 in flight) in a JVM of this JDK without native access, logging the JVM's
   * handshakes; with the adaptive allocator this JDK closed a shared arena about every 55 calls
   * (about 100 closes here), with the pooled one once or twice in the whole run.
   */
  @Test
  void callsDoNotCloseSharedArenas(@TempDir Path dir) throws Exception {
    assumeTrue(Runtime.version().feature() >= 25,
        "JDK 25+ only: earlier JDKs free direct memory without a handshake");
    Path log = dir.resolve("handshakes.log");
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:handshake:file=" + log, "-cp", System.getProperty("java.class.path"),
        AotTraining.class.getName(), "--calls", "5000", "--no-plain-peer");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ended").isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    long closes = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(l -> l.contains("\"CloseScopedMemory\"")).count();
    assertThat(closes).as("shared-arena closes in 15,000 calls").isLessThanOrEqualTo(5);
  }

  private static boolean nativeAccess() {
    try {
      return (Boolean) Module.class.getMethod("isNativeAccessEnabled")
          .invoke(PlatformDependent.class.getModule());
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
