package dev.capnp.rpc.interop;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.StreamingCallContext;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.TextList;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Java implementation of interop.capnp's {@code TestService} (the C++ client's peer), with
 * exactly the semantics the schema specifies. One instance per connection; every handler runs on
 * the connection's event loop.
 */
final class JavaTestService extends Interop.TestService.Server {
  private Interop.Callback.Client held;
  private CompletableFuture<Capability> pendingPromise;
  private Interop.Callback.Client pendingTarget;
  private final Set<Integer> canceled = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  /** The most recent sink made by newSink (loop-confined). */
  private ByteSinkImpl sink;

  /** Completes when the last reference to this service is gone. */
  CompletableFuture<Void> released() {
    return released;
  }

  /** Releases what this object still holds (held callback, pending promise target). */
  @Override
  protected void onRelease() {
    released.complete(null);
    if (held != null) {
      held.close();
      held = null;
    }
    if (pendingTarget != null) {
      pendingPromise.completeExceptionally(RpcException.disconnected("service released"));
      pendingTarget.close();
      pendingTarget = null;
    }
  }

  @Override
  protected CompletionStage<Void> echo(CallContext<Interop.TestService.EchoParams.Reader,
      Interop.TestService.EchoResults.Builder> context) {
    context.getResults().setText(context.getParams().getText());
    return done();
  }

  @Override
  protected CompletionStage<Void> add(CallContext<Interop.TestService.AddParams.Reader,
      Interop.TestService.AddResults.Builder> context) {
    Interop.TestService.AddParams.Reader params = context.getParams();
    context.getResults().setSum(params.getA() + params.getB());
    return done();
  }

  @Override
  protected CompletionStage<Void> getCallee(CallContext<Interop.TestService.GetCalleeParams.Reader,
      Interop.TestService.GetCalleeResults.Builder> context) {
    return after(context.getParams().getDelayMs(), () -> {
      try (Capability callee =
          Capability.of(new CalleeImpl(context.getParams().getName().toString()))) {
        context.getResults().setCallee(callee);
      }
    });
  }

  @Override
  protected CompletionStage<Void> getHolder(CallContext<Interop.TestService.GetHolderParams.Reader,
      Interop.TestService.GetHolderResults.Builder> context) {
    return after(context.getParams().getDelayMs(), () -> {
      String name = context.getParams().getName().toString();
      Interop.CalleeHolder.Builder holder = context.getResults().initHolder();
      holder.setLabel(name);
      try (Capability callee = Capability.of(new CalleeImpl(name))) {
        holder.getInner().setCallee(callee);
      }
    });
  }

