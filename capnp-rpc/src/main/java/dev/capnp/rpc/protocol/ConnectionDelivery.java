package dev.capnp.rpc.protocol;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.PipelineHook;
import dev.capnp.rpc.internal.PostReturnPipeline;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.internal.Results;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * How the protocol core reaches the capability layer, and the layer reaches the core: part of
 * the driver. It delivers the peer's calls to our capabilities and turns their completion (a
 * future of the capability layer, completing on any thread) into the core's local event
 * {@link AnswerTable#completed}; it makes the hooks the core hands out (broken, queued, bridged
 * capabilities, pipelines); and it turns our calls on the peer's capabilities into questions
 * ({@link #call}), with the caller's promise whose cancellation is the core's local event
 * {@link QuestionTable#callerCanceled}. So the core itself holds no event loop and no future.
 *
 * <p>Threading: everything here runs on {@link #loop}; future callbacks hop onto it.
 */
public final class ConnectionDelivery {
  final EventLoop loop;
  private RpcProtocol protocol;

  public ConnectionDelivery(EventLoop loop) {
    this.loop = loop;
  }

  /** Connects this to the core it serves (once, at construction). */
  public void attach(RpcProtocol core) {
    this.protocol = core;
  }

  // ======================================================================== hooks made

  ClientHook broken(RpcException e) {
    return new BrokenClient(loop, e);
  }

  ClientHook nullCap() {
    return BrokenClient.nullCap(loop);
  }

  /** A promise that queues calls until {@link QueuedClient#resolve} (one reference). */
  QueuedClient queued(String what) {
    return new QueuedClient(loop, what);
  }

  /** Whether {@code h} belongs to another event loop than the connection's. */
  boolean isForeign(ClientHook h) {
    return h.loop != loop;
  }

  /** {@code owned}, a hook of another loop, made usable on this one (see CrossLoopClient). */
  ClientHook bind(ClientHook owned) {
    return CrossLoopClient.bind(loop, owned);
  }

  PipelineHook resolvedPipeline(Results r) {
    return PipelineHook.resolved(r, loop);
  }

  PipelineHook brokenPipeline(RpcException e) {
    return PipelineHook.broken(loop, e);
  }

  /** The pipeline of an answer once returned, with some paths pinned (PostReturnPipeline). */
  PipelineHook pinned(PipelineHook inner, Results res, Map<ClientHook, ClientHook> pins) {
    return new PostReturnPipeline(loop, protocol, inner, res, pins);
  }

  /** Runs {@code action} once {@code promise} has resolved further. */
  void whenMoreResolved(ClientHook promise, Runnable action) {
    promise.whenMoreResolved().whenComplete((v, x) -> loop.run(action));
  }

  // ================================================================ the peer's calls to us

  /**
   * Delivers a call of the peer (answer {@code a}) to {@code target} (owned); its completion
   * comes back as {@link AnswerTable#completed}.
   */
  void deliver(AnswerTable.Answer a, ClientHook target, CallParams params) {
    CallResult r;
    try {
      r = target.call(params);
    } catch (RuntimeException e) {
      r = CallResult.broken(loop, RpcException.of(e));
    }
    target.release();
    a.pipeline = r.pipeline();
    CompletableFuture<Results> promise = r.promise();
    a.running = promise;
    if (promise.isDone() && !promise.isCompletedExceptionally()) {
      // answered at once (a local call that completed in call()): what whenComplete would do
      // now, on this thread, without its callback and its new future
      protocol.answers.completed(a, promise.join(), null);
      return;
    }
    // the answer itself listens (no callback, stage and future per call; issue 12), if the
    // call result takes one listener (a local call's promise, a question of another
    // connection), else whenComplete
    if (!r.listenOnce(a)) {
      promise.whenComplete(a);
    }
  }

  /**
   * The call delivered for answer {@code a} completed (on any thread: the answer's listener,
   * {@link AnswerTable.Answer#accept}): {@link AnswerTable#completed} on the loop.
   */
  void answerCompleted(AnswerTable.Answer a, Results res, Throwable e) {
    if (loop.inLoop()) { // (the usual case: no lambda)
      protocol.answers.completed(a, res, e);
    } else {
      loop.execute(() -> protocol.answers.completed(a, res, e));
    }
  }

  /** Cancels {@code running}, a call this delivered ({@link AnswerTable.Answer#running}). */
  void cancel(Object running) {
    ((CompletableFuture<?>) running).cancel(false);
  }

  // =================================================================== our calls to the peer

  /** A call on {@code target}, one of the peer's capabilities: a question, and its promise. */
  CallResult call(RpcClient target, CallParams params) {
    assert loop.inLoop() : "call sent off the connection's loop: " + target;
    if (protocol.isDisconnected()) {
      params.release();
      return CallResult.broken(loop, protocol.disconnectReason());
    }
    boolean streaming = params.streamReady != null;
    // Level 3: a tail call from the handler of another connection's call may be forwarded
    ThirdPartyForwarding.Introduction forward =
        params.tailCallFrom != null && params.tailCallFrom != protocol
            ? ThirdPartyForwarding.introduce(protocol, params) : null;
    QuestionTable.Question q = protocol.questions.sendCall(target, params, forward);
    RpcPipeline pipeline = (RpcPipeline) q.sink;
    if (streaming && !q.isTailCall) {
      flowControl(target, params, q.callBytes, pipeline);
    }
    if (q.isTailCall) {
      // Like C++: the original question is answered with takeFromOtherQuestion at once; the
      // peer only sends resultsSentElsewhere after it has seen that.
      Results marker = new Results(Results.NULL_CONTENT, new HookCapTable(), null);
      if (forward != null) {
        // (our Return to the caller: awaitFromThirdParty; the callee answers the caller)
        marker.awaitFromThirdParty = forward.await();
      } else {
        marker.sentElsewhereQuestion = q.id;
      }
      // a marker dropped without becoming our Return (the tail-calling call was canceled or
      // had returned already) leaves nobody to claim the tail call's results: cancel it, as
      // rpc.c++ drops the tail question's promise
      marker.onRelease = () -> loop.run(() -> {
        if (!q.tailClaimed && !marker.claimed && !pipeline.isDone()) {
          pipeline.cancel(false);
        }
      });
      return CallResult.of(CompletableFuture.completedFuture(marker), pipeline);
    }
    return pipeline; // (its own promise and pipeline: one object per question)
  }

  /**
   * A call on {@code target}, one of the peer's capabilities, whose caller wants only its
   * outcome ({@code ClientHook.callForResults}): a question whose sink is {@code listener}, no
   * promise and no pipeline. Streaming and tail calls take the promise's way.
   */
  void callForResults(RpcClient target, CallParams params,
      BiConsumer<Results, Throwable> listener) {
    assert loop.inLoop() : "call sent off the connection's loop: " + target;
    if (params.streamReady != null || params.tailCallFrom != null) {
      ClientHook.callForResultsViaPromise(target, params, listener);
      return;
    }
    if (protocol.isDisconnected()) {
      params.release();
      listener.accept(null, protocol.disconnectReason());
      return;
    }
    protocol.questions.sendCall(target, params, listener);
  }

  /** Reports a streaming call just sent to {@code target} to the target's flow controller. */
  private void flowControl(RpcClient target, CallParams params, long bytes,
      CompletableFuture<Results> ack) {
    if (target.flow == null) {
      target.flow = protocol.flowControl().newController();
    }
    CompletableFuture<Void> signal = params.streamReady;
    params.streamFlowTaken = true;
    target.flow.send(bytes, ack).whenComplete((v, e) -> {
      if (e != null) {
        signal.completeExceptionally(e);
      } else {
        signal.complete(null);
      }
    });
  }

  /**
   * The sink of question {@code q}: its pipeline, and the caller's promise of its results,
   * whose cancel is a local event of the core (see {@link RpcPipeline}).
   */
  QuestionTable.QuestionSink newQuestionSink(QuestionTable.Question q) {
    return new RpcPipeline(protocol, q);
  }
}
