package dev.capnp.bench.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Smoke test (not a measurement) of {@link GrpcBench}: its client talks to its server for both
 * workloads, every reply checked, and prints a RESULT line in {@link RpcBench}'s format.
 */
class GrpcBenchSmokeTest {
  @Test
  void bothWorkloadsTalkAndReport() throws Exception {
    Server server = GrpcBench.startServer();
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      String address = "tcp:127.0.0.1:" + server.getPort();
      GrpcBench.main(new String[] {"--connect", address, "--workload", "ping", "--warmup",
          "20", "--calls", "50"});
      GrpcBench.main(new String[] {"--connect", address, "--workload", "inflight",
          "--in-flight", "12", "--caller", "loop", "--warmup", "50", "--calls", "300"});
    } finally {
      System.setOut(saved);
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .anyMatch(l -> l.startsWith("RESULT impl=grpc workload=ping caller=loop transport=tcp"
            + " calls=50 "))
        .anyMatch(l -> l.startsWith("RESULT impl=grpc workload=inflight caller=loop"
            + " transport=tcp calls=300 "));
  }
}
