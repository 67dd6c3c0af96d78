package dev.capnp.rpc.transport;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;

/**
 * Moves whole Cap'n Proto messages between two vats, in order. The RPC connection calls
 * {@link #send} on its event loop; the transport delivers incoming messages to the
 * {@link Receiver} from any thread (the connection hops onto its loop).
 *
 * <p>Backpressure (optional for a transport; the vats' network transports implement it): the
 * connection asks the transport to {@link #pauseReading() stop} delivering messages while it
 * has too many received messages still to handle, and to {@link #resumeReading() resume} once
 * they have drained; the transport itself stops reading while the peer leaves too many of the
 * replies sent with {@link #sendReply} unread. A transport that stops reading lets the
 * operating system's flow control (a full TCP window) stop the peer.
 */
public interface MessageTransport extends AutoCloseable {
  /**
   * Queues {@code message} for sending; ownership passes to the transport.
   *
   * @param message the message to send, not to be used by the caller afterwards
   */
  void send(MessageBuilder message);

  /**
   * Queues a reply to the peer (a {@code Return}); ownership passes to the transport. A
   * transport with backpressure counts these until they are written, and stops reading from a
   * peer that leaves more than its limit of them unread. Default: {@link #send}.
   *
   * @param message the reply to send, not to be used by the caller afterwards
   */
  default void sendReply(MessageBuilder message) {
    send(message);
  }

  /**
   * Queues a message that the peer answers (a {@code Call} or a {@code Bootstrap}); ownership
   * passes to the transport. A transport may watch for the answer more eagerly after it wrote
   * such a message: the vats' network transports let their loop poll a short while before it
   * sleeps for the answer of a lone call ({@code awaited} 1), as a caller that chains its calls
   * one at a time makes (issue 12). The protocol core calls it on the connection's loop.
   * Default: {@link #send}.
   *
   * @param message the message to send, not to be used by the caller afterwards
   * @param awaited how many of the calls and bootstraps sent on this connection await their
   *     answer now, this one included
   */
  default void sendCall(MessageBuilder message, int awaited) {
    send(message);
  }

  /**
   * Queues a reply like {@link #sendReply}, and tells whether the transport is already done
   * with {@code message}: {@code true} means that it copied what it needs (the frame's bytes)
   * during this call and keeps no reference to the message, its segments or anything read from
   * them, so that the caller may {@link MessageBuilder#reset() reset} the message and build
   * another one in its memory. {@code false} (the default, and the only safe answer for a
   * transport that hands the message itself to its peer, like {@link InMemoryTransport}, or
   * queues it for another thread) means that ownership passed to the transport as with
   * {@link #sendReply}.
   *
   * <p>The protocol core uses this for the {@code Return}s it may reuse (issue 12); it calls it
   * on the connection's loop. A transport must answer {@code true} only when the copy really
   * happened before returning: a wrong {@code true} lets a later {@code Return} overwrite this
   * one before it is written.
   *
   * @param message the reply to send
   * @return true if the caller may reuse {@code message} at once, false if it must not touch it
   *     again
   */
  default boolean sendReplyReusable(MessageBuilder message) {
    sendReply(message);
    return false;
  }

  /**
   * Sends {@code message} like {@link #send}, and tells whether the transport is already done
   * with it, with the same contract as {@link #sendReplyReusable} ({@code true}: copied out
   * during this call, no reference kept, the caller may build another message in its memory).
   * The protocol core uses it for the {@code Finish} messages it reuses (issue 12), on the
   * connection's loop. Default: {@link #send}, false.
   *
   * @param message the message to send
   * @return true if the caller may reuse {@code message} at once, false if it must not touch it
   *     again
   */
  default boolean sendReusable(MessageBuilder message) {
    send(message);
    return false;
  }

  /**
   * A hint for the replies sent from now on: whether the peer is expected to answer each one at
   * once with a message of its own, its {@code Finish} for that {@code Return} (true until told
   * otherwise). A transport may give its thread away for a moment after such a reply, so that a
   * peer that writes its {@code Finish} and its next call separately finds it awake for both; a
   * reply the peer will not finish (a {@code Return} that said {@code noFinishNeeded} to a peer
   * that honours it) gains nothing from that. The protocol core calls this on the connection's
   * loop when the answer changes (issue 12). Default: ignored.
   *
   * @param expected whether a {@code Finish} is expected right after each reply
   */
  default void finishFollowsReplies(boolean expected) {}

  /**
   * Stops delivering incoming messages until {@link #resumeReading()} (messages already decoded
   * may still arrive). Callable from any thread; calls are idempotent, and the last of
   * {@code pauseReading}/{@code resumeReading} made wins. Default: ignored.
   */
  default void pauseReading() {}

  /** Resumes delivering incoming messages after {@link #pauseReading()}. Default: ignored. */
  default void resumeReading() {}

  /**
   * Starts delivering incoming messages to {@code receiver}.
   *
   * @param receiver what gets the incoming messages and the end of the transport
   */
  void start(Receiver receiver);

  /** Closes the transport (pending output is flushed where possible). */
  @Override
  void close();

  /** Receives what arrives on a transport. */
  interface Receiver {
    /**
     * One incoming message.
     *
     * @param message the message, owned by the receiver from now on
     */
    void onMessage(MessageReader message);

    /**
     * The transport ended.
     *
     * @param cause why, or null for a clean end of stream
     */
    void onClosed(Throwable cause);
  }
}
