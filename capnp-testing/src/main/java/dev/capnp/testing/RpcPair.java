package dev.capnp.testing;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Server;
import java.util.function.Function;

/**
 * A client connected to a server in one JVM, for tests: the server's service is the bootstrap
 * capability of the connection, and every {@link #bootstrap()} is a new reference to it through
 * the protocol (so calls are serialized, pipelined and answered as over a network).
 *
 * <pre>{@code
 * try (RpcPair pair = RpcPair.inMemory(new EchoService());
 *     Echo.Client echo = pair.client(Echo.Client::new)) {
 *   ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #inMemory(Server)}: two RPC connections over an in-memory transport, each on its
 *       own event-loop thread (fast; the protocol without the network);
 *   <li>{@link #loopback(Server)}: two vats over TCP on 127.0.0.1 with TLS, the client connecting
 *       by sturdy URI (the whole stack);
 *   <li>{@link ManualRpcPair#start(Server)}: both ends on one manual loop run by the test thread,
 *       nothing happens until the test {@linkplain ManualRpcPair#pump() pumps} (deterministic).
 * </ul>
 */
public interface RpcPair extends AutoCloseable {
  /**
   * An in-memory pair: {@code service} served on a server loop, a client connection on a client
   * loop.
   *
   * @param service the server's service (the pair serves it on its server loop)
   * @return the connected pair
   */
  static RpcPair inMemory(Server service) {
    return InMemoryRpcPair.start(service);
  }

  /**
   * A pair of vats over TCP loopback with TLS (an ephemeral key), the client importing the
   * server's sturdy URI.
   *
   * @param service the server's service (served on the server vat's loop)
   * @return the connected pair
   */
  static RpcPair loopback(Server service) {
    return LoopbackRpcPair.start(service);
  }

  /**
   * A new reference to the server's service, seen through the client's connection; the caller
   * owns it and must close it.
   *
   * @return the bootstrap capability
   */
  Capability bootstrap();

  /**
   * {@link #bootstrap()} wrapped in a typed client.
   *
   * @param <C> the client type
   * @param wrap e.g. {@code Echo.Client::new} (takes over the handle)
   * @return a typed client the caller owns
   */
  default <C> C client(Function<? super Capability, ? extends C> wrap) {
    return wrap.apply(bootstrap());
  }

  /** Disconnects both ends and stops what the pair started. */
  @Override
  void close();
}
