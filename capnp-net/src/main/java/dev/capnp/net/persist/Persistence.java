package dev.capnp.net.persist;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.SturdyRef;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.proto.PersistentSchema;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The Cap'n Proto persistence API ({@code persistent.capnp}, interface
 * {@code Persistent @0xc8cb212fcd9f5691}, method {@code save @0}) as the seed library speaks it
 * (spec section 6): {@code save} answers {@code sturdyRef} as a <b>Text</b> holding the full
 * {@code capnp://} URI, secret included; {@code sealFor} is ignored.
 *
 * <ul>
 *   <li>{@link #save} asks any capability for its sturdy URI.
 *   <li>{@link #withSturdyRef}/{@link #withPersistence} wrap a service so that it answers
 *       {@code save} and forwards every other call to the service unchanged.
 *   <li>{@link #dispatchSave} answers {@code Persistent} calls from a server's own
 *       {@code dispatch} (no wrapper, no copy).
 * </ul>
 */
public final class Persistence {
  /** {@code Persistent}'s interface ID. */
  public static final long INTERFACE_ID = PersistentSchema.Persistent.TYPE_ID;
  /** {@code save}'s method ordinal. */
  public static final int SAVE_METHOD = PersistentSchema.Persistent.Methods.SAVE;

  /** {@code save}'s params, untyped type arguments. */
  private static final PersistentSchema.Persistent.SaveParams.Factory<AnyPointer.Builder,
      AnyPointer.Reader, AnyPointer.Builder, AnyPointer.Reader> SAVE_PARAMS =
      PersistentSchema.Persistent.SaveParams.factory(AnyPointer.FACTORY, AnyPointer.FACTORY);
  /** {@code save}'s results, untyped type arguments. */
  private static final PersistentSchema.Persistent.SaveResults.Factory<AnyPointer.Builder,
      AnyPointer.Reader, AnyPointer.Builder, AnyPointer.Reader> SAVE_RESULTS =
      PersistentSchema.Persistent.SaveResults.factory(AnyPointer.FACTORY, AnyPointer.FACTORY);

  private Persistence() {
  }

  /** Supplies the sturdy URI of a service, or fails with an {@link RpcException}. */
  @FunctionalInterface
  public interface SaveHandler {
    /**
     * The URI answered to {@code save} (the stage may fail with the error to return).
     *
     * @return a stage completed with the URI
     */
    CompletionStage<CapnpUri> save();
  }

  /**
   * Calls {@code Persistent.save} on {@code cap} and parses the answered Text as a
   * {@code capnp://} URI. Fails with the call's {@link RpcException} (e.g. {@code Unknown
   * interface 14468694717054801553} when the service is not persistent), or an
   * {@link IllegalArgumentException} when the answer is not a Text holding a valid URI.
   *
   * @param cap the capability to save
   * @return a future completed with the URI
   */
  public static CompletableFuture<CapnpUri> save(Capability cap) {
    return saveText(cap).thenApply(CapnpUri::parse);
  }

  /**
   * Like {@link #save} but returns the URI text as answered, unparsed.
   *
   * @param cap the capability to save
   * @return a future completed with the URI text
   */
  public static CompletableFuture<String> saveText(Capability cap) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req =
        cap.newCall(INTERFACE_ID, SAVE_METHOD);
    req.getParams().initAs(SAVE_PARAMS);
    return req.send().thenApply(Persistence::readSturdyRef);
  }

  private static String readSturdyRef(Response<AnyPointer.Reader> response) {
    try (response) {
      AnyPointer.Reader results = response.get();
      if (results.isNull() || !results.isStruct()) {
        throw new IllegalArgumentException("Persistent.save answered no results struct");
      }
      PersistentSchema.Persistent.SaveResults.Reader<AnyPointer.Reader, AnyPointer.Reader> r =
          results.getAs(SAVE_RESULTS);
      AnyPointer.Reader sr = r.getSturdyRef();
      if (sr.isNull() || !sr.isList()) {
        throw new IllegalArgumentException(
            "Persistent.save answered a sturdyRef that is not a Text");
      }
      return sr.getAs(Text.FACTORY).toString();
    }
  }

  /**
   * Wraps {@code service} (ownership passes to the wrapper) so that {@code Persistent.save}
   * answers {@code ref}'s URI and every other call goes to {@code service}.
   *
   * @param ref the sturdy ref whose URI {@code save} answers
   * @param service the capability to wrap; ownership passes to the wrapper
   * @return the wrapper; the caller owns it
   */
  public static Capability withSturdyRef(SturdyRef ref, Capability service) {
    Objects.requireNonNull(ref, "ref");
    return withPersistence(() -> CompletableFuture.completedFuture(ref.uri()), service);
  }

  /**
   * Wraps {@code service} so that {@code save} answers {@code uri}.
   *
   * @param uri the URI {@code save} answers
   * @param service the capability to wrap; ownership passes to the wrapper
   * @return the wrapper; the caller owns it
   */
  public static Capability withSturdyUri(CapnpUri uri, Capability service) {
    Objects.requireNonNull(uri, "uri");
    return withPersistence(() -> CompletableFuture.completedFuture(uri), service);
  }

  /**
   * Wraps {@code service} (ownership passes to the wrapper) so that {@code Persistent.save} is
   * answered by {@code handler} and every other call goes to {@code service}. The wrapper
   * releases {@code service} when its last reference is released.
   *
   * @param handler answers {@code Persistent.save}
   * @param service the capability to wrap; ownership passes to the wrapper
   * @return the wrapper; the caller owns it
   */
  public static Capability withPersistence(SaveHandler handler, Capability service) {
    return Capability.of(new PersistentWrapper(handler, service));
  }

  /**
   * Answers a call to the {@code Persistent} interface for a server that implements persistence
   * itself: call it from {@code dispatch} when {@code interfaceId == INTERFACE_ID}. Method 0
   * releases the params and answers {@code handler}'s URI; other methods fail
   * {@code Unimplemented "Unknown persistence method N"}.
   *
   * @param handler answers the save
   * @param methodId the called method's ordinal
   * @param context the call's context
   * @return a stage completed when the results are ready
   */
  public static CompletionStage<Void> dispatchSave(SaveHandler handler, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
    context.releaseParams();
    if (methodId != SAVE_METHOD) {
      return CompletableFuture.failedFuture(
          RpcException.unimplemented("Unknown persistence method " + methodId));
    }
    CompletionStage<CapnpUri> uri;
    try {
      uri = handler.save();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return uri.thenAccept(u -> {
      PersistentSchema.Persistent.SaveResults.Builder<AnyPointer.Builder, AnyPointer.Reader,
          AnyPointer.Builder, AnyPointer.Reader> results =
          context.getResults().initAs(SAVE_RESULTS);
      results.getSturdyRef().setAs(Text.FACTORY, new Text.Reader(u.toString()));
    });
  }

  /**
   * Convenience: a {@link SaveHandler} answering {@code uri} from a supplier.
   *
   * @param uri supplies the URI, once per save
   * @return the handler
   */
  public static SaveHandler handler(Supplier<CapnpUri> uri) {
    return () -> CompletableFuture.completedFuture(uri.get());
  }
}
