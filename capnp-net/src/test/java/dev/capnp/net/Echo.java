package dev.capnp.net;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A tiny untyped echo service for the network tests: {@code ping(msg) -> prefix + msg}. */
public class Echo extends Server {
  static final long INTERFACE_ID = 0xa1b2c3d4e5f60718L;
  static final StructSize ONE_PTR = new StructSize(0, 1);
  private final String prefix;

  public Echo(String prefix) {
    this.prefix = prefix;
  }

  @Override
  protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
    if (interfaceId != INTERFACE_ID) {
      return Server.unknownInterface(interfaceId);
    }
    String msg = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0)
        .getAs(Text.FACTORY).toString();
    ctx.getResults().initAs(AnyStruct.factory(ONE_PTR)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(prefix + msg));
    return Server.done();
  }

  /** Sends a ping with a {@code size}-byte payload. */
  public static Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request(Capability cap,
      String msg) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = cap.newCall(INTERFACE_ID, 0);
    r.getParams().initAs(AnyStruct.factory(ONE_PTR)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(msg));
    return r;
  }

  /** Calls ping and waits (10 s) for the answer. */
  public static String ping(Capability cap, String msg) throws Exception {
    try (Response<AnyPointer.Reader> r = request(cap, msg).send().get(10, TimeUnit.SECONDS)) {
      return r.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY).toString();
    }
  }
}
