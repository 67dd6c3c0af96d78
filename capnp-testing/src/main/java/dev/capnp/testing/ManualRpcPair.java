package dev.capnp.testing;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A client and a server connection on one manual event loop owned by the test thread, over an
 * in-memory transport that delivers a message only when told: nothing runs unless the test
 * {@link #pump() pumps}, so a test sees every intermediate state and runs the same way every time.
 *
 * <pre>{@code
 * try (ManualRpcPair pair = ManualRpcPair.start(new EchoService());
 *     Echo.Client echo = pair.client(Echo.Client::new)) {
 *   var request = echo.pingRequest();
 *   request.getParams().setMsg("hi");
 *   var reply = request.send();
 *   assertThat(reply).isNotDone();          // nothing was delivered yet
 *   try (var response = pair.await(reply)) {
 *     assertThat(response.get().getReply().toString()).isEqualTo("echo:hi");
 *   }
 * }
 * }</pre>
 *
 * <p>Use it from the thread that created it only (the loop belongs to that thread; services run
 * on it too, so a handler must not block).
 */
public final class ManualRpcPair implements RpcPair {
  private static final int MAX_ROUNDS = 100_000;
  private final EventLoop loop;
  private final InMemoryTransport[] wires;
  private final RpcConnection server;
  private final RpcConnection client;

  private ManualRpcPair(EventLoop loop, InMemoryTransport[] wires, RpcConnection server,
      RpcConnection client) {
    this.loop = loop;
    this.wires = wires;
    this.server = server;
    this.client = client;
  }

  /**
   * Connects a client to {@code service} on a new manual loop of the calling thread.
   *
   * @param service the server's service
   * @return the pair, with nothing delivered yet
   */
  public static ManualRpcPair start(Server service) {
    Objects.requireNonNull(service, "service");
    EventLoop loop = EventLoop.manual();
    InMemoryTransport[] wires = InMemoryTransport.pair(true);
    RpcConnection server = RpcConnection.create(loop, wires[0], Capability.of(service, loop),
        "test-server");
    RpcConnection client = RpcConnection.create(loop, wires[1], (Capability) null,
        "test-client");
    return new ManualRpcPair(loop, wires, server, client);
  }

  /**
   * The loop both ends run on (the test thread's).
   *
   * @return the manual loop
   */
  public EventLoop loop() {
    return loop;
  }

  @Override
  public Capability bootstrap() {
    return client.bootstrap();
  }

  /**
   * Delivers at most one waiting message in each direction and runs the tasks queued so far:
   * one step, for tests that look at states between messages.
   *
   * @return whether anything happened
   */
  public boolean step() {
    boolean any = wires[0].deliverOne();
    any |= wires[1].deliverOne();
    any |= loop.runPending() > 0;
    return any;
  }

  /**
   * Delivers every message and runs every task until nothing is left.
   *
   * @return how many steps it took
   * @throws AssertionError if it never settles (a message or task loop)
   */
  public int pump() {
    for (int i = 0; i < MAX_ROUNDS; i++) {
      boolean any = wires[0].deliverAll() > 0;
      any |= wires[1].deliverAll() > 0;
      any |= loop.runPending() > 0;
      if (!any) {
        return i;
      }
    }
    throw new AssertionError("the pair did not settle after " + MAX_ROUNDS + " rounds");
  }

  /**
   * Pumps until {@code stage} completes and returns its value.
   *
   * @param <T> the value's type
   * @param stage e.g. a call's {@code send()}
   * @return the value
   * @throws RpcException the stage's failure, as {@code Await.result} throws it
   * @throws AssertionError if everything settled and the stage is still pending (it waits for
   *     something outside the pair, or for a message that will never come)
   */
  public <T> T await(CompletionStage<T> stage) {
    var future = stage.toCompletableFuture();
    pump();
    if (!future.isDone()) {
      throw new AssertionError("nothing left to run and the future is still pending: " + future);
    }
    return dev.capnp.rpc.Await.result(future);
  }

  /**
   * Simulates losing the connection: the server side disconnects with {@code reason}.
   *
   * @param reason what the client's calls and capabilities fail with
   */
  public void disconnect(RpcException reason) {
    server.disconnect(reason);
    pump();
  }

  /**
   * Disconnects both ends, runs what that leaves to do and closes the loop (the calling thread
   * then has no current loop again).
   */
  @Override
  public void close() {
    try {
      pump();
      client.close();
      server.close();
      pump();
    } finally {
      loop.close();
    }
  }

  @Override
  public String toString() {
    return "ManualRpcPair(" + server + " <-> " + client + ")";
  }
}
