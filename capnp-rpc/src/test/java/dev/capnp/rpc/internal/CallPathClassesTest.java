package dev.capnp.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A fresh JVM initialises the classes of the call path when it makes a connection, not at its
 * first call ({@link CallPathClasses}; issue 12, cold start): on JDK 25 with
 * {@code -XX:+AOTCompileEagerly} the methods a start-up cache recorded as hot are compiled only
 * once their classes are initialised, so classes first initialised by the first call left their
 * methods to be compiled while the calls ran. A child JVM ({@link Child}) connects two
 * connections in memory, bootstraps, prints a marker, makes one call and prints another; its
 * {@code -Xlog:class+init} lines between the markers must name no class of capnp-rpc or
 * capnp-runtime other than lambdas (which no list can name) and the child's own.
 */
class CallPathClassesTest {
  private static final Pattern INIT = Pattern.compile("Initializing '([^']+)'");

  @Test
  void theFirstCallInitialisesNoClassOfTheCallPath() throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xshare:auto",
        "-Xlog:class+init=info:stdout", "-cp", System.getProperty("java.class.path"),
        Child.class.getName());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    List<String> firstCall = new ArrayList<>();
    List<String> output = new ArrayList<>();
    int phase = 0; // 0: connecting, 1: the first call, 2: after it
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (line.equals(Child.CONNECTED)) {
          phase = 1;
        } else if (line.equals(Child.CALLED)) {
          phase = 2;
        } else if (phase == 1) {
          Matcher m = INIT.matcher(line);
          if (m.find()) {
            String name = m.group(1).replace('/', '.');
            if ((name.startsWith("dev.capnp.rpc.") || name.startsWith("dev.capnp.runtime."))
                && !name.contains("$$Lambda") && !name.startsWith(Child.class.getName())) {
              firstCall.add(name);
            }
          }
        }
      }
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("the child's output: %s", output).isZero();
    assertThat(phase).as("the child's output: %s", output).isEqualTo(2);
    assertThat(firstCall)
        .as("classes first initialised by the first call (add them to CallPathClasses)")
        .isEmpty();
  }

  @Test
  void everyNamedClassExists() throws Exception {
    assertThat(CallPathClasses.names()).isNotEmpty();
    for (String name : CallPathClasses.names()) {
      Class.forName(name, false, CallPathClasses.class.getClassLoader());
    }
  }

  /**
   * The child JVM: a server and a client connection over an in-memory transport, each vat on
   * its own loop; bootstraps, prints {@link #CONNECTED}, makes one call from this thread and
   * waits for it, prints {@link #CALLED}.
   */
  static final class Child {
    static final String CONNECTED = "--- connected ---";
    static final String CALLED = "--- called ---";

    private Child() {}

    /**
     * Runs the child.
     *
     * @param args ignored
     * @throws Exception if the call fails
     */
    public static void main(String[] args) throws Exception {
      EventLoop serverLoop = EventLoop.start("server");
      EventLoop clientLoop = EventLoop.start("client");
      InMemoryTransport[] pair = InMemoryTransport.pair(false);
      RpcConnection server = RpcConnection.create(serverLoop, pair[0],
          Capability.of(new Echo(), serverLoop), "server");
      RpcConnection client = RpcConnection.create(clientLoop, pair[1], null, "client");
      try (Capability bootstrap = client.bootstrap()) {
        bootstrap.whenResolved().get(30, TimeUnit.SECONDS);
        System.out.println(CONNECTED);
        System.out.flush();
        var request = bootstrap.newCall(1, 0);
        request.getParams().setAs(Text.FACTORY, new Text.Reader("ping"));
        try (Response<AnyPointer.Reader> r = request.send().get(30, TimeUnit.SECONDS)) {
          if (!r.get().getAs(Text.FACTORY).toString().equals("ping")) {
            throw new AssertionError("wrong echo");
          }
        }
        System.out.println(CALLED);
        System.out.flush();
      }
      client.close();
      server.close();
      System.exit(0);
    }
  }

  /** Echoes its params. */
  static final class Echo extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
      context.getResults().set(context.getParams());
      return CompletableFuture.completedFuture(null);
    }
  }
}
