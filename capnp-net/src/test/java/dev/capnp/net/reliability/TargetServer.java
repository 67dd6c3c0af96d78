package dev.capnp.net.reliability;

import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.VatOptions;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.io.File;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The server the reliability suite and {@code scripts/soak.sh} attack: a vat in its own JVM
 * (started with a small heap), configured with the {@code --capnp-*} options of
 * {@link VatOptions}, serving {@link Service} for every service id. It prints
 * {@code URI <sturdy uri>} and {@code PID <pid>} on standard output once it listens, stops (exit
 * 0) when its standard input ends, and exits 1 when its vat fails (as the example servers do).
 */
@CommandLine.Command(name = "target-server")
public final class TargetServer implements Callable<Integer> {
  /** The interface of {@link Service} (the tests' untyped echo's id: RawFrames pings work). */
  public static final long INTERFACE = 0xa1b2c3d4e5f60718L;
  /** {@code ping(text @0) -> (text @0 = "e:" + text)}. */
  public static final int PING = 0;
  /**
   * {@code stats() -> (text @0 = "heapUsed=.. heapMax=.. direct=.. fds=.. threads=.. conns=..")},
   * the heap measured after a GC.
   */
  public static final int STATS = 1;
  /**
   * {@code slowCap(text @0) -> (@1 = a ping capability answering "slow:" + text)}, after 500 ms.
   */
  public static final int SLOW_CAP = 2;
  /** {@code use(text @0, cap @1) -> (text @0 = "used:" + cap.ping(text))}. */
  public static final int USE = 3;
  /** Throws a simulated OutOfMemoryError on the vat's loop. */
  public static final int DIE = 4;
  /** Allocates on the vat's loop until a real OutOfMemoryError. */
  public static final int EXHAUST = 5;
  static final StructSize TWO_PTRS = new StructSize(0, 2);

  @CommandLine.Mixin
  VatOptions capnp;

  @Override
  public Integer call() throws Exception {
    VatConfig config = capnp.toConfig();
    Vat vat = Vat.create(config, null);
    vat.setRestorer(id -> CompletableFuture.completedFuture(
        Capability.of(new Service(vat, "e:"), vat.loop())));
    System.out.println("URI " + vat.sturdyUri(ServiceId.ofPublic("target")));
    System.out.println("PID " + ProcessHandle.current().pid());
    System.out.flush();
    CompletableFuture<Void> stdinClosed = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // until standard input ends
        }
      } catch (IOException e) {
        // ends the wait as well
      }
      stdinClosed.complete(null);
    }, "stdin-watch");
    reader.setDaemon(true);
    reader.start();
    try {
      CompletableFuture.anyOf(vat.whenStopped(), stdinClosed).join();
      vat.close();
      return 0;
    } catch (CompletionException e) {
      System.err.println("Server failed: " + e.getCause());
      return 1;
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new TargetServer()).execute(args));
  }

  /** The server's state as {@code key=value} pairs (heap measured after a GC). */
  static String stats(Vat vat) {
    System.gc();
    long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long heapMax = Runtime.getRuntime().maxMemory();
    long direct = 0;
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        direct = b.getMemoryUsed();
      }
    }
    long nettyDirect = io.netty.util.internal.PlatformDependent.usedDirectMemory();
    String[] fds = new File("/proc/self/fd").list();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    return "heapUsed=" + heapUsed + " heapMax=" + heapMax + " direct=" + direct
        + " nettyDirect=" + nettyDirect + " fds=" + (fds == null ? -1 : fds.length - 1)
        + " threads=" + threads + " conns=" + vat.connectionCount();
  }

  /** See the method numbers above. */
  static final class Service extends Server {
    private final Vat vat;
    private final String prefix;

    Service(Vat vat, String prefix) {
      this.vat = vat;
      this.prefix = prefix;
    }

    private static String text(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      return ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
          .toString();
    }

    private static void reply(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx,
        String text) {
      ctx.getResults().initAs(AnyStruct.factory(TWO_PTRS)).getPointer(0)
          .setAs(Text.FACTORY, new Text.Reader(text));
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      if (interfaceId != INTERFACE) {
        return Server.unknownInterface(interfaceId);
      }
      switch (methodId) {
        case PING -> {
          reply(ctx, prefix + text(ctx));
          return Server.done();
        }
        case STATS -> {
          reply(ctx, stats(vat));
          return Server.done();
        }
        case SLOW_CAP -> {
          String t = text(ctx);
          CompletableFuture<Void> done = new CompletableFuture<>();
          EventLoop loop = vat.loop();
          loop.schedule(() -> {
            try (Capability c = Capability.of(new Service(vat, "slow:" + t), loop)) {
              c.writeTo(ctx.getResults().initAs(AnyStruct.factory(TWO_PTRS)).getPointer(1));
            }
            done.complete(null);
          }, 500, TimeUnit.MILLISECONDS);
          return done;
        }
        case USE -> {
          String t = text(ctx);
          Capability c = Capability.fromPointer(
              ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1));
          ctx.releaseParams();
          Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = c.newCall(INTERFACE, PING);
          r.getParams().initAs(AnyStruct.factory(TWO_PTRS)).getPointer(0)
              .setAs(Text.FACTORY, new Text.Reader(t));
          return r.send().thenAccept(res -> {
            try (Response<AnyPointer.Reader> rr = res) {
              reply(ctx, "used:" + rr.get().getAs(AnyStruct.FACTORY).getPointer(0)
                  .getAs(Text.FACTORY).toString());
            }
          }).whenComplete((v, e) -> c.close());
        }
        case DIE -> throw new OutOfMemoryError("simulated: Java heap space");
        case EXHAUST -> {
          List<long[]> hog = new ArrayList<>();
          while (true) {
            hog.add(new long[128 * 1024]); // 1 MiB at a time, until the heap is full
          }
        }
        default -> {
          return Server.unknownMethod(interfaceId, methodId);
        }
      }
    }
  }
}
