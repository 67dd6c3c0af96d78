package dev.capnp.testing;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An untyped echo service: method 0 answers {@code "echo:" + msg}, method 1 fails. */
final class TestEcho extends Server {
  static final long INTERFACE_ID = 0xe1e2e3e4e5e6e7e8L;
  private static final StructSize ONE_POINTER = new StructSize(0, 1);

  @Override
  protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
    if (interfaceId != INTERFACE_ID) {
      return unknownInterface(interfaceId);
    }
    if (methodId == 1) {
      return CompletableFuture.failedFuture(RpcException.failed("as asked"));
    }
    String msg = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0)
        .getAs(Text.FACTORY).toString();
    ctx.getResults().initAs(AnyStruct.factory(ONE_POINTER)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader("echo:" + msg));
    return done();
  }

  /** Sends method {@code methodId} with {@code msg}. */
  static CompletableFuture<Response<AnyPointer.Reader>> send(Capability cap, int methodId,
      String msg) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r =
        cap.newCall(INTERFACE_ID, methodId);
    r.getParams().initAs(AnyStruct.factory(ONE_POINTER)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(msg));
    return r.send();
  }

  /** The reply text of a response (which it closes). */
  static String reply(Response<AnyPointer.Reader> response) {
    try (response) {
      return response.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
          .toString();
    }
  }
}