  /** Runs {@code action} on this (the current) event loop after {@code delayMs} milliseconds. */
  private static CompletionStage<Void> after(int delayMs, Runnable action) {
    EventLoop loop = EventLoop.current();
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(Integer.toUnsignedLong(delayMs), TimeUnit.MILLISECONDS)
        .execute(() -> loop.execute(() -> {
          try {
            action.run();
            done.complete(null);
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        }));
    return done;
  }

  @Override
  protected CompletionStage<Void> getCounter(
      CallContext<Interop.TestService.GetCounterParams.Reader,
          Interop.TestService.GetCounterResults.Builder> context) {
    try (Capability counter = Capability.of(new CounterImpl())) {
      context.getResults().setCounter(counter);
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> callBack(CallContext<Interop.TestService.CallBackParams.Reader,
      Interop.TestService.CallBackResults.Builder> context) {
    Interop.TestService.CallBackParams.Reader params = context.getParams();
    Interop.Callback.Client cb = params.getCb();
    String text = params.getText().toString();
    int times = params.getTimes();
    List<String> replies = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < times; i++) {
      int seq = i;
      chain = chain.thenCompose(ignored -> {
        var request = cb.callRequest();
        request.getParams().setSeq(seq);
        request.getParams().setText(text + "#" + seq);
        return request.send().thenAccept(response -> {
          try (response) {
            replies.add(response.get().getText().toString());
          }
        });
      });
    }
    return chain.whenComplete((ignored, error) -> cb.close()).thenRun(() -> {
      TextList.Builder texts = context.getResults().initTexts(replies.size());
      for (int i = 0; i < replies.size(); i++) {
        texts.set(i, replies.get(i));
      }
    });
  }

  @Override
  protected CompletionStage<Void> hold(CallContext<Interop.TestService.HoldParams.Reader,
      Interop.TestService.HoldResults.Builder> context) {
    Interop.Callback.Client previous = held;
    held = context.getParams().getCb();
    if (previous != null) {
      previous.close();
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> callHeld(CallContext<Interop.TestService.CallHeldParams.Reader,
      Interop.TestService.CallHeldResults.Builder> context) {
    if (held == null) {
      return CompletableFuture.failedFuture(RpcException.failed("callHeld: no callback is held"));
    }
    var request = held.callRequest();
    request.getParams().setSeq(context.getParams().getSeq());
    request.getParams().setText(context.getParams().getText());
    return request.send().thenAccept(response -> {
      try (response) {
        context.getResults().setText(response.get().getText());
      }
    });
  }

  @Override
  protected CompletionStage<Void> releaseHeld(
      CallContext<Interop.TestService.ReleaseHeldParams.Reader,
          Interop.TestService.ReleaseHeldResults.Builder> context) {
    if (held != null) {
      held.close();
      held = null;
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> reflect(CallContext<Interop.TestService.ReflectParams.Reader,
      Interop.TestService.ReflectResults.Builder> context) {
    try (Interop.Callback.Client cb = context.getParams().getCb()) {
      context.getResults().setCb(cb);
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> promiseCallback(
      CallContext<Interop.TestService.PromiseCallbackParams.Reader,
          Interop.TestService.PromiseCallbackResults.Builder> context) {
    if (pendingTarget != null) {
      pendingPromise.completeExceptionally(RpcException.failed("superseded"));
      pendingTarget.close();
    }
    pendingPromise = new CompletableFuture<>();
    pendingTarget = context.getParams().getCb();
    try (Capability promise = Capability.promise(pendingPromise)) {
      context.getResults().setCb(promise);
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> resolvePromise(
      CallContext<Interop.TestService.ResolvePromiseParams.Reader,
          Interop.TestService.ResolvePromiseResults.Builder> context) {
    if (pendingTarget == null) {
      return CompletableFuture.failedFuture(
          RpcException.failed("resolvePromise: no promiseCallback is pending"));
    }
    CompletableFuture<Capability> promise = pendingPromise;
    Interop.Callback.Client target = pendingTarget;
    pendingPromise = null;
    pendingTarget = null;
    promise.complete(target.capability().dup());
    target.close();
    return done();
  }

  @Override
  protected CompletionStage<Void> forward(CallContext<Interop.TestService.ForwardParams.Reader,
      Interop.CallReply.Builder> context) {
    Interop.TestService.ForwardParams.Reader params = context.getParams();
    try (Interop.Callback.Client cb = params.getCb()) {
      var request = cb.callRequest();
      request.getParams().setSeq(params.getSeq());
      request.getParams().setText(params.getText());
      return context.tailCall(request);
    }
  }

  @Override
  protected CompletionStage<Void> forwardLocal(
      CallContext<Interop.TestService.ForwardLocalParams.Reader,
          Interop.TextReply.Builder> context) {
    try (Interop.Callee.Client local =
        new Interop.Callee.Client(Capability.of(new CalleeImpl("local")))) {
      var request = local.echoRequest();
      request.getParams().setText(context.getParams().getText());
      return context.tailCall(request);
    }
  }

  @Override
  protected CompletionStage<Void> slow(CallContext<Interop.TestService.SlowParams.Reader,
      Interop.TestService.SlowResults.Builder> context) {
    int id = context.getParams().getId();
    // Never completes on its own; when the caller cancels, record it and end the handler.
    CompletableFuture<Void> never = new CompletableFuture<>();
    context.whenCanceled().thenRun(() -> {
      canceled.add(id);
      never.cancel(false);
    });
    return never;
  }

  @Override
  protected CompletionStage<Void> wasCanceled(
      CallContext<Interop.TestService.WasCanceledParams.Reader,
          Interop.TestService.WasCanceledResults.Builder> context) {
    context.getResults().setCanceled(canceled.contains(context.getParams().getId()));
    return done();
  }

  @Override
  protected CompletionStage<Void> fail(CallContext<Interop.TestService.FailParams.Reader,
      Interop.TestService.FailResults.Builder> context) {
    Interop.TestService.FailParams.Reader params = context.getParams();
    RpcException.Type type = switch (params.getType()) {
      case OVERLOADED -> RpcException.Type.OVERLOADED;
      case DISCONNECTED -> RpcException.Type.DISCONNECTED;
      case UNIMPLEMENTED -> RpcException.Type.UNIMPLEMENTED;
      default -> RpcException.Type.FAILED;
    };
    return CompletableFuture.failedFuture(new RpcException(type, params.getReason().toString()));
  }

  @Override
  protected CompletionStage<Void> bigEcho(CallContext<Interop.TestService.BigEchoParams.Reader,
      Interop.TestService.BigEchoResults.Builder> context) {
    Interop.TestService.BigEchoParams.Reader params = context.getParams();
    long checksum = InteropValues.fnv1a64(params.getData().asByteBuffer());
    String text = InteropValues.reversed(params.getText().toString());
    int reply = params.getReply();
    context.releaseParams();
    Interop.TestService.BigEchoResults.Builder results = context.getResults();
    results.setChecksum(checksum);
    results.setText(text);
    Data.Builder data = results.initData(reply);
    ByteBuffer out = data.asByteBuffer();
    for (int i = 0; i < reply; i++) {
      out.put(out.position() + i, InteropValues.replyByte(i));
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> newSink(CallContext<Interop.TestService.NewSinkParams.Reader,
      Interop.TestService.NewSinkResults.Builder> context) {
    Interop.TestService.NewSinkParams.Reader params = context.getParams();
    sink = new ByteSinkImpl(params.getDelayMs(), params.getHoldFirst());
    try (var client = new Interop.ByteSink.Client(Capability.of(sink))) {
      context.getResults().setSink(client);
    }
    return done();
  }

  @Override
  protected CompletionStage<Void> releaseSink(CallContext<
      Interop.TestService.ReleaseSinkParams.Reader,
      Interop.TestService.ReleaseSinkResults.Builder> context) {
    CompletableFuture<Void> h = sink == null ? null : sink.held;
    if (h == null || h.isDone()) {
      return CompletableFuture.failedFuture(
          RpcException.failed("releaseSink: no write is being held"));
    }
    h.complete(null);
    return done();
  }

  @Override
  protected CompletionStage<Void> useCallee(CallContext<
      Interop.TestService.UseCalleeParams.Reader,
      Interop.TestService.UseCalleeResults.Builder> context) {
    Interop.TestService.UseCalleeParams.Reader params = context.getParams();
    Interop.Callee.Client callee = params.getCallee();
    var request = callee.echoRequest();
    request.getParams().setText(params.getText());
    return request.send().thenAccept(response -> {
      try (response) {
        context.getResults().setText(response.get().getText());
      }
    }).whenComplete((ignored, error) -> callee.close());
  }

  /**
   * interop.capnp's ByteSink: the streaming calls run one at a time (the RPC layer's stream gate),
   * which {@code overlapped} checks; writes complete after {@code delayMs}, the first one of a
   * holdFirst sink when releaseSink is called.
   */
  static final class ByteSinkImpl extends Interop.ByteSink.Server {
    private final int delayMs;
    private final boolean holdFirst;
    private int writes;
    private long bytes;
    private long checksum = InteropValues.FNV_OFFSET;
    private boolean inOrder = true;
    private boolean overlapped;
    private boolean inProgress;
    /** The held first write (completed by releaseSink), or null. */
    volatile CompletableFuture<Void> held;

    ByteSinkImpl(int delayMs, boolean holdFirst) {
      this.delayMs = delayMs;
      this.holdFirst = holdFirst;
    }

    @Override
    protected CompletionStage<Void> write(
        StreamingCallContext<Interop.ByteSink.WriteParams.Reader> context) {
      Interop.ByteSink.WriteParams.Reader params = context.getParams();
      if (inProgress) {
        overlapped = true;
      }
      inProgress = true;
      if (params.getSeq() != writes) {
        inOrder = false;
      }
      writes++;
      bytes += params.getData().size();
      checksum = InteropValues.fnv1a64(checksum, params.getData().asByteBuffer());
      CompletableFuture<Void> wait = new CompletableFuture<>();
      if (holdFirst && writes == 1) {
        held = wait;
      } else {
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
            .execute(() -> wait.complete(null));
      }
      EventLoop loop = EventLoop.current();
      // back on the loop before the next write may start (inProgress is loop-confined)
      return wait.thenRunAsync(() -> inProgress = false, loop);
    }

    @Override
    protected CompletionStage<Void> fail(
        StreamingCallContext<Interop.ByteSink.FailParams.Reader> context) {
      return CompletableFuture.failedFuture(
          RpcException.failed(context.getParams().getReason().toString()));
    }

    @Override
    protected CompletionStage<Void> done_(CallContext<Interop.ByteSink.DoneParams.Reader,
        Interop.ByteSink.DoneResults.Builder> context) {
      Interop.ByteSink.DoneResults.Builder results = context.getResults();
      results.setWrites(writes);
      results.setBytes(bytes);
      results.setChecksum(checksum);
      results.setInOrder(inOrder);
      results.setOverlapped(overlapped);
      return done();
    }
  }

  /** interop.capnp's Callee: echo answers name + ":" + text; child appends "/" + name. */
  static final class CalleeImpl extends Interop.Callee.Server {
    private final String name;

    CalleeImpl(String name) {
      this.name = name;
    }

    @Override
    protected CompletionStage<Void> echo(
        CallContext<Interop.Callee.EchoParams.Reader, Interop.TextReply.Builder> context) {
      context.getResults().setText(name + ":" + context.getParams().getText());
      return done();
    }

    @Override
    protected CompletionStage<Void> child(CallContext<Interop.Callee.ChildParams.Reader,
        Interop.Callee.ChildResults.Builder> context) {
      try (Capability child =
          Capability.of(new CalleeImpl(name + "/" + context.getParams().getName()))) {
        context.getResults().setChild(child);
      }
      return done();
    }

    @Override
    protected CompletionStage<Void> name(CallContext<Interop.Callee.NameParams.Reader,
        Interop.Callee.NameResults.Builder> context) {
      context.getResults().setName(name);
      return done();
    }
  }

  /** interop.capnp's Counter: returns its count, then increments it. */
  static final class CounterImpl extends Interop.Counter.Server {
    private int count;

    @Override
    protected CompletionStage<Void> next(CallContext<Interop.Counter.NextParams.Reader,
        Interop.Counter.NextResults.Builder> context) {
      context.getResults().setGot(count++);
      return done();
    }
  }
}
