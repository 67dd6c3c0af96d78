package dev.capnp.rpc;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking waits that report failures as {@link RpcException} itself, instead of the
 * {@code CompletionException} or {@code ExecutionException} that {@code join()} and {@code get()}
 * wrap around it:
 *
 * <pre>{@code
 * try (var response = Await.result(request.send())) {
 *   ...
 * } catch (RpcException e) {
 *   System.err.println(e.getType() + ": " + e.getReason());
 * }
 * }</pre>
 *
 * <p>The thrown exception has the type and reason of the failure and the original exception as
 * its cause (so the stack trace shows both the waiting thread and where the failure arose).
 * Never call these on an event loop thread: the loop would wait for itself.
 */
public final class Await {
  private Await() {
  }

  /**
   * Waits for {@code stage} and returns its value.
   *
   * @param <T> the value's type
   * @param stage a call's response promise, a {@code SturdyRef.connect()}, ...
   * @return the value the stage completed with
   * @throws RpcException the failure (a cancellation becomes {@code "Call canceled"}); an
   *     interrupt becomes {@code FAILED "Interrupted while waiting"} with the interrupt flag set
   */
  public static <T> T result(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(RpcException.Type.FAILED, "Interrupted while waiting", e);
    } catch (ExecutionException | RuntimeException e) {
      throw rethrown(e);
    }
  }

  /**
   * Waits at most {@code timeout} for {@code stage}.
   *
   * @param <T> the value's type
   * @param stage the stage to wait for
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the value the stage completed with
   * @throws RpcException as {@link #result(CompletionStage)}, or {@code OVERLOADED "Timed out
   *     after N unit"} when the stage is still pending (it is left running)
   */
  public static <T> T result(CompletionStage<T> stage, long timeout, TimeUnit unit) {
    try {
      return stage.toCompletableFuture().get(timeout, unit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(RpcException.Type.FAILED, "Interrupted while waiting", e);
    } catch (TimeoutException e) {
      throw new RpcException(RpcException.Type.OVERLOADED,
          "Timed out after " + timeout + " " + unit.toString().toLowerCase(java.util.Locale.ROOT),
          e);
    } catch (ExecutionException | RuntimeException e) {
      throw rethrown(e);
    }
  }

  /** The failure as an RpcException thrown from the waiting thread. */
  private static RpcException rethrown(Throwable e) {
    RpcException failure = RpcException.of(e);
    return new RpcException(failure.getType(), failure.getReason(), failure);
  }
}
