package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;

/** A capability that fails every call with a fixed exception. */
public final class BrokenClient extends ClientHook {
  public final RpcException reason;

  public BrokenClient(EventLoop loop, RpcException reason) {
    super(loop);
    this.reason = reason;
  }

  /** The null capability (a broken one). */
  public static BrokenClient nullCap(EventLoop loop) {
    return new BrokenClient(loop, RpcException.failed("null capability"));
  }

  @Override
  public CallResult call(CallParams params) {
    params.release();
    return CallResult.broken(loop, reason);
  }

  @Override
  public RpcException brokenReason() {
    return reason;
  }

  @Override
  public String describe() {
    return "broken(" + reason + ")";
  }
}
