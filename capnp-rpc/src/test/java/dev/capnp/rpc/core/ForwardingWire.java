package dev.capnp.rpc.core;

import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.MessageBuilder;

/**
 * A test's own end of a connection that passes everything on to {@link #wire} (one end of an
 * in-memory pair); subclasses override the sends they want to watch.
 */
abstract class ForwardingWire implements MessageTransport {
  final MessageTransport wire;

  ForwardingWire(MessageTransport wire) {
    this.wire = wire;
  }

  @Override
  public void send(MessageBuilder message) {
    wire.send(message);
  }

  @Override
  public void start(Receiver receiver) {
    wire.start(receiver);
  }

  @Override
  public void close() {
    wire.close();
  }
}
