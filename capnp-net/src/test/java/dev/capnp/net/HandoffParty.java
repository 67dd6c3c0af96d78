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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service of one vat in the handoff tests (an untyped interface; params and results: text
 * at pointer 0, a capability at pointer 1): {@code ping(msg)} records {@code msg} and answers
 * {@code NAME:msg}; {@code get()} answers the capability {@link #give} supplies;
 * {@code put(cap)} keeps the capability for the test ({@link #received}). Every restore of the
 * vat serves the same party (a new {@link Server} over shared state).
 */
final class HandoffParty implements Restorer {
  static final long IFACE = 0x8d2e61c0a4b3f597L;
  static final int PING = 0;
  static final int GET = 1;
  static final int PUT = 2;
  private static final StructSize SIZE = new StructSize(0, 2);

  final String name;
  /** The messages of the pings received, in order of arrival. */
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  /** The capabilities received by {@code put} (owned by the test once taken). */
  final BlockingQueue<Capability> received = new LinkedBlockingQueue<>();
  /** Supplies a new handle to answer {@code get} with (called on the vat's loop). */
  volatile Supplier<Capability> give;
  /**
   * If set, a {@code ping} whose message starts with "fwd" is tail-called to this capability's
   * {@code ping} (three-party call forwarding tests); not owned.
   */
  volatile Capability forwardTo;

  HandoffParty(String name) {
    this.name = name;
  }

  @Override
  public CompletionStage<Capability> restore(ServiceId id) {
    return CompletableFuture.completedFuture(Capability.of(new Service()));
  }

  /** One restore's server. */
  private final class Service extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (interfaceId != IFACE) {
        return Server.unknownInterface(interfaceId);
      }
      AnyStruct.Reader in = ctx.getParams().getAs(AnyStruct.FACTORY);
      Capability fwd = forwardTo;
      if (methodId == PING && fwd != null) {
        String msg = in.getPointer(0).getAs(Text.FACTORY).toString();
        if (msg.startsWith("fwd")) {
          return ctx.tailCall(request(fwd, PING, msg, null));
        }
      }
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(SIZE));
      switch (methodId) {
        case PING -> {
          String msg = in.getPointer(0).getAs(Text.FACTORY).toString();
          log.add(msg);
          out.getPointer(0).setAs(Text.FACTORY, new Text.Reader(name + ":" + msg));
        }
        case GET -> {
          try (Capability c = give.get()) {
            c.writeTo(out.getPointer(1));
          }
        }
        case PUT -> received.add(Capability.fromPointer(in.getPointer(1)));
        default -> {
          return Server.unknownMethod(interfaceId, methodId);
        }
      }
      ctx.releaseParams();
      return Server.done();
    }
  }

  static Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request(Capability target,
      int method, String msg, Capability cap) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = target.newCall(IFACE, method);
    AnyStruct.Builder p = r.getParams().initAs(AnyStruct.factory(SIZE));
    if (msg != null) {
      p.getPointer(0).setAs(Text.FACTORY, new Text.Reader(msg));
    }
    if (cap != null) {
      cap.writeTo(p.getPointer(1));
    }
    return r;
  }

  /** Sends {@code ping(msg)}; completes with the answer text. */
  static CompletableFuture<String> pingAsync(Capability target, String msg) {
    return request(target, PING, msg, null).send().thenApply(r -> {
      try (r) {
        return r.get().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY).toString();
      }
    }).toCompletableFuture();
  }

  /** {@code ping(msg)}, waited for (20 s at most). */
  static String ping(Capability target, String msg) throws Exception {
    return pingAsync(target, msg).get(20, TimeUnit.SECONDS);
  }

  /** {@code get()}, waited for: the capability answered (the caller owns it). */
  static Capability get(Capability target) throws Exception {
    try (Response<AnyPointer.Reader> r = request(target, GET, null, null).send()
        .get(20, TimeUnit.SECONDS)) {
      return r.getCap(1);
    }
  }

  /** {@code put(cap)}, waited for. */
  static void put(Capability target, Capability cap) throws Exception {
    request(target, PUT, null, cap).send().get(20, TimeUnit.SECONDS).close();
  }

  /** The next capability {@code put} to this party (20 s at most); the caller owns it. */
  Capability take() throws InterruptedException {
    Capability c = received.poll(20, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError(name + " received no capability");
    }
    return c;
  }

  @Override
  public String toString() {
    return name;
  }
}
