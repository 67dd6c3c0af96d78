package dev.capnp.rpc;

import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.Durations;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A call being prepared: fill {@link #getParams()} (capabilities are written with
 * {@link Capability#writeTo}), then {@link #send()} once. Untyped requests have
 * {@code P = AnyPointer.Builder}, {@code R = AnyPointer.Reader}, {@code L = Pipeline}.
 *
 * @param <P> params builder type
 * @param <R> results reader type
 * @param <L> pipeline type
 */
public final class Request<P, R, L> {
  private ClientHook target;
  final CallParams params;
  private final PointerFactory<P, ?> paramsFactory;
  private final PointerFactory<?, R> resultsFactory;
  private final Function<Pipeline, L> pipelineFactory;
  private P paramsBuilder;

  Request(ClientHook target, long interfaceId, short methodId, PointerFactory<P, ?> paramsFactory,
      PointerFactory<?, R> resultsFactory, Function<Pipeline, L> pipelineFactory) {
    this.target = target;
    this.params = CallParams.outgoing(interfaceId, methodId);
    this.paramsFactory = paramsFactory;
    this.resultsFactory = resultsFactory;
    this.pipelineFactory = pipelineFactory;
  }

  /**
   * The params, initialised on first use.
   *
   * @return the params builder
   */
  @SuppressWarnings("unchecked")
  public P getParams() {
    checkNotSent();
    if (paramsBuilder == null) {
      AnyPointer.Builder b = params.builder();
      paramsBuilder = paramsFactory == AnyPointer.FACTORY ? (P) b : b.initAs(paramsFactory);
    }
    return paramsBuilder;
  }

  /**
   * The interface id.
   *
   * @return the 64-bit id of the method's interface
   */
  public long interfaceId() {
    return params.interfaceId;
  }

  /**
   * The method ordinal.
   *
   * @return the method's ordinal within its interface
   */
  public int methodId() {
    return params.methodId;
  }

  private void checkNotSent() {
    if (target == null) {
      throw new IllegalStateException("request already sent");
    }
  }

  /** Hands the target and params over to whoever sends them. */
  ClientHook takeTarget() {
    checkNotSent();
    if (paramsBuilder == null) {
      getParams();
    }
    ClientHook t = target;
    target = null;
    return t;
  }

  /**
   * Sends the request. The result is a promise of the response that is also a pipeline:
   * capabilities in the promised results can be called at once.
   *
   * @return the promise of the response, also a pipeline
   */
  public ResponsePromise<R, L> send() {
    ClientHook t = takeTarget();
    ResponsePromise<R, L> rp = new ResponsePromise<>(t.loop, resultsFactory, pipelineFactory);
    if (t.loop.inLoop()) {
      startCall(t, rp); // (on the loop: no task object per call)
    } else {
      t.loop.execute(() -> startCall(t, rp));
    }
    return rp;
  }

  /** Starts the call on {@code t} and connects {@code rp} to it (on the target's loop). */
  private void startCall(ClientHook t, ResponsePromise<R, L> rp) {
    CallResult cr;
    try {
      cr = t.call(params);
    } catch (RuntimeException e) {
      cr = CallResult.broken(t.loop, RpcException.of(e));
    }
    t.release();
    rp.attach(cr);
  }

  /**
   * Sends the request and hands its outcome to {@code listener}, once, on the event loop of the
   * capability called: the cheapest way to make a call whose results are all the caller needs.
   * There is no promise and no pipeline; over a connection the protocol core makes no object
   * for the call (issue 12). The response is the listener's only while it runs and is released
   * when it returns (see {@link ResponseListener}). Use {@link #send()} to pipeline on the
   * results, to cancel the call, or to wait for it.
   *
   * @param listener called once with the response or the failure
   */
  public void send(ResponseListener<R> listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    ClientHook t = takeTarget();
    Delivery<R> d = new Delivery<>(resultsFactory, t.loop, listener);
    if (t.loop.inLoop()) {
      startCall(t, d); // (on the loop: no task object per call)
    } else {
      t.loop.execute(() -> startCall(t, d));
    }
  }

  /** Starts the call on {@code t} for {@code d} (on the target's loop). */
  private void startCall(ClientHook t, Delivery<R> d) {
    try {
      t.callForResults(params, d);
    } catch (RuntimeException e) {
      d.accept(null, e);
    } finally {
      t.release();
    }
  }

  /**
   * Hands a call's outcome to a {@link ResponseListener} (at most once); what the listener
   * throws is logged.
   */
  private static final class Delivery<R>
      implements java.util.function.BiConsumer<dev.capnp.rpc.internal.Results, Throwable> {
    private final PointerFactory<?, R> factory;
    private final EventLoop loop;
    private ResponseListener<R> listener;

    Delivery(PointerFactory<?, R> factory, EventLoop loop, ResponseListener<R> listener) {
      this.factory = factory;
      this.loop = loop;
      this.listener = listener;
    }

    @Override
    public void accept(dev.capnp.rpc.internal.Results results, Throwable failure) {
      ResponseListener<R> l = listener;
      if (l == null) {
        return;
      }
      listener = null;
      try {
        if (results != null) {
          l.onComplete(new Response<>(results, factory, loop), null);
        } else {
          l.onComplete(null, RpcException.of(failure));
        }
      } catch (RuntimeException e) {
        // the listener's own bug: logged, as a promise's dependents' are dropped, so that it
        // never reaches whoever completed the call (a local call's context, the connection)
        Capability.LOG.warn("A response listener threw", e);
      }
    }
  }

  /**
   * Sends the request with a deadline: if no result has arrived {@code timeout} after this call,
   * the promise fails with a {@code FAILED} {@link RpcException} saying the deadline was
   * exceeded, and the callee is told the caller no longer waits (a remote call sends
   * {@code Finish}, which lets the callee cancel the call). A result arriving in time completes
   * it as {@link #send()} does. The timer runs on the capability's event loop.
   *
   * @param timeout the deadline, measured from this call
   * @return the promise of the response, also a pipeline
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public ResponsePromise<R, L> send(java.time.Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    EventLoop home = target == null ? null : target.loop;
    long interfaceId = params.interfaceId;
    int methodId = params.methodId;
    ResponsePromise<R, L> rp = send();
    java.util.concurrent.ScheduledFuture<?> timer = home.schedule(() -> rp.abandon(
        RpcException.failed("Deadline exceeded: no result within "
            + Durations.describeMillis(timeout.toMillis()) + " (interface 0x" + Long.toHexString(interfaceId) + ", method " + methodId
            + ")")), timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    rp.whenComplete((r, e) -> timer.cancel(false));
    return rp;
  }

  /**
   * Sends the request as a streaming call (the way {@code -> stream} methods are called; see
   * {@link StreamingRequest}). Over a connection the call goes out at once, in order with the
   * other calls to the capability; the result completes when the stream's flow controller has
   * room for the next call (a local call: when this one completed). It fails when this call or an
   * earlier streaming call to the capability failed: a stream is broken by its first failure.
   * The call's results are discarded. Completes on the capability's event loop; cancelling the
   * result does not cancel the call.
   *
   * @return a future completed when the next streaming call may be sent
   */
  public CompletableFuture<Void> sendStreaming() {
    ClientHook t = takeTarget();
    CompletableFuture<Void> signal = new CompletableFuture<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    params.streamReady = signal;
    EventLoop home = t.loop;
    signal.whenComplete((v, e) -> home.run(() -> {
      if (e != null) {
        ready.completeExceptionally(RpcException.of(e));
      } else {
        ready.complete(null);
      }
    }));
    home.run(() -> {
      CallResult cr;
      try {
        cr = t.call(params);
      } catch (RuntimeException e) {
        cr = CallResult.broken(home, RpcException.of(e));
      }
      t.release();
      cr.pipeline().release();
      cr.promise().whenComplete((r, e) -> {
        if (r != null) {
          r.release();
        }
        if (!params.streamFlowTaken) {
          if (e != null) {
            signal.completeExceptionally(RpcException.of(e));
          } else {
            signal.complete(null);
          }
        }
      });
    });
    return ready;
  }

  /** Releases the request without sending it. */
  public void discard() {
    ClientHook t = takeTarget();
    t.loop.run(() -> {
      params.release();
      t.release();
    });
  }
}
