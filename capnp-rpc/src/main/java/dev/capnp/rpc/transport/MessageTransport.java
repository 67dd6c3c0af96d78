package dev.capnp.rpc.transport;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;

/**
 * Moves whole Cap'n Proto messages between two vats, in order. The RPC connection calls
 * {@link #send} on its event loop; the transport delivers incoming messages to the
 * {@link Receiver} from any thread (the connection hops onto its loop).
 */
public interface MessageTransport extends AutoCloseable {
  /** Queues {@code message} for sending; ownership passes to the transport. */
  void send(MessageBuilder message);

  /** Starts delivering incoming messages to {@code receiver}. */
  void start(Receiver receiver);

  /** Closes the transport (pending output is flushed where possible). */
  @Override
  void close();

  /** Receives what arrives on a transport. */
  interface Receiver {
    /** One incoming message. */
    void onMessage(MessageReader message);

    /** The transport ended: {@code cause} is null for a clean end of stream. */
    void onClosed(Throwable cause);
  }
}
