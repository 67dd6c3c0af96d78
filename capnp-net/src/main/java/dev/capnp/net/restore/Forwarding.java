package dev.capnp.net.restore;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.runtime.AnyPointer;
import java.util.concurrent.CompletionStage;

/**
 * Forwards a call received by a wrapper server to another capability as a tail call: the params
 * (with their capabilities) are copied into a new request to the target, and the target's
 * results become the call's results (pipelined calls follow them). Used by wrappers that add
 * behaviour to a service they do not own the code of (cached loader entries, persistence).
 */
public final class Forwarding {
  private Forwarding() {
  }

  /**
   * Sends {@code interfaceId.methodId} with {@code context}'s params to {@code target} and makes
   * its answer the answer of {@code context}; return the result from the handler.
   *
   * @param target the capability the call is sent to
   * @param interfaceId the 64-bit id of the method's interface
   * @param methodId the method's ordinal within its interface
   * @param context the context of the call being handled
   * @return a stage completed when {@code target}'s answer is in place
   */
  public static CompletionStage<Void> forward(Capability target, long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request =
        target.newCall(interfaceId, methodId);
    AnyPointer.Reader params = context.getParams();
    if (!params.isNull()) {
      request.getParams().set(params);
    }
    return context.tailCall(request);
  }
}
