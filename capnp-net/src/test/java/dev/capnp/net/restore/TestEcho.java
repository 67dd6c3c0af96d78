package dev.capnp.net.restore;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seed tests' echo service, untyped: method 0 of {@link #INTERFACE_ID} takes a Text and
 * answers {@code got:<counter>:<msg>} (the counter counts this instance's pings); method 1
 * answers a Text with the number of releases seen so far. Also test helpers to call it.
 */
public final class TestEcho extends Server {
  /** The interface ID the echo answers. */
  public static final long INTERFACE_ID = 0xe1c0_0000_0000_0001L;
  private int counter;
  /** Whether the last reference was released. */
  public volatile boolean released;

  @Override
  protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
    if (interfaceId != INTERFACE_ID) {
      return unknownInterface(interfaceId);
    }
    if (methodId != 0) {
      return unknownMethod(interfaceId, methodId);
    }
    String msg = context.getParams().getAs(Text.FACTORY).toString();
    context.releaseParams();
    context.getResults().setAs(Text.FACTORY, new Text.Reader("got:" + counter++ + ":" + msg));
    return done();
  }

  @Override
  protected void onRelease() {
    released = true;
  }

  /** Sends {@code ping(msg)} to {@code cap}. */
  public static CompletableFuture<String> ping(Capability cap, String msg) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> req = cap.newCall(INTERFACE_ID, 0);
    req.getParams().setAs(Text.FACTORY, new Text.Reader(msg));
    ResponsePromise<AnyPointer.Reader, Pipeline> p = req.send();
    return p.thenApply(r -> {
      try (Response<AnyPointer.Reader> resp = r) {
        return resp.get().getAs(Text.FACTORY).toString();
      }
    });
  }

  /** Pings and waits, running {@code loop} (a manual loop of this thread) until answered. */
  public static String pingNow(EventLoop loop, Capability cap, String msg) {
    return await(loop, ping(cap, msg));
  }

  /** Runs {@code loop} until {@code f} completes, then returns its value (or throws). */
  public static <T> T await(EventLoop loop, CompletableFuture<T> f) {
    for (int i = 0; i < 100_000 && !f.isDone(); i++) {
      loop.runPending();
    }
    if (!f.isDone()) {
      throw new AssertionError("future did not complete");
    }
    return f.join();
  }
}
