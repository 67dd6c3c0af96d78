package dev.capnp.bench.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import dev.capnp.net.SecretKey;
import dev.capnp.net.transport.Tls;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The echo workloads of {@link RpcBench} over gRPC-java (issue 12: "versus gRPC-java we are
 * 3.4-6x faster: keep that"), for {@code benchmarks/compare-grpc.sh}: a unary
 * {@code bench.Echo/Ping} call, {@code StringValue} in and out ("echo:" + the request), over
 * gRPC's Netty transport (the shaded one, epoll when available) in plain text on TCP loopback,
 * the server and the client with {@code directExecutor()} (calls handled and completed on the
 * transport's threads: gRPC's fastest setting, as our vat's loop is). Each call is sent from
 * the previous one's completion in its lane, as {@code RpcBench --caller loop} does, so both
 * sides measure the same pattern. {@code --caller threads}: {@code --in-flight} application
 * threads making blocking calls instead, as {@code RpcBench --caller threads} does.
 *
 * <p>{@code --workload blob}: a unary {@code bench.Echo/EchoData}, {@code BytesValue} of
 * {@code --blob-bytes} (1 MiB) in, the same bytes out, one call at a time from a thread that
 * waits for each (gRPC's blocking stub), as {@code RpcBench --workload blob --caller blocking}
 * does; each request is built anew from the same byte array ({@code ByteString.copyFrom}: one
 * copy, as our {@code setData(byte[])} makes one into the message), the server answers with the
 * request's {@code ByteString} (no copy, as a gRPC service would), and the client checks the
 * reply's size; MiB/s of payload.
 *
 * <p>{@code --serve --transport tls}: TLS (gRPC's default provider: its shaded BoringSSL where it
 * loads, else the JDK's) with a self-signed certificate made at start (as a vat's); prints
 * {@code ADDRESS tls:127.0.0.1:PORT}, and a client given that address trusts any server
 * certificate (a benchmark: the handshake is made once, before the calls), to compare with
 * {@code RpcBench --transport tls}. The provider used goes to stderr.
 *
 * <pre>
 * GrpcBench --serve [--transport tcp|tls]   (prints ADDRESS tcp:127.0.0.1:PORT or tls:...)
 * GrpcBench --connect tcp:127.0.0.1:PORT [--workload ping|inflight|blob]
 *     [--caller loop|threads|vthreads|blocking]
 *     [--in-flight N] [--warmup N] [--calls N] [--blob-bytes N]
 * </pre>
 * The client prints {@code RESULT impl=grpc ...}, the fields of {@link RpcBench}'s line.
 */
public final class GrpcBench {
  /** {@code rpc Ping(StringValue) returns (StringValue)}: "echo:" + the request. */
  static final MethodDescriptor<StringValue, StringValue> PING =
      unary("Ping", StringValue.getDefaultInstance());

  /** {@code rpc EchoData(BytesValue) returns (BytesValue)}: the request's bytes back. */
  static final MethodDescriptor<BytesValue, BytesValue> ECHO_DATA =
      unary("EchoData", BytesValue.getDefaultInstance());

  /** A unary method of {@code bench.Echo} taking and returning {@code T}. */
  private static <T extends com.google.protobuf.Message> MethodDescriptor<T, T> unary(
      String method, T prototype) {
    return MethodDescriptor.<T, T>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", method))
        .setRequestMarshaller(ProtoUtils.marshaller(prototype))
        .setResponseMarshaller(ProtoUtils.marshaller(prototype))
        .build();
  }

  private GrpcBench() {}

  /**
   * Entry point.
   *
   * @param args see the class comment
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    String connect = null;
    String workload = "ping";
    int inFlight = 100;
    int warmup = -1;
    int calls = -1;
    boolean serve = false;
    boolean tls = false;
    String caller = null;
    int blobBytes = 1 << 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--serve" -> serve = true;
        case "--connect" -> connect = args[++i];
        case "--workload" -> workload = args[++i];
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--blob-bytes" -> blobBytes = Integer.parseInt(args[++i]);
        case "--caller" -> {
          caller = args[++i];
          if (!caller.equals("loop") && !caller.equals("threads")
              && !caller.equals("vthreads") && !caller.equals("blocking")) {
            throw new IllegalArgumentException(
                "--caller must be loop, threads, vthreads or blocking: " + caller);
          }
        }
        case "--transport" -> {
          String t = args[++i];
          if (!t.equals("tcp") && !t.equals("tls")) {
            throw new IllegalArgumentException("GrpcBench serves tcp or tls: " + t);
          }
          tls = t.equals("tls");
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (GrpcBench --serve [--transport tcp|tls] | --connect tcp|tls:HOST:PORT"
            + " [--workload ping|inflight|blob]"
            + " [--caller loop|threads|vthreads|blocking] [--in-flight N] [--warmup N]"
            + " [--calls N] [--blob-bytes N])");
      }
    }
    if (serve) {
      serve(tls);
      return;
    }
    if (connect == null || !(connect.startsWith("tcp:") || connect.startsWith("tls:"))) {
      throw new IllegalArgumentException("--connect tcp:HOST:PORT or tls:HOST:PORT is required");
    }
    tls = connect.startsWith("tls:");
    boolean blob = workload.equals("blob");
    if (!workload.equals("ping") && !workload.equals("inflight") && !blob) {
      throw new IllegalArgumentException("--workload must be ping, inflight or blob: " + workload);
    }
    if (caller == null) {
      caller = blob ? "blocking" : "loop";
    }
    if (blob != caller.equals("blocking")) {
      throw new IllegalArgumentException(blob ? "--workload blob runs with --caller blocking"
          : "--caller blocking is for --workload blob");
    }
    if (blob && blobBytes < 0) {
      throw new IllegalArgumentException("--blob-bytes must be 0 or more: " + blobBytes);
    }
    int lanes = workload.equals("inflight") ? inFlight : 1;
    if (calls < 0) {
      calls = workload.equals("inflight") ? 50_000 : blob ? 1_000 : 10_000;
    }
    if (warmup < 0) {
      warmup = blob ? 200 : 20_000;
    }
    String hostPort = connect.substring(4);
    int colon = hostPort.lastIndexOf(':');
    NettyChannelBuilder builder = NettyChannelBuilder
        .forAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
        .directExecutor().maxInboundMessageSize(Integer.MAX_VALUE);
    if (tls) {
      var ssl = GrpcSslContexts.forClient().trustManager(io.grpc.netty.shaded.io.netty.handler.ssl
          .util.InsecureTrustManagerFactory.INSTANCE).build();
      System.err.println("gRPC client TLS provider: " + ssl.getClass().getSimpleName());
      builder.sslContext(ssl);
    } else {
      builder.usePlaintext();
    }
    ManagedChannel channel = builder.build();
    try {
      // the warm-up of RpcBench: rounds until the JIT compilers used at most 2 % of a round
      int warmCalls = Math.max(warmup, 1);
      boolean threads = caller.equals("threads") || caller.equals("vthreads");
      boolean virtual = caller.equals("vthreads");
      byte[] data = blobData(blob ? blobBytes : 0);
      JitSettle.warmUp(() -> {
        if (blob) {
          blobs(channel, data, warmCalls);
        } else if (threads) {
          threads(channel, Math.min(lanes, warmCalls), warmCalls, virtual);
        } else {
          run(channel, Math.min(lanes, warmCalls), warmCalls);
        }
      }, 5, 30_000);
      long cpuBefore = RpcBench.processCpuNanos();
      RpcBench.Recorder r = blob ? blobs(channel, data, calls)
          : threads ? threads(channel, lanes, calls, virtual) : run(channel, lanes, calls);
      long cpuAfter = RpcBench.processCpuNanos();
      double cpu = cpuBefore < 0 || cpuAfter < 0 ? Double.NaN
          : (cpuAfter - cpuBefore) / 1e3 / calls;
      String line = new RpcBench.Result(workload, caller, tls ? "tls" : "tcp", calls, r.seconds(),
          r.percentileMicros(0.5), r.percentileMicros(0.99),
          blob ? (double) calls * blobBytes / (1 << 20) / r.seconds() : Double.NaN, Double.NaN,
          Double.NaN, Double.NaN, cpu).line().replace("impl=java", "impl=grpc");
      System.out.println(line);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A started server of {@code bench.Echo/Ping} on 127.0.0.1, an ephemeral port.
   *
   * @return the server
   * @throws java.io.IOException if it cannot bind
   */
  static Server startServer() throws java.io.IOException {
    return startServer(false);
  }

  /**
   * A started server of {@code bench.Echo} on 127.0.0.1, an ephemeral port, in plain text or
   * with TLS (a self-signed certificate made now).
   *
   * @param tls whether to serve TLS
   * @return the server
   * @throws java.io.IOException if it cannot bind
   */
  static Server startServer(boolean tls) throws java.io.IOException {
    ServerServiceDefinition echo = ServerServiceDefinition.builder("bench.Echo")
        .addMethod(PING, ServerCalls.asyncUnaryCall(
            (StringValue request, StreamObserver<StringValue> reply) -> {
              reply.onNext(StringValue.of("echo:" + request.getValue()));
              reply.onCompleted();
            }))
        .addMethod(ECHO_DATA, ServerCalls.asyncUnaryCall(
            (BytesValue request, StreamObserver<BytesValue> reply) -> {
              reply.onNext(BytesValue.of(request.getValue()));
              reply.onCompleted();
            }))
        .build();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(
        new InetSocketAddress("127.0.0.1", 0))
        .addService(echo).directExecutor().maxInboundMessageSize(Integer.MAX_VALUE);
    if (tls) {
      SecretKey key = SecretKey.generate();
      var ssl = GrpcSslContexts.configure(io.grpc.netty.shaded.io.netty.handler.ssl
          .SslContextBuilder.forServer(key.privateKey(), new Tls(key).certificate())).build();
      System.err.println("gRPC server TLS provider: " + ssl.getClass().getSimpleName());
      builder.sslContext(ssl);
    }
    return builder.build().start();
  }

  /** Serves {@code bench.Echo} until stdin closes; prints its address first. */
  private static void serve(boolean tls) throws Exception {
    Server server = startServer(tls);
    System.out.println("ADDRESS " + (tls ? "tls" : "tcp") + ":127.0.0.1:" + server.getPort());
    System.out.flush();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      while (in.readLine() != null) {
        // (serve until stdin closes)
      }
    }
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  /** {@code calls} pings in {@code lanes} lanes, each next one sent from a completion. */
  private static RpcBench.Recorder run(ManagedChannel channel, int lanes, int calls)
      throws Exception {
    RpcBench.Recorder r = new RpcBench.Recorder(calls);
    CompletableFuture<Void> done = new CompletableFuture<>();
    Lanes l = new Lanes(channel, r, calls, done);
    for (int i = 0; i < lanes && i < calls; i++) {
      l.next();
    }
    done.get(300, TimeUnit.SECONDS);
    return r;
  }

  /** The blob's bytes: the pattern {@code RpcBench} sends. */
  private static byte[] blobData(int size) {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    return data;
  }

  /**
   * {@code calls} echoes of {@code data}, one at a time, each from the calling thread with
   * gRPC's blocking stub; each reply's size is checked.
   */
  private static RpcBench.Recorder blobs(ManagedChannel channel, byte[] data, int calls) {
    RpcBench.Recorder r = new RpcBench.Recorder(calls);
    for (int i = 0; i < calls; i++) {
      long sent = System.nanoTime();
      BytesValue request = BytesValue.of(ByteString.copyFrom(data));
      BytesValue reply =
          ClientCalls.blockingUnaryCall(channel, ECHO_DATA, CallOptions.DEFAULT, request);
      if (reply.getValue().size() != data.length) {
        throw new IllegalStateException("EchoData returned " + reply.getValue().size()
            + " bytes, not " + data.length);
      }
      r.completed(i, sent);
    }
    return r;
  }

  /**
   * {@code threads} application threads, each making blocking calls one after another (gRPC's
   * blocking stub: {@code ClientCalls.blockingUnaryCall}, which runs the call's callbacks on the
   * waiting thread), until {@code calls} calls are made.
   */
  private static RpcBench.Recorder threads(ManagedChannel channel, int threads, int calls,
      boolean virtual) throws Exception {
    StringValue request = StringValue.of("ping");
    return RpcBench.callFromThreads(calls, threads, virtual, () -> {
      StringValue reply =
          ClientCalls.blockingUnaryCall(channel, PING, CallOptions.DEFAULT, request);
      if (!reply.getValue().equals("echo:ping")) {
        throw new IllegalStateException("wrong reply " + reply);
      }
    });
  }

  /** The lanes' shared state; their completions run on the channel's threads. */
  private static final class Lanes {
    private final ManagedChannel channel;
    private final RpcBench.Recorder r;
    private final int calls;
    private final CompletableFuture<Void> done;
    private int next;
    private int completed;
    private static final StringValue REQUEST = StringValue.of("ping");

    Lanes(ManagedChannel channel, RpcBench.Recorder r, int calls, CompletableFuture<Void> done) {
      this.channel = channel;
      this.r = r;
      this.calls = calls;
      this.done = done;
    }

    void next() {
      int index;
      synchronized (this) {
        if (next >= calls || done.isDone()) {
          return;
        }
        index = next++;
      }
      long sent = System.nanoTime();
      ClientCalls.asyncUnaryCall(channel.newCall(PING, CallOptions.DEFAULT), REQUEST,
          new StreamObserver<StringValue>() {
            @Override
            public void onNext(StringValue reply) {
              if (!reply.getValue().equals("echo:ping")) {
                done.completeExceptionally(new IllegalStateException("wrong reply " + reply));
              }
            }

            @Override
            public void onError(Throwable t) {
              done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              boolean last;
              synchronized (Lanes.this) {
                r.completed(index, sent);
                last = ++completed == calls;
              }
              if (last) {
                done.complete(null);
              } else {
                next();
              }
            }
          });
    }
  }
}
