package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.transport.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up training run makes every kind of call successfully and leaves nothing behind. */
class AotTrainingTest {

  @Test
  void everyKindOfCallSucceedsOverEveryTransportAndNothingLeaks() throws Exception {
    long before = Capability.liveReferenceCount();
    AotTraining.train(400);
    // handles are released on their loops as the vats close: give the counters a moment
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Capability.liveReferenceCount() > before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(Capability.liveReferenceCount()).isLessThanOrEqualTo(before);
  }

  /**
   * In a fresh JVM where a connection is made before Netty has loaded its native transport (an
   * in-memory one, then vats), the training connects and calls over every transport: the first
   * connection initialises the call path's classes (CallPathClasses), and a class whose
   * initialisation needs the native library, initialised that early, would fail and break every
   * later native connection.
   */
  @Test
  void aConnectionBeforeTheNativeTransportBreaksNoVat() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), InMemoryFirst.class.getName());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
  }

  /** The child JVM: an in-memory connection pair, then the training (200 calls). */
  static final class InMemoryFirst {
    private InMemoryFirst() {}

    /**
     * Runs the child.
     *
     * @param args ignored
     * @throws Exception if the training fails
     */
    public static void main(String[] args) throws Exception {
      EventLoop loop = EventLoop.start("in-memory");
      InMemoryTransport[] pair = InMemoryTransport.pair(false);
      RpcConnection a = RpcConnection.create(loop, pair[0], null, "a");
      RpcConnection b = RpcConnection.create(loop, pair[1], null, "b");
      a.close();
      b.close();
      loop.close();
      AotTraining.train(200);
      System.exit(0);
    }
  }
}
