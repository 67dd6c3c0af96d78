package dev.capnp.net.restore;

import dev.capnp.net.Restorer;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.transport.InMemoryTransport;

/**
 * A client and a server connection over a manual in-memory transport on one manual loop; the
 * server answers bootstraps with a {@link RestorerBootstrap} over a restorer.
 */
public final class Wire implements AutoCloseable {
  private final EventLoop loop;
  private final InMemoryTransport[] wires = InMemoryTransport.pair(true);
  /** The client side. */
  public final RpcConnection client;
  /** The server side. */
  public final RpcConnection server;

  /** Connects a client to a server serving {@code restorer} (null: no restorer). */
  public Wire(EventLoop loop, Restorer restorer) {
    this.loop = loop;
    client = RpcConnection.create(loop, wires[0], null, "client");
    server = new RpcConnection(loop, wires[1], RestorerBootstrap.of(restorer), "server");
    server.start();
  }

  /** Delivers every message and runs every task until nothing is left. */
  public void pump() {
    for (int i = 0; i < 10_000; i++) {
      boolean any = wires[0].deliverAll() > 0;
      any |= wires[1].deliverAll() > 0;
      any |= loop.runPending() > 0;
      if (!any) {
        return;
      }
    }
    throw new AssertionError("pump did not settle");
  }

  /** Pumps until {@code f} completes and returns its value. */
  public <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    for (int i = 0; i < 10_000 && !f.isDone(); i++) {
      pump();
    }
    if (!f.isDone()) {
      throw new AssertionError("future did not complete");
    }
    return f.join();
  }

  /** Pings {@code cap} over the wire. */
  public String ping(Capability cap, String msg) {
    return await(TestEcho.ping(cap, msg));
  }

  /** Simulates the server being killed: aborts the server side. */
  public void killServer() {
    server.disconnect(dev.capnp.rpc.RpcException.disconnected("Connection closed"));
    pump();
  }

  @Override
  public void close() {
    pump();
    client.close();
    server.close();
    pump();
  }
}
