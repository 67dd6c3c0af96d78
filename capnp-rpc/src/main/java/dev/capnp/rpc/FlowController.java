package dev.capnp.rpc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Flow control of one stream: the streaming calls ({@code -> stream} methods) made on one
 * capability over one connection. The connection sends every streaming call at once, in order
 * with the other calls to the capability (flow control never delays or reorders a message), then
 * reports it here; the future returned by {@link #send} tells the caller when it is a good time to
 * make the next streaming call. That is how bytes in flight are bounded: a writer that waits for
 * each future before writing again never has much more than a window of data unacknowledged.
 *
 * <p>The first failed acknowledgement breaks the stream: calls blocked in {@link #send}, and every
 * later one, fail with that exception.
 *
 * <p>Implementations are confined to the connection's event loop (not thread-safe). Get them from
 * a {@link StreamFlowControl}.
 */
public interface FlowController {
  /**
   * Records a streaming call of {@code messageBytes} bytes that was just sent; {@code ack}
   * completes when its {@code Return} arrives (exceptionally if the call failed). The result
   * completes when the next streaming call may be sent, or fails once the stream is broken.
   *
   * @param messageBytes the size of the sent call message in bytes
   * @param ack completes when the call's {@code Return} arrives
   * @return a future completed when the next streaming call may be sent
   */
  CompletableFuture<Void> send(long messageBytes, CompletionStage<?> ack);

  /**
   * Completes when every call reported so far has been acknowledged; fails with the stream's
   * exception if it broke.
   *
   * @return a future completed once all sent calls are acknowledged
   */
  CompletableFuture<Void> waitAllAcked();

  /**
   * Bytes sent and not acknowledged yet (a diagnostic).
   *
   * @return the unacknowledged bytes
   */
  long bytesInFlight();

  /**
   * The current window in bytes (a diagnostic; adaptive controllers change it).
   *
   * @return the window in bytes
   */
  long window();
}
