package dev.capnp.bench.rpc;

import dev.capnp.bench.rpc.EchoBenchApi.Echo;
import dev.capnp.rpc.CallContext;
import java.util.concurrent.CompletionStage;

/**
 * The benchmark's echo service: {@code ping(msg) -> "echo:" + msg}, {@code echoData(data) ->
 * data}.
 */
public final class EchoServer extends Echo.Server {
  @Override
  protected CompletionStage<Void> ping(
      CallContext<Echo.PingParams.Reader, Echo.PingResults.Builder> context) {
    String msg = context.getParams().getMsg().toString();
    context.getResults().setReply("echo:" + msg);
    return done();
  }

  @Override
  protected CompletionStage<Void> echoData(
      CallContext<Echo.EchoDataParams.Reader, Echo.EchoDataResults.Builder> context) {
    context.getResults().setData(context.getParams().getData());
    return done();
  }
}
