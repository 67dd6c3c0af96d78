package dev.capnp.rpc;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The bookkeeping shared by window-based flow controllers: bytes in flight, senders waiting for
 * room, the stream's failure, waiters for the last acknowledgement. Subclasses say how big the
 * window is and may watch sends and acknowledgements to size it.
 *
 * <p>A stream is ready for the next call while the bytes in flight are below the window plus the
 * largest message seen (or at most one such message): a message larger than the window then does
 * not leave the stream idle for a round trip.
 */
abstract class WindowedStream implements FlowController {
  private long inFlight;
  private int unacked;
  private long maxMessage;
  private RpcException broken;
  private ArrayList<CompletableFuture<Void>> blocked;
  private CompletableFuture<Void> allAcked;

  /** The current window in bytes. */
  @Override
  public abstract long window();

  /**
   * Called after a send was counted (the bytes are already in flight); returns what
   * {@link #onAck} needs to know about it later (may be null).
   */
  Object onSend(long bytes) {
    return null;
  }

  /** Called when a send was acknowledged successfully (the bytes already left the flight). */
  void onAck(long bytes, Object sendState) {
  }

  @Override
  public final CompletableFuture<Void> send(long messageBytes, CompletionStage<?> ack) {
    if (messageBytes < 0) {
      throw new IllegalArgumentException("negative message size: " + messageBytes);
    }
    maxMessage = Math.max(maxMessage, messageBytes);
    inFlight += messageBytes;
    unacked++;
    Object state = onSend(messageBytes);
    ack.whenComplete((v, e) -> acknowledged(messageBytes, state, e));
    if (broken != null) {
      return CompletableFuture.failedFuture(broken);
    }
    if (isReady()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (blocked == null) {
      blocked = new ArrayList<>();
    }
    blocked.add(f);
    return f;
  }

  private void acknowledged(long bytes, Object state, Throwable e) {
    inFlight -= bytes;
    unacked--;
    if (e == null) {
      onAck(bytes, state);
    }
    if (e != null && broken == null) {
      broken = RpcException.of(e);
      release(broken);
    } else if (broken == null && isReady()) {
      release(null);
    }
    if (unacked == 0 && allAcked != null) {
      CompletableFuture<Void> f = allAcked;
      allAcked = null;
      complete(f, broken);
    }
  }

  private void release(RpcException failure) {
    ArrayList<CompletableFuture<Void>> b = blocked;
    if (b == null || b.isEmpty()) {
      return;
    }
    blocked = null;
    for (CompletableFuture<Void> f : b) {
      complete(f, failure);
    }
  }

  private static void complete(CompletableFuture<Void> f, RpcException failure) {
    if (failure != null) {
      f.completeExceptionally(failure);
    } else {
      f.complete(null);
    }
  }

  /** Whether the stream has room for another call now. */
  final boolean isReady() {
    return inFlight <= maxMessage || inFlight < window() + maxMessage;
  }

  @Override
  public final CompletableFuture<Void> waitAllAcked() {
    if (unacked == 0) {
      return broken != null ? CompletableFuture.failedFuture(broken)
          : CompletableFuture.completedFuture(null);
    }
    if (allAcked == null) {
      allAcked = new CompletableFuture<>();
    }
    return allAcked;
  }

  @Override
  public final long bytesInFlight() {
    return inFlight;
  }

  /** The stream's failure, or null. */
  final RpcException broken() {
    return broken;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(inFlight=" + inFlight + ", window=" + window()
        + (broken != null ? ", broken: " + broken.getMessage() : "") + ")";
  }
}
