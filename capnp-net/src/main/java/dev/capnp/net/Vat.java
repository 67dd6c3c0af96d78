package dev.capnp.net;

import dev.capnp.net.transport.DrivenIoEventLoop;
import dev.capnp.net.transport.Durations;
import dev.capnp.net.transport.FrameDecoder;
import dev.capnp.net.transport.FrameEncoder;
import dev.capnp.net.transport.FrameSizedReads;
import dev.capnp.net.transport.NettyPlatform;
import dev.capnp.net.transport.NettyTransport;
import dev.capnp.net.transport.Tls;
import dev.capnp.net.transport.TlsWorkers;
import dev.capnp.net.restore.RestorerBootstrap;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.QueueBudget;
import dev.capnp.rpc.transport.StreamTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vat on the network: one RPC {@link EventLoop} (running on the vat's single Netty I/O loop,
 * so a message needs no thread hand-off), an optional listening socket (TCP or Unix, TLS on or
 * off), a {@link Restorer} answering incoming bootstraps, and a table of connections shared per
 * peer key digest (spec section 7).
 *
 * <p>Threading: the I/O loop and the RPC loop are one ({@link EventLoop#driven}, over a
 * {@code DrivenIoEventLoop}), and its thread is a role held by one thread at a time: the vat's
 * own daemon thread, or an application thread that waits for a reply of this vat with
 * {@code get()} / {@code join()} / {@link dev.capnp.rpc.Await} and meanwhile runs the loop
 * itself (writes its call, sleeps in {@code epoll_wait}, reads the reply), as C++'s
 * {@code WaitScope} does. All of the vat's protocol state, Netty's channels and pipelines
 * (TLS included) are touched by the role's holder only, and every hand-over of the role is a
 * volatile write followed by a volatile read, so it orders what the previous holder did before
 * what the next one does. Any number of threads may wait at once (one drives, the others are
 * woken when their reply is in or the role is free); a thread inside a task of a loop (a server
 * method, a completion callback on the loop) never takes the role, so a handler that blocks on
 * its loop still deadlocks as before, and {@code @Blocking} handlers still run off the loop (a
 * virtual thread never takes the role: it would pin its carrier in the native wait). A
 * waiter that has its reply leaves the loop free for its next call; the vat's thread takes it
 * back after {@code -Dcapnp.net.driverGraceMicros} (1,000 µs) without one, or at once when
 * another thread queues work. {@code -Dcapnp.net.callerDrives=false} keeps the loop on the vat's
 * thread (each blocking call then costs two thread hand-offs).
 *
 * <pre>
 * try (Vat server = Vat.create(config, restorer)) {
 *   CapnpUri uri = server.sturdyUri(id);              // capnp://sha-256:...@host:port/SID
 * }
 * try (Vat client = Vat.client()) {
 *   client.importRef(uri).withCap(cap -> ...);        // connects (shared), releases after
 * }
 * </pre>
 *
 * <p>Connection sharing: TLS connections are keyed by the peer's key digest; several sturdy refs
 * to one vat share one connection, parallel connects share one attempt, and crossed connections
 * keep the one chosen by {@code keep_new = (my digest > peer digest) == (we initiated)}; the loser
 * is aborted with {@code "Invalidated by newer connection"}. So the winner of a crossed pair is
 * always the connection dialled by the vat with the larger digest; a connect that would reuse a
 * connection which may still lose (ours while an incoming TLS handshake is in progress, or the
 * peer's while our own dial is pending) waits for that to settle first. Insecure connections are
 * never shared. A lost connection is dropped from the table, breaking its capabilities; the next
 * {@link SturdyRef#connect()} dials again.
 *
 * <p>The vat's key and TLS contexts (RSA key generation, a self-signed certificate) are made on
 * the caller's thread for a TLS server and on a worker thread for other vats, never on the I/O
 * thread.
 */
public final class Vat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Vat.class);
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final VatConfig config;
  private final String name;
  private final EventLoopGroup group;
  private final io.netty.channel.EventLoop ioLoop;
  private final EventLoop loop;
  private final VatMetrics metrics = new VatMetrics();
  private final NettyPlatform platform;
  private volatile RestorerBootstrap bootstrapper;
  private CompletableFuture<Tls> tlsSetup; // guarded by this
  private final Channel serverChannel;
  private final NetAddress bound;
  /** Three-party handoff among this vat's TLS connections; null when off (or no TLS). */
  private final VatHandoffNetwork handoff;

  // loop-confined state
  private final Map<AuthDigest, Conn> connections = new HashMap<>();
  private final Map<AuthDigest, Attempt> pending = new HashMap<>();
  private final LinkedHashSet<Conn> all = new LinkedHashSet<>();
  /** Incoming TLS handshakes in progress (their peer is not known yet). */
  private final Set<CompletableFuture<Void>> handshakes = new HashSet<>();
  private boolean closed;
  /** Completes when the vat has stopped (exceptionally if it failed). */
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean closeRequested;
  private volatile Throwable failure;
  /** TLS handshake tasks of this vat running on the shared {@link TlsWorkers}. */
  private final AtomicInteger tlsTasksRunning = new AtomicInteger();
  /**
   * Runs this vat's TLS handshake tasks on the shared workers, counted, so that closing waits
   * for those in flight: one that ended after the I/O thread had stopped could not hand its
   * result back to it.
   */
  private final java.util.concurrent.Executor tlsTasks = r -> {
    if (closeRequested) {
      return; // the vat is closing: its channels are closed with the I/O thread
    }
    tlsTasksRunning.incrementAndGet();
    try {
      TlsWorkers.EXECUTOR.execute(() -> {
        try {
          r.run();
        } finally {
          tlsTasksRunning.decrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      tlsTasksRunning.decrementAndGet();
      throw e;
    }
  };
  /** Channels open (accepted or dialled), counted on their I/O thread when they start. */
  private final AtomicInteger openChannels = new AtomicInteger();
  /** Lines about connections that peers made fail: bounded and rate-limited per vat. */
  /** Replies queued for peers that do not read them, all connections together. */
  private final QueueBudget replyBudget;
  private final QueueBudget incomingBudget;
  private final RateLimitedLog peerLog =
      new RateLimitedLog(LOG, "rejected or dropped connections", 20, 10_000);

  /** One live RPC connection of this vat. */
  private static final class Conn {
    final RpcConnection rpc;
    final AuthDigest peer;
    final boolean initiated;
    final Channel channel;

    Conn(RpcConnection rpc, AuthDigest peer, boolean initiated, Channel channel) {
      this.rpc = rpc;
      this.peer = peer;
      this.initiated = initiated;
      this.channel = channel;
    }
  }

  /**
   * A connection attempt in progress; connects that wait for it share one bootstrap per
   * service ID (so parallel connects to one service get the same capability).
   */
  private static final class Attempt {
    final CompletableFuture<Conn> future;
    final Map<ServiceId.DigestKey, ServiceId> ids = new HashMap<>();
    final Map<ServiceId.DigestKey, List<CompletableFuture<Capability>>> waiters =
        new HashMap<>();
    /** Waiters for the connection itself (three-party handoffs). */
    final List<CompletableFuture<RpcConnection>> connectionWaiters = new ArrayList<>();

    Attempt(CompletableFuture<Conn> future) {
      this.future = future;
    }
  }

  private Vat(VatConfig config, Restorer restorer) {
    this.config = config;
    this.replyBudget = new QueueBudget(config.maxQueuedRepliesTotal());
    this.incomingBudget = new QueueBudget(config.maxQueuedIncomingTotal());
    this.bootstrapper = RestorerBootstrap.of(restorer);
    this.name = "capnp-vat-" + COUNTER.incrementAndGet();
    this.handoff = config.thirdPartyHandoff() ? new VatHandoffNetwork(new HandoffHost(),
        config.callForwarding()) : null;
    this.platform = NettyPlatform.of(config.nativeTransport());
    if (config.tls() && config.listenAddress() != null) {
      // a TLS server needs its key for every accepted connection: make it now, here
      synchronized (this) {
        tlsSetup = CompletableFuture.completedFuture(
            new Tls(config.secretKey(), config.thirdPartyHandoff()));
      }
    } else if (config.tls() && config.secretKeyFile() != null) {
      tlsSetup(); // a persistent identity: its key file is made now, on a worker
    }
    // a client-only vat with an ephemeral key makes it (on a worker) when it first connects
    // over TLS: one that only ever connects insecurely never spends the CPU on an RSA key
    DrivenIoEventLoop io = new DrivenIoEventLoop(name, platform.ioHandlerFactory());
    this.group = io;
    this.ioLoop = io;
    // -Dcapnp.net.separateRpcThread=true runs RPC on its own thread (one hand-off per message
    // each way); only for measuring the difference.
    this.loop = Boolean.getBoolean("capnp.net.separateRpcThread") ? EventLoop.start(name + "-rpc")
        : EventLoop.driven(name, io);
    loop.onFatalError(this::fail);
    io.onFatalError(loop::fatal); // Netty's own tasks and I/O on the vat's thread
    group.terminationFuture().addListener(f -> {
      if (!closeRequested) {
        fail(new IllegalStateException("the vat's I/O thread ended unexpectedly"));
      }
    });
    Channel server = null;
    NetAddress b = null;
    if (config.listenAddress() != null) {
      try {
        server = listen(config.listenAddress());
        b = NettyPlatform.boundAddress(server, config.listenAddress());
      } catch (RuntimeException e) {
        closeRequested = true;
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        throw e;
      }
    }
    this.serverChannel = server;
    this.bound = b;
  }

  /**
   * A vat serving {@code restorer} (null: {@link Restorer#NONE}) at
   * {@code config.listenAddress()} (if any), bound when this returns.
   *
   * @param config the vat's configuration
   * @param restorer answers incoming bootstraps; {@code null} for none
   * @return the running vat
   * @throws IllegalStateException if the address cannot be bound (message says which)
   */
  public static Vat create(VatConfig config, Restorer restorer) {
    return new Vat(config, restorer);
  }

  /**
   * A client-only vat with an ephemeral key, generated on a worker thread when the vat first
   * connects over TLS (or asks for its {@link #digest()}).
   *
   * @return the running client-only vat
   */
  public static Vat client() {
    return create(VatConfig.clientOnly(), null);
  }

  /**
   * The configuration.
   *
   * @return the configuration
   */
  public VatConfig config() {
    return config;
  }

  /**
   * The event loop owning every connection of this vat (the vat's Netty I/O loop; its thread is
   * a role, see the class comment).
   *
   * @return the vat's event loop
   */
  public EventLoop loop() {
    return loop;
  }

  /**
   * This vat's counters.
   *
   * @return the counters
   */
  public VatMetrics metrics() {
    return metrics;
  }

  /**
   * This vat's key fingerprint (it also identifies this vat as a TLS client).
   *
   * @return the key fingerprint
   */
  public AuthDigest digest() {
    return config.secretKey().digest();
  }

  /**
   * The address actually bound (port 0 resolved), or null for a client-only vat.
   *
   * @return the bound address, or {@code null} for a client-only vat
   */
  public NetAddress boundAddress() {
    return bound;
  }

  /**
   * Replaces the restorer answering incoming bootstraps.
   *
   * @param r the new restorer; {@code null} for none
   */
  public void setRestorer(Restorer r) {
    this.bootstrapper = RestorerBootstrap.of(r);
  }

  /**
   * The restorer answering incoming bootstraps.
   *
   * @return the restorer
   */
  public Restorer restorer() {
    return bootstrapper.restorer();
  }

  /**
   * The Netty platform of this vat's sockets (epoll or NIO).
   *
   * @return the platform
   */
  public NettyPlatform platform() {
    return platform;
  }

  /**
   * The sturdy URI of {@code id}: the public address (a TCP port 0 replaced by the bound port)
   * and this vat's digest, or {@code insecure} with TLS off.
   *
   * @param id the service ID
   * @return the URI
   */
  public CapnpUri sturdyUri(ServiceId id) {
    NetAddress pub = config.publicAddress();
    if (pub == null) {
      throw new IllegalStateException("a client-only vat has no sturdy URIs");
    }
    if (pub instanceof NetAddress.Tcp && ((NetAddress.Tcp) pub).port() == 0
        && bound instanceof NetAddress.Tcp) {
      pub = ((NetAddress.Tcp) pub).withPort(((NetAddress.Tcp) bound).port());
    }
    return new CapnpUri(config.authDigest(), pub, id);
  }

  /**
   * A sturdy ref to {@code id} in this vat (restored locally, without networking).
   *
   * @param id the service ID
   * @return the sturdy ref
   */
  public SturdyRef sturdyRef(ServiceId id) {
    return importRef(sturdyUri(id));
  }

  /**
   * A sturdy ref for a {@code capnp://} URI (nothing is connected until it is used).
   *
   * @param uri the {@code capnp://} URI text
   * @return the sturdy ref
   */
  public SturdyRef importRef(String uri) {
    return importRef(CapnpUri.parse(uri));
  }

  /**
   * A sturdy ref for {@code uri}.
   *
   * @param uri the URI
   * @return the sturdy ref
   */
  public SturdyRef importRef(CapnpUri uri) {
    return new SturdyRef() {
      @Override
      public CompletableFuture<Capability> connect() {
        return Vat.this.connect(uri);
      }

      @Override
      public CapnpUri uri() {
        return uri;
      }

      @Override
      public String toString() {
        return "SturdyRef(" + uri.address() + ", " + uri.auth() + ")";
      }
    };
  }

  /**
   * Connects to {@code uri}'s vat (reusing a shared connection when there is one) and requests
   * its service. Completes once the connection is up, with the bootstrap capability (a promise
   * that resolves to the service, or breaks with the restorer's error, e.g.
   * {@code "Unknown persistent service ID"}). Dial and TLS errors complete the future
   * exceptionally with a {@code FAILED} {@link RpcException}. A URI with this vat's own digest
   * is restored locally.
   *
   * @param uri the URI of the service
   * @return a future completed with a new handle the caller owns
   */
  public CompletableFuture<Capability> connect(CapnpUri uri) {
    CompletableFuture<Capability> result = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        connectOnLoop(uri).whenComplete((c, e) -> {
          if (e != null) {
            result.completeExceptionally(unwrap(e));
          } else if (!result.complete(c)) {
            c.close();
          }
        });
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private CompletableFuture<Capability> connectOnLoop(CapnpUri uri) {
    if (closed) {
      return CompletableFuture.failedFuture(RpcException.failed("Vat is closed"));
    }
    AuthDigest auth = uri.auth();
    ServiceId sid = uri.serviceId();
    if (auth.isInsecure()) {
      return dial(uri, null).thenApply(c -> bootstrap(c, sid));
    }
    return whenTlsReady(() -> connectOnLoop(uri), t -> connectSecure(uri, t));
  }

  /** {@link #connectOnLoop} once the vat's TLS contexts are made. On the loop. */
  private CompletableFuture<Capability> connectSecure(CapnpUri uri, Tls t) {
    AuthDigest auth = uri.auth();
    ServiceId sid = uri.serviceId();
    if (config.tls() && auth.equals(digest())) {
      return bootstrapper.restore(sid);
    }
    Sharing share = sharing(auth);
    if (share.use() != null) {
      return CompletableFuture.completedFuture(bootstrap(share.use(), sid));
    }
    if (share.retryAfter() != null) {
      return share.retryAfter().thenCompose(x -> connectOnLoop(uri));
    }
    CompletableFuture<Capability> mine = new CompletableFuture<>();
    ServiceId.DigestKey key = sid.digestKey();
    joinAttempt(uri, t, false, a -> {
      a.ids.put(key, sid);
      a.waiters.computeIfAbsent(key, k -> new ArrayList<>()).add(mine);
    });
    return mine;
  }

  /**
   * Runs {@code next} with the vat's TLS contexts; while they are still being made (the key, on
   * its worker), runs {@code again} on the loop once they are instead. On the loop.
   */
  private <T> CompletableFuture<T> whenTlsReady(
      java.util.function.Supplier<CompletableFuture<T>> again,
      java.util.function.Function<Tls, CompletableFuture<T>> next) {
    CompletableFuture<Tls> setup = tlsSetup();
    if (!setup.isDone()) {
      return setup.handle((t, e) -> null).thenComposeAsync(x -> again.get(), loop);
    }
    Tls t;
    try {
      t = setup.join();
    } catch (CompletionException e) {
      return CompletableFuture.failedFuture(RpcException.failed("TLS setup failed: "
          + describe(e)));
    }
    return next.apply(t);
  }

  /**
   * Adds a waiter ({@code join}) to the pending attempt to {@code uri}'s vat, dialling one if
   * there is none. The waiter joins before the attempt's outcome is wired: a dial can fail
   * synchronously (e.g. a host name that does not resolve), and the outcome must still reach
   * every waiter, this one included. A new dial refuses a loopback peer if
   * {@code refuseLoopback} (see {@link #dial(CapnpUri, Tls, boolean)}). On the loop.
   */
  private void joinAttempt(CapnpUri uri, Tls t, boolean refuseLoopback,
      java.util.function.Consumer<Attempt> join) {
    AuthDigest auth = uri.auth();
    Attempt attempt = pending.get(auth);
    boolean fresh = attempt == null;
    if (fresh) {
      attempt = new Attempt(dial(uri, t, refuseLoopback));
      pending.put(auth, attempt);
    }
    join.accept(attempt);
    if (fresh) {
      wireOutcome(auth, attempt);
    }
  }

  /**
   * How a connect to {@code auth} uses the connection table now: an existing connection it may
   * use ({@code use}), or a wait after which it must decide again ({@code retryAfter}), or,
   * with both null, the pending attempt to join or a new dial.
   */
  private record Sharing(Conn use, CompletableFuture<Void> retryAfter) {
  }

  /** The crossed-connection rules (spec section 7) for a connect to {@code auth}. On the loop. */
  private Sharing sharing(AuthDigest auth) {
    Conn existing = connections.get(auth);
    if (existing != null && existing.rpc.disconnectReason() != null) {
      connections.remove(auth, existing);
      existing = null;
    }
    if (existing == null) {
      return new Sharing(null, null);
    }
    Attempt attempt = pending.get(auth);
    boolean winnerKind = existing.initiated == (digest().compareTo(auth) > 0);
    if (winnerKind || (existing.initiated && handshakes.isEmpty())
        || (!existing.initiated && attempt == null)) {
      return new Sharing(existing, null);
    }
    if (existing.initiated) {
      // ours may still lose to a crossed connection whose handshake is under way
      return new Sharing(null, handshakesSettled());
    }
    // the peer's may lose to our pending dial: share the attempt's outcome
    return new Sharing(null, null);
  }

  /** Hands {@code a}'s outcome to its waiters when it ends (on the loop). */
  private void wireOutcome(AuthDigest auth, Attempt a) {
    a.future.whenComplete((c, e) -> loop.run(() -> settle(auth, a, c, e)));
  }

  // ================================================================= three-party handoff

  /** What the handoff network uses of this vat. */
  private final class HandoffHost implements VatHandoffNetwork.Host {
    @Override
    public AuthDigest digest() {
      return Vat.this.digest();
    }

    @Override
    public EventLoop loop() {
      return loop;
    }

    @Override
    public CompletableFuture<RpcConnection> connectForHandoff(AuthDigest host,
        NetAddress address) {
      // a name (not a local literal) that resolves to a loopback address is not dialled: a
      // remote vat could otherwise make this one dial its own loopback interface
      return connectionOnLoop(new CapnpUri(host, address, ServiceId.EMPTY),
          !HandoffAddresses.isLocal(address));
    }
  }

  /**
   * The shared TLS connection to {@code uri}'s vat (as {@link #connect} finds or dials it, with
   * the same crossed-connection rules), without a bootstrap; a new dial refuses a loopback peer
   * if {@code refuseLoopback}. On the loop; completes on it.
   */
  private CompletableFuture<RpcConnection> connectionOnLoop(CapnpUri uri,
      boolean refuseLoopback) {
    if (closed) {
      return CompletableFuture.failedFuture(RpcException.failed("Vat is closed"));
    }
    AuthDigest auth = uri.auth();
    if (auth.isInsecure() || auth.equals(digest())) {
      return CompletableFuture.failedFuture(RpcException.failed(
          "not a handoff host: " + auth));
    }
    return whenTlsReady(() -> connectionOnLoop(uri, refuseLoopback), t -> {
      Sharing share = sharing(auth);
      if (share.use() != null) {
        return CompletableFuture.completedFuture(share.use().rpc);
      }
      if (share.retryAfter() != null) {
        return share.retryAfter().thenComposeAsync(x -> connectionOnLoop(uri, refuseLoopback),
            loop);
      }
      CompletableFuture<RpcConnection> mine = new CompletableFuture<>();
      joinAttempt(uri, t, refuseLoopback, a -> a.connectionWaiters.add(mine));
      return mine;
    });
  }

  /** An attempt ended: every waiter gets its own bootstrap of the connection, or the error. */
  private void settle(AuthDigest auth, Attempt a, Conn c, Throwable e) {
    pending.remove(auth, a);
    for (CompletableFuture<RpcConnection> w : a.connectionWaiters) {
      if (e != null) {
        w.completeExceptionally(unwrap(e));
      } else {
        w.complete(c.rpc);
      }
    }
    a.connectionWaiters.clear();
    for (Map.Entry<ServiceId.DigestKey, List<CompletableFuture<Capability>>> w
        : a.waiters.entrySet()) {
      if (e != null) {
        Throwable err = unwrap(e);
        w.getValue().forEach(f -> f.completeExceptionally(err));
        continue;
      }
      Capability cap = bootstrap(c, a.ids.get(w.getKey()));
      for (CompletableFuture<Capability> f : w.getValue()) {
        f.complete(cap.dup());
      }
      cap.close();
    }
    a.waiters.clear();
  }

  /** Completes (on the loop) once every incoming TLS handshake in progress now has ended. */
  private CompletableFuture<Void> handshakesSettled() {
    return CompletableFuture.allOf(handshakes.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * The peer's service {@code sid} on {@code c}: a promise that breaks if the peer has not
   * answered within the connect timeout (a peer that accepts connections but never answers
   * must not leave the caller's first call waiting forever).
   */
  private Capability bootstrap(Conn c, ServiceId sid) {
    return c.rpc.bootstrap(sid.isEmpty() ? null : sid.toBytes(),
        config.connectTimeout().toMillis());
  }

  private Capability answerBootstrap(dev.capnp.runtime.AnyPointer.Reader objectId) {
    return bootstrapper.bootstrap(objectId);
  }

  // ============================================================================ streams

  /**
   * Runs a connection over an existing byte stream (e.g. a child process's stdin/stdout); this
   * vat's restorer answers the peer's bootstraps ({@code ServiceId.EMPTY} for a plain
   * bootstrap). Use {@link RpcConnection#bootstrap()} for the peer's service.
   *
   * @param in the stream messages are read from
   * @param out the stream messages are written to
   * @param connName a name for the connection in logs
   * @return the running connection
   */
  public RpcConnection connectStream(InputStream in, OutputStream out, String connName) {
    return connectTransport(StreamTransport.of(in, out, connName), connName);
  }

  /**
   * Runs a connection over any message transport, answered by this vat's restorer.
   *
   * @param transport the transport of the connection
   * @param connName a name for the connection in logs
   * @return the running connection
   */
  public RpcConnection connectTransport(MessageTransport transport, String connName) {
    RpcConnection rpc = new RpcConnection(loop, transport, this::answerBootstrap, connName)
        .limits(config.connectionLimits())
        .incomingBudget(incomingBudget)
        .problemLog(peerLog)
        .streamFlowControl(config.streamFlowControl());
    Conn c = new Conn(rpc, null, true, null);
    loop.execute(() -> track(c));
    rpc.start();
    return rpc;
  }

  // ======================================================================== networking

  /**
   * The vat's TLS contexts: made at once for a TLS server, otherwise on a worker thread (RSA key
   * generation takes long enough to stall every connection of the I/O thread).
   */
  private synchronized CompletableFuture<Tls> tlsSetup() {
    if (tlsSetup == null) {
      CompletableFuture<Tls> f = new CompletableFuture<>();
      tlsSetup = f;
      Thread worker = new Thread(() -> {
        try {
          f.complete(new Tls(config.secretKey(), config.thirdPartyHandoff()));
        } catch (RuntimeException | Error e) {
          f.completeExceptionally(e);
        }
      }, name + "-tls-setup");
      worker.setDaemon(true);
      worker.start();
    }
    return tlsSetup;
  }

  private Channel listen(NetAddress address) {
    boolean secure = config.tls();
    Tls t = secure ? tlsSetup().join() : null;
    if (address instanceof NetAddress.Unix) {
      Path p = Path.of(((NetAddress.Unix) address).path());
      try {
        if (Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p)) {
          Files.delete(p); // a stale socket from an earlier run
        }
      } catch (IOException e) {
        throw new IllegalStateException("Cannot remove stale socket " + p + ": " + e, e);
      }
    }
    ServerBootstrap sb = new ServerBootstrap().group(group, group);
    platform.configureServer(sb, address, config.backlog());
    sb.childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (!admit(ch)) {
          return;
        }
        NettyTransport transport = newTransport(ch);
        // a peer that connects and says nothing (or stalls in its handshake or first frame)
        // must not hold the socket: it has this long for its first complete message
        transport.expectFirstMessageWithin(config.firstMessageTimeout().toMillis());
        if (secure) {
          // the handshake's delegated tasks run on the TLS workers, not on the vat's loop, so a
          // burst of handshakes does not stall the connections it serves: with the JDK's
          // provider the key exchange and signatures; with OpenSSL (Tls.provider()) the checks of
          // certificates and the choice of key, its signature (about 0.3 ms) on the loop
          SslHandler ssl = t.serverContext().newHandler(ch.alloc(), tlsTasks);
          ssl.setHandshakeTimeoutMillis(0); // the first-message timeout covers the handshake
          ch.pipeline().addLast("tls", ssl);
          CompletableFuture<Void> handshake = new CompletableFuture<>();
          loop.execute(() -> handshakes.add(handshake));
          ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
              sayHello(ch);
              AuthDigest peer = peerDigest(ssl);
              loop.execute(() -> {
                handshakes.remove(handshake);
                accepted(transport, peer);
                handshake.complete(null);
              });
            } else {
              if (f.cause() instanceof java.nio.channels.ClosedChannelException) {
                // closed before the handshake ended: by the peer, or by us (a timeout, which
                // said so, or a crossed connection that lost); nothing was rejected
                LOG.debug("TLS handshake with {} ended: connection closed", ch.remoteAddress());
              } else if (ch.isActive() || !transport.dropLogged()) {
                peerLog.warn("TLS handshake with {} failed: {}", ch.remoteAddress(),
                    describeTlsFailure(f.cause()));
              }
              ch.close();
              loop.execute(() -> {
                handshakes.remove(handshake);
                handshake.complete(null);
              });
            }
          });
        }
        addCodec(ch, transport);
        if (secure && t.offersLevel3()) {
          HelloExchange.install(ch, ch.pipeline().get(SslHandler.class), "decoder", peerLog);
        }
        if (!secure) {
          loop.execute(() -> accepted(transport, null));
        }
      }
    });
    ChannelFuture f = sb.bind(platform.socketAddress(address)).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException("Cannot listen on " + address + ": "
          + f.cause().getMessage(), f.cause());
    }
    return f.channel();
  }

  /**
   * Counts an accepted or dialled channel against {@link VatConfig#maxConnections()}; refuses
   * (closes at once, logged) one over the limit. Runs on the channel's I/O thread.
   */
  private boolean admit(Channel ch) {
    int open = openChannels.incrementAndGet();
    ch.closeFuture().addListener(x -> openChannels.decrementAndGet());
    if (open > config.maxConnections()) {
      metrics.connectionRefused();
      peerLog.warn("Refused connection from {}: {} connections open (maxConnections {})",
          ch.remoteAddress(), open - 1, config.maxConnections());
      ch.close();
      return false;
    }
    return true;
  }

  private NettyTransport newTransport(Channel ch) {
    return new NettyTransport(ch, metrics, config.connectionLimits().maxQueuedReplyBytes())
        .replyBudget(replyBudget).logTo(peerLog).onFatalError(loop::fatal)
        .replyStallTimeout(config.replyStallTimeout().toMillis());
  }

  /** A failed handshake in one bounded line: what failed, never the peer's bytes. */
  static String describeTlsFailure(Throwable cause) {
    Throwable c = cause;
    while (c.getCause() != null && c.getCause() != c
        && (c instanceof io.netty.handler.codec.DecoderException
        || c.getMessage() == null)) {
      c = c.getCause();
    }
    if (c instanceof io.netty.handler.ssl.NotSslRecordException) {
      return "not a TLS record (plaintext or garbage)";
    }
    String m = c.getMessage();
    String plain = m == null ? null : explainOpenSslError(m);
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + RateLimitedLog.bounded(m))
        + (plain == null ? "" : " (" + plain + ")");
  }

  /** OpenSSL's name of a TLS alert the peer sent, in its error texts. */
  private static final java.util.regex.Pattern OPENSSL_ALERT =
      java.util.regex.Pattern.compile("(?:TLSV1|SSLV3)_ALERT_([A-Z_]+)");

  /**
   * OpenSSL's error text ({@code error:...:SSL routines:...:REASON}) said plainly, or null when
   * it is not one this knows.
   */
  static String explainOpenSslError(String message) {
    java.util.regex.Matcher alert = OPENSSL_ALERT.matcher(message);
    if (alert.find()) {
      String name = alert.group(1).toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      return "the peer ended the handshake with the alert \"" + name + "\"; a vat client sends"
          + " one when this vat's key is not the one its URI names";
    }
    if (message.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE")) {
      return "the client sent no certificate; vats require one";
    }
    return null;
  }

  /**
   * Sends this vat's {@code VatHello} on {@code ch} if its handshake (just finished) negotiated
   * Level 3: where this vat can be reached, as this peer may use it
   * ({@link HandoffAddresses#announce}). On the channel's I/O thread, before the connection is
   * handed to RPC.
   */
  private void sayHello(Channel ch) {
    HelloExchange hello = HelloExchange.of(ch);
    if (hello != null) {
      hello.send(ch, HandoffAddresses.announce(config.publicAddress(), bound,
          ch.localAddress(), HelloExchange.localConnection(ch)));
    }
  }

  private void addCodec(Channel ch, NettyTransport transport) {
    FrameDecoder decoder = new FrameDecoder(config.maxMessageWords(), config.readerOptions(),
        config.frameTimeout().toMillis());
    if (FrameSizedReads.appliesTo(ch)) {
      FrameSizedReads.install(ch.config(), decoder);
    }
    ch.pipeline().addLast("decoder", decoder);
    ch.pipeline().addLast("encoder", new FrameEncoder(NettyPlatform.isUnixDomain(ch)));
    ch.pipeline().addLast("rpc", transport);
  }

  private static AuthDigest peerDigest(SslHandler ssl) {
    try {
      Certificate[] certs = ssl.engine().getSession().getPeerCertificates();
      return AuthDigest.ofPublicKey(certs[0].getPublicKey());
    } catch (SSLPeerUnverifiedException e) {
      throw new IllegalStateException("No client certificate found", e);
    }
  }

  private void accepted(NettyTransport transport, AuthDigest peer) {
    if (closed) {
      transport.close();
      return;
    }
    Conn c = newConn(transport, peer, false, null);
    if (peer != null) {
      register(c);
    }
  }

  /**
   * A new RPC connection over {@code transport} to the vat with key {@code peer} (null:
   * insecure), which we dialled at {@code dialled} (null: it dialled us); a TLS connection joins
   * the handoff network, speaking Level 3 if the handshake negotiated it. On the loop.
   */
  private Conn newConn(NettyTransport transport, AuthDigest peer, boolean initiated,
      NetAddress dialled) {
    String connName = name + (initiated ? "->" : "<-") + transport.channel().remoteAddress();
    RpcConnection rpc = new RpcConnection(loop, transport, this::answerBootstrap, connName)
        .limits(config.connectionLimits())
        .incomingBudget(incomingBudget)
        .problemLog(peerLog)
        .streamFlowControl(config.streamFlowControl());
    if (handoff != null && peer != null) {
      Channel ch = transport.channel();
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      HelloExchange hello = HelloExchange.of(ch);
      handoff.attach(rpc, peer, dialled, ssl != null && Tls.level3Negotiated(ssl),
          HelloExchange.localConnection(ch),
          hello == null ? List::of : hello::announced);
    }
    Conn c = new Conn(rpc, peer, initiated, transport.channel());
    track(c);
    rpc.start();
    return c;
  }

  private void track(Conn c) {
    all.add(c);
    metrics.connectionOpened();
    c.rpc.whenDisconnected().whenComplete((e, x) -> loop.execute(() -> {
      all.remove(c);
      if (handoff != null) {
        handoff.detach(c.rpc);
      }
      metrics.connectionClosed();
      if (c.peer != null) {
        connections.remove(c.peer, c);
      }
    }));
  }

  /** Adds a TLS connection to the table (crossed connections: spec section 7); the winner. */
  private Conn register(Conn c) {
    if (c.rpc.disconnectReason() != null) {
      return c; // lost already (e.g. the vat closed while it waited): its bootstraps break
    }
    Conn existing = connections.get(c.peer);
    if (existing == null || existing.rpc.disconnectReason() != null) {
      connections.put(c.peer, c);
      return c;
    }
    boolean keepNew = (digest().compareTo(c.peer) > 0) == c.initiated;
    if (keepNew) {
      connections.put(c.peer, c);
      existing.rpc.disconnect(RpcException.failed("Invalidated by newer connection"));
      return c;
    }
    c.rpc.disconnect(RpcException.failed("Invalidated by newer connection"));
    return existing;
  }

  /** Dials {@code uri}'s address; {@code t} is the vat's TLS (null for an insecure URI). */
  private CompletableFuture<Conn> dial(CapnpUri uri, Tls t) {
    return dial(uri, t, false);
  }

  /**
   * Dials {@code uri}'s address; {@code t} is the vat's TLS (null for an insecure URI). With
   * {@code refuseLoopback}, a TCP connection whose peer turns out to be on a loopback address
   * (a host name resolving there) is closed before anything is sent on it, and the dial fails.
   */
  private CompletableFuture<Conn> dial(CapnpUri uri, Tls t, boolean refuseLoopback) {
    CompletableFuture<Conn> result = new CompletableFuture<>();
    AuthDigest auth = uri.auth();
    boolean secure = !auth.isInsecure();
    NetAddress address = uri.address();
    Tls.PinningTrustManager pin = secure ? new Tls.PinningTrustManager(auth) : null;
    NettyTransport[] transportHolder = new NettyTransport[1];
    SslHandler[] sslHolder = new SslHandler[1];
    LoopbackGuard guard = refuseLoopback ? new LoopbackGuard(address) : null;
    Bootstrap b = new Bootstrap().group(group);
    try {
      platform.configureClient(b, address);
      b.handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          openChannels.incrementAndGet();
          ch.closeFuture().addListener(x -> openChannels.decrementAndGet());
          NettyTransport transport = newTransport(ch);
          transportHolder[0] = transport;
          if (guard != null) {
            ch.pipeline().addLast("loopback-guard", guard);
          }
          if (secure) {
            SslHandler ssl = t.clientContext(pin).newHandler(ch.alloc(), tlsTasks);
            ssl.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
            sslHolder[0] = ssl;
            ch.pipeline().addLast("tls", ssl);
          }
          addCodec(ch, transport);
          if (secure && t.offersLevel3()) {
            HelloExchange.install(ch, sslHolder[0], "decoder", peerLog);
          }
        }
      });
      b.option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
          (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
      ChannelFuture dialled = b.connect(platform.socketAddress(address));
      long timeout = config.connectTimeout().toMillis();
      java.util.concurrent.ScheduledFuture<?> timer = loop.schedule(() -> {
        if (!result.isDone()) {
          dialled.channel().close();
          failDial(result, "Timed out connecting to " + address + ": no connection"
              + (secure ? " (TLS included)" : "") + " within " + Durations.describe(timeout));
        }
      }, timeout, TimeUnit.MILLISECONDS);
      result.whenComplete((c, e) -> timer.cancel(false));
      dialled.addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          failDial(result, "Could not connect to " + address + ": " + describe(f.cause()));
          return;
        }
        if (guard != null && guard.refused != null) {
          failDial(result, guard.refused);
          return;
        }
        if (!secure) {
          loop.execute(() -> connected(result, transportHolder[0], null, address));
          return;
        }
        sslHolder[0].handshakeFuture().addListener(h -> {
          if (h.isSuccess()) {
            sayHello(f.channel());
            loop.execute(() -> connected(result, transportHolder[0], auth, address));
          } else {
            String why = pin.failure() != null
                ? "authentication failure: " + pin.failure() : describe(h.cause());
            f.channel().close();
            if (guard != null && guard.refused != null) {
              failDial(result, guard.refused);
              return;
            }
            failDial(result, "TLS connection failed: TLS failure: " + why + " (connecting to "
                + address + ")");
          }
        });
      });
    } catch (RuntimeException e) {
      failDial(result, "Could not connect to " + address + ": " + describe(e));
    }
    return result;
  }

  /**
   * First in a handoff dial's pipeline: when the connection turns out to lead to a loopback
   * address, closes it before the TLS handshake starts (the channel never becomes active for the
   * handlers after it) and says why. On the channel's I/O thread.
   */
  private static final class LoopbackGuard extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final NetAddress address;
    volatile String refused;

    LoopbackGuard(NetAddress address) {
      this.address = address;
    }

    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
      java.net.SocketAddress remote = ctx.channel().remoteAddress();
      if (remote instanceof java.net.InetSocketAddress
          && ((java.net.InetSocketAddress) remote).getAddress() != null
          && ((java.net.InetSocketAddress) remote).getAddress().isLoopbackAddress()) {
        refused = "Three-party handoff: " + address + " resolves to a loopback address ("
            + ((java.net.InetSocketAddress) remote).getAddress().getHostAddress()
            + "): not dialled for a contact";
        ctx.close();
        return;
      }
      ctx.pipeline().remove(this);
      ctx.fireChannelActive();
    }
  }

  private void failDial(CompletableFuture<Conn> result, String message) {
    if (result.completeExceptionally(RpcException.failed(message))) {
      metrics.connectFailed();
    }
  }


  private void connected(CompletableFuture<Conn> result, NettyTransport transport,
      AuthDigest peer, NetAddress address) {
    if (result.isDone()) {
      transport.close(); // the dial timed out meanwhile
      return;
    }
    if (closed) {
      transport.close();
      result.completeExceptionally(RpcException.failed("Vat is closed"));
      return;
    }
    Conn c = newConn(transport, peer, true, address);
    if (peer == null) {
      result.complete(c);
    } else if (digest().compareTo(peer) < 0 && !handshakes.isEmpty()) {
      // a crossed connection from the peer would win over ours: see whether one is coming
      handshakesSettled().thenRun(() -> result.complete(register(c)));
    } else {
      result.complete(register(c));
    }
  }

  private static String describe(Throwable t) {
    Throwable c = unwrap(t);
    while (c.getCause() != null && c.getMessage() == null) {
      c = c.getCause();
    }
    return c.getMessage() != null ? c.getMessage() : c.toString();
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * Completes when the vat has stopped: normally after {@link #close()}, exceptionally with the
   * cause when the vat failed and shut itself down (a fatal error such as
   * {@code OutOfMemoryError} on its loop, or its I/O thread ending). A server's main thread
   * should wait on this and exit with a non-zero status on failure, so that a supervisor
   * restarts it:
   * <pre>
   * try {
   *   vat.whenStopped().join();
   * } catch (CompletionException e) {
   *   System.exit(1);
   * }
   * </pre>
   *
   * @return a future completed when the vat has stopped
   */
  public CompletableFuture<Void> whenStopped() {
    return stopped;
  }

  /**
   * The vat cannot go on: it says so once (ERROR), stops listening, aborts every connection,
   * stops its threads and fails {@link #whenStopped()}. Runs on any thread; never blocks.
   */
  private void fail(Throwable cause) {
    if (failure != null || closeRequested) {
      return;
    }
    failure = cause;
    try {
      LOG.error("Vat {} failed and is shutting down: {}", name, cause.toString());
    } catch (Throwable ignored) {
      // nothing more to say when even logging fails
    }
    Thread stopper = new Thread(() -> {
      try {
        close();
      } catch (Throwable ignored) {
        // best effort: the vat is failing anyway
      } finally {
        stopped.completeExceptionally(cause);
      }
    }, name + "-failed");
    stopper.setDaemon(true);
    try {
      stopper.start();
    } catch (Throwable e) {
      // no thread to be had (memory exhausted): stop what we can from here
      if (serverChannel != null) {
        serverChannel.close();
      }
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      stopped.completeExceptionally(cause);
    }
  }

  /**
   * Live connections (a snapshot, for diagnostics and tests).
   *
   * @return the number of live connections
   */
  public int connectionCount() {
    return loop.submit(all::size).join();
  }

  /**
   * Channels open now, accepted or dialled, whether or not their handshake has finished (for
   * tests: a dial still under way, or a connection that lost a crossing and is closing, counts).
   */
  int openChannelCount() {
    return openChannels.get();
  }

  /** The live RPC connections (a snapshot taken on the loop; for tests and diagnostics). */
  List<RpcConnection> rpcConnections() {
    return snapshot(c -> c.rpc);
  }

  /** The channels of the live RPC connections (a snapshot taken on the loop; for tests). */
  List<Channel> connectionChannels() {
    return snapshot(c -> c.channel);
  }

  /** One thing of each live connection, in order, read on the loop. */
  private <T> List<T> snapshot(java.util.function.Function<Conn, T> part) {
    return loop.submit(() -> {
      List<T> r = new ArrayList<>();
      all.forEach(c -> r.add(part.apply(c)));
      return r;
    }).join();
  }

  /** The handoff network, or null when handoff is off (for tests; use on the loop). */
  VatHandoffNetwork handoffNetwork() {
    return handoff;
  }

  /**
   * Entries of the handoff network's tables: offers standing and Accepts waiting at this vat as
   * a host, and connections attached (a snapshot; for leak checks). Zeros when handoff is off.
   */
  int[] handoffTableSizes() {
    return loop.submit(() -> handoff == null ? new int[2]
        : new int[] {handoff.offers(), handoff.connections()}).join();
  }

  /** Stops listening, aborts every connection ("Vat shut down") and stops the I/O thread. */
  @Override
  public void close() {
    boolean failing = failure != null;
    closeRequested = true;
    try {
      closeNow();
    } finally {
      if (!failing) {
        stopped.complete(null);
      }
    }
  }

  private void closeNow() {
    if (ioLoop.inEventLoop()) {
      // on our own thread: cannot wait for ourselves; abort and let the thread wind down
      closed = true;
      for (Conn c : new ArrayList<>(all)) {
        c.rpc.disconnect(RpcException.disconnected("Vat shut down"));
      }
      if (serverChannel != null) {
        serverChannel.close();
      }
      group.shutdownGracefully(100, NettyTransport.LINGER_MILLIS, TimeUnit.MILLISECONDS)
          .addListener(f -> loop.close());
      return;
    }
    CompletableFuture<List<Channel>> done = new CompletableFuture<>();
    loop.execute(() -> {
      closed = true;
      List<Channel> channels = new ArrayList<>();
      for (Conn c : new ArrayList<>(all)) {
        if (c.channel != null) {
          channels.add(c.channel);
        }
        c.rpc.disconnect(RpcException.disconnected("Vat shut down"));
      }
      if (serverChannel != null) {
        serverChannel.close();
      }
      done.complete(channels);
    });
    try {
      // let the Aborts reach the peers (each transport half-closes and waits for the peer)
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
          NettyTransport.LINGER_MILLIS + 500);
      for (Channel ch : done.get(5, TimeUnit.SECONDS)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
          break;
        }
      }
    } catch (Exception e) {
      LOG.debug("vat {} did not shut down cleanly: {}", name, e.toString());
    }
    long tlsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (tlsTasksRunning.get() > 0 && System.nanoTime() < tlsDeadline) {
      try {
        Thread.sleep(5); // a handshake step in flight hands its result back to the I/O thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    loop.close();
    peerLog.flush();
    if (bound instanceof NetAddress.Unix) {
      try {
        Files.deleteIfExists(Path.of(((NetAddress.Unix) bound).path()));
      } catch (IOException e) {
        LOG.debug("cannot remove socket {}: {}", bound, e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "Vat(" + name + (bound != null ? ", " + bound : ", client") + ")";
  }
}
