package dev.capnp.testing;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** {@link RpcPair#inMemory}: two connections over an in-memory transport, one loop each. */
final class InMemoryRpcPair implements RpcPair {
  private final EventLoop serverLoop;
  private final EventLoop clientLoop;
  private final RpcConnection server;
  private final RpcConnection client;

  private InMemoryRpcPair(EventLoop serverLoop, EventLoop clientLoop, RpcConnection server,
      RpcConnection client) {
    this.serverLoop = serverLoop;
    this.clientLoop = clientLoop;
    this.server = server;
    this.client = client;
  }

  static InMemoryRpcPair start(Server service) {
    Objects.requireNonNull(service, "service");
    EventLoop serverLoop = EventLoop.start("test-server");
    EventLoop clientLoop = EventLoop.start("test-client");
    InMemoryTransport[] wires = InMemoryTransport.pair(false);
    RpcConnection server = RpcConnection.create(serverLoop, wires[0],
        Capability.of(service, serverLoop), "test-server");
    RpcConnection client = RpcConnection.create(clientLoop, wires[1], (Capability) null,
        "test-client");
    return new InMemoryRpcPair(serverLoop, clientLoop, server, client);
  }

  @Override
  public Capability bootstrap() {
    return client.bootstrap();
  }

  @Override
  public void close() {
    try {
      client.close();
      // the server side sees the client's Abort before it is closed itself (a copy: the
      // timeout must not complete the connection's own future)
      server.whenDisconnected().copy().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
      server.close();
    } finally {
      clientLoop.close();
      serverLoop.close();
    }
  }

  @Override
  public String toString() {
    return "RpcPair.inMemory(" + server + " <-> " + client + ")";
  }
}
