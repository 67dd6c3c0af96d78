package dev.capnp.bench.rpc;

import dev.capnp.rpc.Capability;

/**
 * How the benchmark connects a client to an echo server: raw sockets with the core
 * {@code StreamTransport}, or vats ({@code capnp-net}). A server is started, prints where to
 * reach it (an address string), and a client connects to that string.
 */
interface Stack {
  /** A running echo server. */
  interface Served extends AutoCloseable {
    /** Where clients connect (an address or a sturdy URI). */
    String address();

    @Override
    void close() throws java.io.IOException;
  }

  /** A client's connection to the echo service. */
  interface Connected extends AutoCloseable {
    /** The echo capability (borrowed). */
    Capability echo();

    @Override
    void close();
  }

  /** Starts an echo server for {@code transport} ({@code tcp}, {@code tls} or {@code unix}). */
  Served serve(String transport) throws Exception;

  /** Connects to a server's {@link Served#address()}. */
  Connected connect(String transport, String address) throws Exception;
}
