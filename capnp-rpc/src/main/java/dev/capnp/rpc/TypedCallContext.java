package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.PointerFactory;
import java.util.concurrent.CompletionStage;

/** A typed view of a {@link CallContextImpl}. */
final class TypedCallContext<P, R> implements CallContext<P, R> {
  private final CallContextImpl ctx;
  private final PointerFactory<?, P> paramsFactory;
  private final PointerFactory<R, ?> resultsFactory;
  private R results;

  TypedCallContext(CallContextImpl ctx, PointerFactory<?, P> paramsFactory,
      PointerFactory<R, ?> resultsFactory) {
    this.ctx = ctx;
    this.paramsFactory = paramsFactory;
    this.resultsFactory = resultsFactory;
  }

  @Override
  public long interfaceId() {
    return ctx.interfaceId();
  }

  @Override
  public int methodId() {
    return ctx.methodId();
  }

  @Override
  public P getParams() {
    return ctx.getParamsAs(paramsFactory);
  }

  @Override
  public void releaseParams() {
    ctx.releaseParams();
  }

  @Override
  public R getResults() {
    if (results == null) {
      AnyPointer.Builder b = ctx.getResults();
      results = b.isNull() ? b.initAs(resultsFactory) : b.getAs(resultsFactory);
    }
    return results;
  }

  @Override
  public R initResults() {
    results = ctx.getResults().initAs(resultsFactory);
    return results;
  }

  @Override
  public CompletionStage<Void> tailCall(Request<?, ?, ?> request) {
    results = null;
    return ctx.tailCall(request);
  }

  @Override
  public boolean isCanceled() {
    return ctx.isCanceled();
  }

  @Override
  public CompletionStage<Void> whenCanceled() {
    return ctx.whenCanceled();
  }

  @Override
  public <P2, R2> CallContext<P2, R2> typed(PointerFactory<?, P2> p, PointerFactory<R2, ?> r) {
    return ctx.typed(p, r);
  }
}
