package dev.capnp.net;

import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * An offline reference to a capability that can be turned into a live one at any time, usually
 * by connecting to the vat named in a {@code capnp://} URI (spec section 7: connections to one
 * vat are shared; a broken connection is replaced on the next {@link #connect()}).
 */
public interface SturdyRef {
  /**
   * A new live capability (the caller owns and must close it).
   *
   * <p>Failing to reach the vat (dial, TLS, key mismatch) completes the future exceptionally with
   * an {@link dev.capnp.rpc.RpcException}. For a remote vat the future completes as soon as the
   * connection is up, before the remote restorer has answered: a restore failure (such as
   * {@value Restorer#UNKNOWN_SERVICE_ID}) then breaks the returned capability, so it is the
   * first call on it (or {@code whenResolved()}) that fails with the restorer's error. A sturdy
   * ref restored in this process (the vat's own, or a restorer table's) fails the future itself.
   *
   * @return the live capability, owned by the caller
   */
  CompletableFuture<Capability> connect();

  /**
   * The URI, if this reference has one (it holds the secret service ID).
   *
   * @return the URI, or {@code null} if this reference has none
   */
  default CapnpUri uri() {
    throw new UnsupportedOperationException("this sturdy ref has no URI");
  }

  /**
   * Connects, runs {@code body} with the live capability and releases it when the stage that
   * {@code body} returns completes (or {@code body} throws).
   *
   * @param <T> the type of {@code body}'s result
   * @param body uses the capability; it must not close it
   * @return a future completed with {@code body}'s result
   */
  default <T> CompletableFuture<T> withCap(
      Function<? super Capability, ? extends CompletionStage<T>> body) {
    return connect().thenCompose(cap -> {
      CompletionStage<T> r;
      try {
        r = body.apply(cap);
      } catch (RuntimeException | Error e) {
        cap.close();
        throw e;
      }
      return r.toCompletableFuture().whenComplete((v, e) -> cap.close());
    });
  }

  /**
   * Blocking variant of {@link #withCap}: connects, runs {@code body} on the calling thread (not
   * on an event loop!) and releases the capability.
   *
   * @param <T> the body's result type
   * @param body what to do with the live capability
   * @return what {@code body} returned
   * @throws dev.capnp.rpc.RpcException itself (not wrapped) when connecting fails
   */
  default <T> T withCapSync(Function<? super Capability, T> body) {
    Capability cap = Await.result(connect());
    try {
      return body.apply(cap);
    } finally {
      cap.close();
    }
  }
}
