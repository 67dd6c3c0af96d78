package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.MessageBuilder;

/**
 * Where the protocol core puts what it wants sent: the one contract between {@link RpcProtocol}
 * and the driver around it ({@link RpcConnection}), which owns the transport, its threads and
 * its backpressure. Called on the connection's loop only.
 */
public interface Outbox {
  /**
   * Sends {@code message} to the peer. {@code isReturn}: it is a {@code Return}, which the
   * transport counts against the peer's unread replies (backpressure).
   *
   * @throws RuntimeException if the transport is gone (the core then ends the connection)
   */
  void send(MessageBuilder message, boolean isReturn);

  /**
   * Sends {@code message}, which the peer answers with a {@code Return} (a {@code Call} or a
   * {@code Bootstrap}); {@code awaited} of those sent on this connection await their Return now,
   * this one included: a driver may watch for a lone call's answer more eagerly (see
   * {@code MessageTransport#sendCall}). Default: {@code send(message, false)}.
   *
   * @throws RuntimeException if the transport is gone (the core then ends the connection)
   */
  default void sendCall(MessageBuilder message, int awaited) {
    send(message, false);
  }

  /**
   * Sends the {@code Return} {@code message} (as {@link #send} with {@code isReturn}) and tells
   * whether its memory may be reused at once: true only if the transport copied it out during
   * this call and keeps no reference to it (see {@code MessageTransport#sendReplyReusable}).
   * Default: {@code send(message, true)}, false.
   *
   * @throws RuntimeException if the transport is gone (the core then ends the connection)
   */
  default boolean sendReturnReusable(MessageBuilder message) {
    send(message, true);
    return false;
  }

  /**
   * Sends {@code message} (not a {@code Return}) and tells whether its memory may be reused at
   * once (see {@code MessageTransport#sendReusable}). Default: {@code send(message, false)},
   * false.
   *
   * @throws RuntimeException if the transport is gone (the core then ends the connection)
   */
  default boolean sendReusable(MessageBuilder message) {
    send(message, false);
    return false;
  }

  /**
   * Whether the peer is expected to send a {@code Finish} right after each {@code Return} sent
   * from now on (see {@code MessageTransport#finishFollowsReplies}); called when it changes.
   * Default: ignored.
   */
  default void finishFollowsReturns(boolean expected) {}

  /** Runs {@code action} on the connection's loop after the message being handled. */
  void later(Runnable action);

  /**
   * Runs {@code action} on the connection's loop after {@code delayMillis} (the core keeps no
   * clock); returns what cancels it.
   */
  Runnable schedule(Runnable action, long delayMillis);

  /**
   * The protocol ended with {@code reason}: close the transport (after flushing what was sent)
   * and tell whoever waits for the connection's end. Called once.
   */
  void ended(RpcException reason);
}
