package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capnp.net.AotTraining;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
  void directMemoryOfTwoKindsMeansExpensiveFrees() {
    assertThat(NettyPlatform.directFreeIsExpensive(String.class, String.class)).isFalse();
    assertThat(NettyPlatform.directFreeIsExpensive(String.class, Integer.class)).isTrue();
  }

  /**
   * In a JVM of this JDK: on JDK 25+ without native access the pooled allocator, with it (or on
   * an earlier JDK) Netty's default. (The test's own JVM cannot tell: the JDK grants a module
   * native access after the first warning, so asking later answers differently from how Netty
   * started.)
   */
  @Test
  void thePooledAllocatorOnlyWhereNettyClosesSharedArenas() throws Exception {
    boolean jdk25 = Runtime.version().feature() >= 25;
    assertThat(probe(List.of())).isEqualTo(jdk25 ? "pooled" : "default");
    if (Runtime.version().feature() >= 22) {
      assertThat(probe(List.of("--enable-native-access=ALL-UNNAMED"))).isEqualTo("default");
    }
  }

  /**
   * The choice follows how Netty frees, even when Netty's native library was loaded before the
   * first vat (after which the JDK has granted the module native access, but Netty still frees
   * by closing shared arenas).
   */
  @Test
  void nettyLoadedFirstStillGetsThePooledAllocator() throws Exception {
    boolean jdk25 = Runtime.version().feature() >= 25;
    assertThat(probe(List.of(), "epoll-first")).isEqualTo(jdk25 ? "pooled" : "default");
  }

  private static String probe(List<String> options, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ChannelAllocatorProbe.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    String[] lines = out.strip().split("\\R");
    return lines[lines.length - 1]; // (after the JDK's warnings, if any)
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
}
