package dev.capnp.rpc;

/** A capability that fails every call with a fixed exception. */
final class BrokenClient extends ClientHook {
  final RpcException reason;

  BrokenClient(EventLoop loop, RpcException reason) {
    super(loop);
    this.reason = reason;
  }

  /** The null capability (a broken one). */
  static BrokenClient nullCap(EventLoop loop) {
    return new BrokenClient(loop, RpcException.failed("null capability"));
  }

  @Override
  CallResult call(CallParams params) {
    params.release();
    return CallResult.broken(loop, reason);
  }

  @Override
  RpcException brokenReason() {
    return reason;
  }

  @Override
  String describe() {
    return "broken(" + reason + ")";
  }
}
