package dev.capnp.rpc;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.StructList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One two-party Cap'n Proto RPC connection (Level 1): the four tables (questions, answers,
 * imports, exports) plus embargoes, and the handling of every protocol message.
 *
 * <p>Threading: all state is confined to {@link #loop()}; incoming messages are handed to the
 * loop by the transport's receiver; public methods may be called from any thread.
 */
public final class RpcConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);
  private static final short[] NO_OPS = new short[0];
  /**
   * Protocol violations are the peer's doing: one bounded line each, at most 20 per 10 s in
   * this JVM (the rest summarised), so that hostile peers cannot flood the log.
   */
  private static final RateLimitedLog PEER_PROBLEMS =
      new RateLimitedLog(LOG, "protocol errors of peers", 20, 10_000);
  /** Prefix of the abort reason when handling a message failed unexpectedly (a defect). */
  public static final String INTERNAL_ERROR = "internal error handling a message: ";

  /** Supplies the capability answered to a peer's {@code Bootstrap}. */
  @FunctionalInterface
  public interface BootstrapFactory {
    /**
     * The capability for a bootstrap request ({@code objectId} is the
     * {@code deprecatedObjectId}, or null when absent). Ownership of the handle passes to the
     * connection; throw {@link RpcException} to answer with an exception.
     *
     * @param objectId the request's {@code deprecatedObjectId}, or null when absent
     * @return the capability to answer with, owned by the connection from now on
     */
    Capability bootstrap(AnyPointer.Reader objectId);
  }

  private final EventLoop loop;
  private final MessageTransport transport;
  private final BootstrapFactory bootstrapFactory;
  private final String name;
  private ConnectionLimits limits = ConnectionLimits.DEFAULT;
  private RateLimitedLog problemLog = PEER_PROBLEMS;
  private StreamFlowControl flowControl = StreamFlowControl.DEFAULT;
  /** Bytes of incoming Call messages held by answers not yet removed. */
  private long bytesInFlight;
  /** Bytes of received messages queued for the loop and not yet handled (any thread). */
  private final java.util.concurrent.atomic.AtomicLong queuedIncoming =
      new java.util.concurrent.atomic.AtomicLong();
  /** Whether this connection has paused its transport (see {@link #adjustReading()}). */
  private volatile boolean readingPaused;

  private final IdTable<Question> questions = new IdTable<>();
  private final HashMap<Integer, Answer> answers = new HashMap<>();
  private final HashMap<Integer, Import> imports = new HashMap<>();
  private final IdTable<Export> exports = new IdTable<>();
  private final IdentityHashMap<ClientHook, Integer> exportsByHook = new IdentityHashMap<>();
  private final IdTable<Embargo> embargoes = new IdTable<>();
  private final ArrayList<Runnable> afterSend = new ArrayList<>();

  private RpcException disconnected;
  private final CompletableFuture<RpcException> disconnectFuture = new CompletableFuture<>();
  /** The loss of the connection for its hooks' watchers: removable listeners (loop only). */
  final BreakSignal lossSignal = BreakSignal.following(disconnectFuture);

  /**
   * A connection over {@code transport} whose state lives on {@code loop}; {@code bootstrap}
   * answers the peer's Bootstrap messages (null: this side offers none).
   *
   * @param loop the event loop that owns the connection's state
   * @param transport the transport to the peer, owned by the connection
   * @param bootstrap answers the peer's Bootstrap messages, or null to offer none
   * @param name the connection's name in logs and traces
   */
  public RpcConnection(EventLoop loop, MessageTransport transport, BootstrapFactory bootstrap,
      String name) {
    this.loop = loop;
    this.transport = transport;
    this.bootstrapFactory = bootstrap;
    this.name = name;
  }

  /**
   * A connection offering {@code bootstrap} (a dup for every request; may be null), started.
   * The connection takes ownership of {@code bootstrap} and releases it when it ends.
   *
   * @param loop the event loop that owns the connection's state
   * @param transport the transport to the peer, owned by the connection
   * @param bootstrap the capability offered to the peer's Bootstrap, owned by the connection;
   *     may be null
   * @param name the connection's name in logs and traces
   * @return the started connection
   */
  public static RpcConnection create(EventLoop loop, MessageTransport transport,
      Capability bootstrap, String name) {
    BootstrapFactory f = bootstrap == null ? null : id -> {
      if (id != null && !id.isNull()) {
        throw RpcException.failed("This vat has no restorer (object id given)");
      }
      return bootstrap.dup();
    };
    RpcConnection c = new RpcConnection(loop, transport, f, name);
    if (bootstrap != null) {
      c.whenDisconnected().whenComplete((e, x) -> bootstrap.close());
    }
    c.start();
    return c;
  }

  /**
   * Sets this connection's resource limits (before {@link #start()}); returns this.
   *
   * @param newLimits the limits to apply
   * @return this connection
   */
  public RpcConnection limits(ConnectionLimits newLimits) {
    this.limits = java.util.Objects.requireNonNull(newLimits, "limits");
    return this;
  }

  /**
   * Where this connection logs the peer's protocol violations (default: one rate-limited log
   * for the JVM; a vat passes its own); returns this.
   *
   * @param log where the peer's protocol violations are logged
   * @return this connection
   */
  public RpcConnection problemLog(RateLimitedLog log) {
    this.problemLog = java.util.Objects.requireNonNull(log, "log");
    return this;
  }

  /**
   * This connection's resource limits.
   *
   * @return the limits in force
   */
  public ConnectionLimits limits() {
    return limits;
  }

  /**
   * Sets how streaming calls to the peer's capabilities are flow controlled (each capability
   * gets its own controller at its first streaming call; default {@link StreamFlowControl#DEFAULT});
   * returns this.
   *
   * @param policy makes one flow controller per imported capability
   * @return this connection
   */
  public RpcConnection streamFlowControl(StreamFlowControl policy) {
    this.flowControl = java.util.Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Like {@link #create(EventLoop, MessageTransport, Capability, String)} with the given
   * resource limits.
   *
   * @param loop the event loop that owns the connection's state
   * @param transport the transport to the peer, owned by the connection
   * @param bootstrap the capability offered to the peer's Bootstrap, owned by the connection;
   *     may be null
   * @param name the connection's name in logs and traces
   * @param limits the connection's resource limits
   * @return the started connection
   */
  public static RpcConnection create(EventLoop loop, MessageTransport transport,
      Capability bootstrap, String name, ConnectionLimits limits) {
    BootstrapFactory f = bootstrap == null ? null : id -> {
      if (id != null && !id.isNull()) {
        throw RpcException.failed("This vat has no restorer (object id given)");
      }
      return bootstrap.dup();
    };
    RpcConnection c = new RpcConnection(loop, transport, f, name).limits(limits);
    if (bootstrap != null) {
      c.whenDisconnected().whenComplete((e, x) -> bootstrap.close());
    }
    c.start();
    return c;
  }

  /** Starts receiving messages. */
  public void start() {
    transport.start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        long bytes = messageBytes(message);
        if (queuedIncoming.addAndGet(bytes) > limits.maxQueuedIncomingBytes()) {
          adjustReading();
        }
        loop.execute(() -> {
          try {
            handle(message);
          } finally {
            if (queuedIncoming.addAndGet(-bytes) <= limits.maxQueuedIncomingBytes() / 2
                && readingPaused) {
              adjustReading();
            }
          }
        });
      }

      @Override
      public void onClosed(Throwable cause) {
        loop.execute(() -> {
          // end of stream: tell the peer why we are going (spec: Abort "Connection closed",
          // flushed before the transport closes); a failed transport cannot carry it
          RpcException e = cause == null ? RpcException.disconnected("Connection closed")
              : RpcException.disconnected("Connection failed: " + cause);
          disconnect(e, cause == null);
        });
      }
    });
  }

  /**
   * The event loop owning this connection.
   *
   * @return the loop that owns this connection
   */
  public EventLoop loop() {
    return loop;
  }

  /**
   * Requests the peer's bootstrap capability.
   *
   * @return a promise for the peer's bootstrap capability (owned by the caller)
   */
  public Capability bootstrap() {
    return bootstrap((String) null);
  }

  /**
   * Requests the peer's bootstrap capability, passing {@code serviceId} as the
   * {@code deprecatedObjectId} (a Text; null or empty sends none).
   *
   * @param serviceId the service ID to send, or null/empty for none
   * @return a promise for the capability (owned by the caller)
   */
  public Capability bootstrap(String serviceId) {
    return bootstrap(serviceId == null ? null
        : serviceId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Requests the peer's bootstrap capability, passing {@code objectId} (any bytes, e.g. a raw
   * service ID) as the {@code deprecatedObjectId} Text; null or empty sends none.
   *
   * @param objectId the object ID bytes to send, or null/empty for none
   * @return a promise for the capability (owned by the caller)
   */
  public Capability bootstrap(byte[] objectId) {
    return bootstrap(objectId, 0);
  }

  /**
   * Like {@link #bootstrap(byte[])}, but if the peer has not answered the {@code Bootstrap}
   * within {@code answerTimeoutMillis} (0: no limit), the capability breaks with a
   * {@code FAILED} {@link RpcException} ("No answer to the bootstrap within ...") and the
   * question is finished; a late answer is then released unread.
   *
   * @param objectId the object ID bytes to send, or null/empty for none
   * @param answerTimeoutMillis how long the peer has to answer, in milliseconds (0: no limit)
   * @return a promise for the capability (owned by the caller)
   */
  public Capability bootstrap(byte[] objectId, long answerTimeoutMillis) {
    byte[] id = objectId == null || objectId.length == 0 ? null : objectId.clone();
    if (loop.inLoop()) {
      return new Capability(bootstrapHook(id, answerTimeoutMillis));
    }
    QueuedClient q = new QueuedClient(loop, "bootstrap");
    q.addRef();
    loop.execute(() -> {
      q.resolve(bootstrapHook(id, answerTimeoutMillis));
      q.release();
    });
    return new Capability(q);
  }

  /**
   * The bootstrap question {@code q} got no Return in time: its pipelined capabilities break
   * now, and the question is treated as canceled by its caller (Finish once nothing pipelines on
   * it; the Return, if it ever comes, finds a canceled question and is released).
   */
  private void expireBootstrap(Question q, long timeoutMillis) {
    if (q.returned || q.promise.isDone() || disconnected != null) {
      return;
    }
    RpcException e = RpcException.failed("No answer to the bootstrap within "
        + Request.describeMillis(timeoutMillis));
    q.pipeline.onError(e);
    if (q.promise.cancel(false)) {
      dropQuestionRef(q);
    }
  }

  private ClientHook bootstrapHook(byte[] objectId, long answerTimeoutMillis) {
    if (disconnected != null) {
      return new BrokenClient(loop, disconnected);
    }
    Question q = new Question();
    q.id = questions.add(q);
    q.pipeline = new RpcPipeline(q);
    MessageBuilder mb = new MessageBuilder(16 + (objectId == null ? 0 : objectId.length / 8));
    Rpc.Bootstrap.Builder b = mb.initRoot(Rpc.Message.FACTORY).initBootstrap();
    b.setQuestionId(q.id);
    if (objectId != null) {
      b.initDeprecatedObjectId().setAs(dev.capnp.runtime.Text.FACTORY,
          new dev.capnp.runtime.Text.Reader(objectId));
    }
    ClientHook cap = q.pipeline.getPipelinedCap(NO_OPS);
    q.promise.whenComplete((r, e) -> {
      if (r != null) {
        r.release();
      }
    });
    send(mb);
    if (answerTimeoutMillis > 0) {
      java.util.concurrent.ScheduledFuture<?> timer = loop.schedule(
          () -> expireBootstrap(q, answerTimeoutMillis), answerTimeoutMillis,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      q.promise.whenComplete((r, e) -> timer.cancel(false));
    }
    return cap;
  }

  /**
   * Completes with the reason when the connection is lost or aborted.
   *
   * @return a future completed with the reason the connection ended
   */
  public CompletableFuture<RpcException> whenDisconnected() {
    return disconnectFuture;
  }

  /**
   * Aborts the connection: sends {@code Abort(reason)} and breaks every capability on it.
   *
   * @param reason sent to the peer in the Abort and given to every broken capability
   */
  public void disconnect(RpcException reason) {
    loop.run(() -> disconnect(reason, true));
  }

  @Override
  public void close() {
    disconnect(RpcException.disconnected("Connection closed"));
  }

  // ========================================================================= backpressure

  /**
   * Pauses the transport while more than {@code maxQueuedIncomingBytes} of received messages
   * wait for the loop, resumes it once at most half do. Called by the transport's thread (a
   * message arrived) and by the loop (a message was handled); serialized by this lock so that
   * the transport sees the pauses and resumes in the order they were decided. The flag is set
   * before the count is read again, so a drain racing with a pause always sees the flag and
   * comes back here to resume.
   */
  private synchronized void adjustReading() {
    long limit = limits.maxQueuedIncomingBytes();
    if (!readingPaused) {
      readingPaused = true;
      if (queuedIncoming.get() > limit) {
        transport.pauseReading();
      } else {
        readingPaused = false;
      }
    } else if (queuedIncoming.get() <= limit / 2) {
      readingPaused = false;
      transport.resumeReading();
    }
  }

  /**
   * Whether the transport is paused because too much received is still to be handled.
   *
   * @return true while the transport is paused for backpressure
   */
  public boolean isReadingPaused() {
    return readingPaused;
  }

  // ============================================================================== sending

  private void send(MessageBuilder mb) {
    send(mb, false);
  }

  /**
   * Sends {@code mb}; {@code reply}: it is a {@code Return} to the peer, which the transport
   * counts for backpressure ({@link MessageTransport#sendReply}).
   */
  private void send(MessageBuilder mb, boolean reply) {
    if (disconnected != null) {
      afterSend.clear();
      return;
    }
    if (MessageTrace.LOG.isTraceEnabled()) {
      MessageTrace.LOG.trace("{} -> {}", name, MessageTrace.describe(mb));
    }
    try {
      if (reply) {
        transport.sendReply(mb);
      } else {
        transport.send(mb);
      }
    } catch (RuntimeException e) {
      disconnect(RpcException.disconnected("send failed: " + e), false);
      return;
    }
    if (!afterSend.isEmpty()) {
      ArrayList<Runnable> r = new ArrayList<>(afterSend);
      afterSend.clear();
      for (Runnable t : r) {
        t.run();
      }
    }
  }

  private static MessageBuilder newMessage() {
    return new MessageBuilder(32);
  }

  private static void writeException(Rpc.Exception.Builder b, RpcException e) {
    b.setType(Rpc.Exception.Type.values()[e.getType().ordinal()]);
    b.setReason(e.getReason() == null ? "" : e.getReason());
  }

  private static RpcException readException(Rpc.Exception.Reader r) {
    Rpc.Exception.Type t = r.getType();
    RpcException.Type type = t.ordinal() < RpcException.Type.values().length
        ? RpcException.Type.values()[t.ordinal()] : RpcException.Type.FAILED;
    return new RpcException(type, r.hasReason() ? r.getReason().toString() : "");
  }

  // ================================================================== cap descriptors out

  /** Writes the descriptors of {@code caps}; returns the export ids created (or -1s). */
  private int[] writeDescriptors(HookCapTable caps, Rpc.Payload.Builder payload) {
    int n = caps.size();
    if (n == 0) {
      return null;
    }
    StructList.Builder<Rpc.CapDescriptor.Builder> list = payload.initCapTable(n);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = writeDescriptor(caps.get(i), list.get(i));
    }
    return ids;
  }

  /** Describes {@code hook} to the peer, exporting it if needed; returns the export id or -1. */
  int writeDescriptor(ClientHook hook, Rpc.CapDescriptor.Builder d) {
    if (hook == null) {
      d.setNone();
      return -1;
    }
    if (hook.loop != loop) {
      return writeForeignDescriptor(hook, d);
    }
    ClientHook h = ClientHook.shorten(hook);
    if (h instanceof RpcClient && h.brand() == this) {
      return ((RpcClient) h).writeDescriptor(d);
    }
    return writeExport(h, d);
  }

  /**
   * Describes a hook of another loop: it may lead back to this loop (then it is described as
   * what it leads to, for example one of the peer's own capabilities), else it is exported
   * through the loop's {@link CrossLoopClient} to it.
   */
  private int writeForeignDescriptor(ClientHook hook, Rpc.CapDescriptor.Builder d) {
    ClientHook bound = CrossLoopClient.bind(loop, hook.addRef());
    try {
      if (bound instanceof CrossLoopClient) {
        return writeExport(bound, d);
      }
      return writeDescriptor(bound, d);
    } finally {
      bound.release();
    }
  }

  /**
   * Exports {@code h} (a hook of this loop, borrowed), or counts one more reference to its
   * existing export.
   */
  private int writeExport(ClientHook h, Rpc.CapDescriptor.Builder d) {
    Integer existing = exportsByHook.get(h);
    if (existing != null) {
      Export e = exports.get(existing);
      e.refcount++;
      if (e.isPromise) {
        d.setSenderPromise(existing);
      } else {
        d.setSenderHosted(existing);
      }
      return existing;
    }
    if (exports.size() >= limits.maxExports()) {
      // the message being written cannot be taken back: describe nothing and abort after it
      d.setNone();
      loop.execute(() -> disconnect(RpcException.failed("RPC limit exceeded: more than "
          + limits.maxExports() + " capabilities exported to the peer (maxExports)"), true));
      return -1;
    }
    Export e = new Export();
    e.key = h;
    e.hook = h.addRef();
    ClientHook exported = e.hook;
    e.refcount = 1;
    e.id = exports.add(e);
    exportsByHook.put(h, e.id);
    if (exported.whenMoreResolved() != null) {
      e.isPromise = true;
      d.setSenderPromise(e.id);
      watchExport(e, exported);
    } else if (exported.brokenReason() != null) {
      e.isPromise = true;
      d.setSenderPromise(e.id);
      afterSend.add(() -> sendResolve(e, exported));
    } else {
      d.setSenderHosted(e.id);
    }
    return e.id;
  }

  /**
   * Sends the {@code Resolve} of export {@code e} once {@code promise} (its hook) resolves. The
   * wait is removable ({@link Export#stopWatching()}): an export released while its promise
   * never resolves leaves nothing behind on the promise.
   */
  private void watchExport(Export e, ClientHook promise) {
    ResolutionSignal signal = promise.resolutionSignal();
    if (signal == null) {
      sendResolve(e, promise);
      return;
    }
    ListenerList.Listener l = signal.add(() -> loop.run(() -> {
      e.watch = null;
      if (exports.get(e.id) != e || disconnected != null) {
        return;
      }
      ClientHook r = ClientHook.shorten(promise);
      if (r.resolutionSignal() != null && !(r instanceof RpcClient && r.brand() == this)) {
        watchExport(e, r);
        return;
      }
      sendResolve(e, r);
    }));
    if (l != null) { // (null: it had resolved, and the action ran already)
      e.watch = l;
    }
  }

  private void sendResolve(Export e, ClientHook resolution) {
    if (exports.get(e.id) != e || disconnected != null) {
      return;
    }
    MessageBuilder mb = newMessage();
    Rpc.Resolve.Builder r = mb.initRoot(Rpc.Message.FACTORY).initResolve();
    r.setPromiseId(e.id);
    RpcException broken = resolution.brokenReason();
    if (broken != null) {
      writeException(r.initException(), broken);
    } else {
      e.resolvedTo = writeDescriptor(resolution, r.initCap());
    }
    // later calls to this export go straight to the resolution
    if (exportsByHook.get(e.key) != null && exportsByHook.get(e.key) == e.id) {
      exportsByHook.remove(e.key);
    }
    ClientHook old = e.hook;
    e.hook = describedTarget(resolution).addRef();
    old.release();
    send(mb);
  }

  /**
   * What a descriptor written for {@code resolution} named: an unresolved promise of the peer is
   * described as where it points now (an import or a pipelined answer). The export resolved by a
   * {@code Resolve} must keep pointing there for good, even if that promise later resolves to one
   * of our own objects: the peer was told the export forwards to its capability, and may embargo
   * and send a senderLoopback {@code Disembargo} that has to be reflected back along that path
   * (the Tribble 4-way race of rpc.capnp's {@code Disembargo}; rpc.c++ does the same).
   */
  private ClientHook describedTarget(ClientHook resolution) {
    ClientHook h = resolution.loop == loop ? ClientHook.shorten(resolution) : null;
    if (h instanceof PromiseClient && h.brand() == this) {
      return ClientHook.shorten(((PromiseClient) h).cap);
    }
    return resolution;
  }

  private void releaseExport(int id, int count) {
    Export e = exports.get(id);
    if (e == null) {
      throw new ProtocolError("Tried to release invalid export ID " + id);
    }
    if (count > e.refcount) {
      throw new ProtocolError("Tried to drop export's refcount below zero (export " + id + ")");
    }
    e.refcount -= count;
    if (e.refcount == 0) {
      exports.remove(id);
      e.stopWatching();
      Integer mapped = exportsByHook.get(e.key);
      if (mapped != null && mapped == id) {
        exportsByHook.remove(e.key);
      }
      e.hook.release();
    }
  }

  private void releaseExports(int[] ids) {
    if (ids == null) {
      return;
    }
    for (int id : ids) {
      if (id >= 0) {
        releaseExport(id, 1);
      }
    }
  }

  // =================================================================== cap descriptors in

  private HookCapTable receiveCaps(StructList.Reader<Rpc.CapDescriptor.Reader> list) {
    if (list.size() > limits.maxCapTableEntries()) {
      throw new ProtocolError("RPC limit exceeded: cap table of " + list.size()
          + " entries, more than " + limits.maxCapTableEntries() + " (maxCapTableEntries)");
    }
    ArrayList<ClientHook> hooks = new ArrayList<>(list.size());
    try {
      for (int i = 0; i < list.size(); i++) {
        hooks.add(receiveCap(list.get(i)));
      }
    } catch (RuntimeException e) {
      for (ClientHook h : hooks) {
        if (h != null) {
          h.release();
        }
      }
      throw e;
    }
    return new HookCapTable(hooks);
  }

  /** The capability a received descriptor names, as a new reference (null for none). */
  private ClientHook receiveCap(Rpc.CapDescriptor.Reader d) {
    switch (d.which()) {
      case NONE:
        return null;
      case SENDER_HOSTED:
        return importCap(d.getSenderHosted(), false);
      case SENDER_PROMISE:
        return importCap(d.getSenderPromise(), true);
      case RECEIVER_HOSTED: {
        Export e = exports.get(d.getReceiverHosted());
        if (e == null) {
          return new BrokenClient(loop,
              RpcException.failed("invalid 'receiverHosted' export ID " + d.getReceiverHosted()));
        }
        return e.hook.addRef();
      }
      case RECEIVER_ANSWER: {
        Rpc.PromisedAnswer.Reader pa = d.getReceiverAnswer();
        Answer a = answers.get(pa.getQuestionId());
        if (a == null || a.pipeline == null || a.finishReceived) {
          return new BrokenClient(loop, RpcException.failed(
              "invalid 'receiverAnswer' question ID " + pa.getQuestionId()));
        }
        a.pipelineUsed = true; // (see handleFinish)
        return a.pipeline.getPipelinedCap(readOps(pa));
      }
      case THIRD_PARTY_HOSTED:
        return importCap(d.getThirdPartyHosted().getVineId(), false);
      default:
        throw new ProtocolError("unknown CapDescriptor type");
    }
  }

  private ClientHook importCap(int id, boolean isPromise) {
    Import imp = imports.get(id);
    ImportClient ic;
    // tryAddRef, not isLive-then-addRef: the last reference may be dropped on another thread
    // at any moment (the hook is then destroyed later, on this loop), so only an atomic
    // increment tells whether the existing client can still be shared
    if (imp != null && imp.client != null && imp.client.tryAddRef()) {
      ic = imp.client;
      ic.remoteRefs++;
    } else {
      if (imp == null) {
        if (imports.size() >= limits.maxImports()) {
          throw new ProtocolError("RPC limit exceeded: more than " + limits.maxImports()
              + " capabilities imported from the peer (maxImports)");
        }
        imp = new Import();
        imports.put(id, imp);
      }
      ic = new ImportClient(id);
      imp.client = ic;
    }
    if (!isPromise) {
      return ic;
    }
    imp.isPromise = true;
    if (imp.promise != null && !imp.promise.resolved && imp.promise.tryAddRef()) {
      ic.release();
      return imp.promise;
    }
    PromiseClient pc = new PromiseClient(ic, id);
    imp.promise = pc;
    return pc;
  }

  private static short[] readOps(Rpc.PromisedAnswer.Reader pa) {
    StructList.Reader<Rpc.PromisedAnswer.Op.Reader> t = pa.getTransform();
    short[] ops = new short[t.size()];
    int n = 0;
    for (int i = 0; i < t.size(); i++) {
      Rpc.PromisedAnswer.Op.Reader op = t.get(i);
      if (op.isGetPointerField()) {
        ops[n++] = op.getGetPointerField();
      } else if (!op.isNoop()) {
        throw new ProtocolError("unknown PromisedAnswer transform op");
      }
    }
    return n == ops.length ? ops : Arrays.copyOf(ops, n);
  }

  private static void writeOps(Rpc.PromisedAnswer.Builder pa, int questionId, short[] ops) {
    pa.setQuestionId(questionId);
    if (ops.length > 0) {
      StructList.Builder<Rpc.PromisedAnswer.Op.Builder> t = pa.initTransform(ops.length);
      for (int i = 0; i < ops.length; i++) {
        t.get(i).setGetPointerField(ops[i]);
      }
    }
  }

  // ================================================================================ calls

  /** Sends a call to {@code target} (an import or pipelined answer of this connection). */
  private CallResult sendCall(RpcClient target, CallParams params) {
    assert loop.inLoop() : "call sent off the connection's loop: " + target;
    if (disconnected != null) {
      params.release();
      return CallResult.broken(loop, disconnected);
    }
    MessageBuilder mb;
    Rpc.Call.Builder call;
    HookCapTable caps;
    if (params.message != null && !params.messageUsed) {
      params.messageUsed = true;
      mb = params.message;
      call = params.callBuilder;
      caps = params.caps;
    } else {
      mb = newMessage();
      caps = new HookCapTable();
      mb.setCapTable(caps);
      call = mb.initRoot(Rpc.Message.FACTORY).initCall();
      call.setInterfaceId(params.interfaceId);
      call.setMethodId(params.methodId);
      call.initParams().getContent().set(params.content());
      params.release();
    }
    Question q = new Question();
    q.id = questions.add(q);
    call.setQuestionId(q.id);
    target.writeTarget(call.initTarget());
    CallContextImpl tail = params.tailCallOf;
    if (tail != null && tail.params.answerConnection == this) {
      call.initSendResultsTo().setYourself();
      q.isTailCall = true;
    }
    q.paramExports = writeDescriptors(caps, call.getParams());
    q.pipeline = new RpcPipeline(q);
    if (q.isTailCall) {
      // the tail-calling answer's pipeline goes on using this question's pipelined results
      // after our Return, and after the peer's resultsSentElsewhere: no Finish before the
      // answer lets go of the pipeline (rpc.c++: the tail pipeline holds the QuestionRef)
      q.refs++;
      q.pipeline.holdsQuestion = true;
    }
    long streamBytes = params.streamReady != null && !q.isTailCall ? mb.sizeInWords() * 8 : -1;
    send(mb);
    caps.releaseAll();
    if (streamBytes >= 0) {
      flowControl(target, params, streamBytes, q.promise);
    }
    q.promise.whenComplete((r, e) -> {
      if (q.promise.isCancelled()) {
        loop.run(() -> {
          dropQuestionRef(q);
          cancelTakenCall(q);
        });
      }
    });
    if (q.isTailCall) {
      // Like C++: the original question is answered with takeFromOtherQuestion at once; the
      // peer only sends resultsSentElsewhere after it has seen that.
      Results marker = new Results(Results.NULL_CONTENT, new HookCapTable(), null);
      marker.sentElsewhereQuestion = q.id;
      // a marker dropped without becoming our Return (the tail-calling call was canceled or
      // had returned already) leaves nobody to claim the tail call's results: cancel it, as
      // rpc.c++ drops the tail question's promise
      marker.onRelease = () -> loop.run(() -> {
        if (!q.tailClaimed && !q.promise.isDone()) {
          q.promise.cancel(false);
        }
      });
      return new CallResult(CompletableFuture.completedFuture(marker), q.pipeline);
    }
    return new CallResult(q.promise, q.pipeline);
  }

  /** Reports a streaming call just sent to {@code target} to the target's flow controller. */
  private void flowControl(RpcClient target, CallParams params, long bytes,
      CompletableFuture<Results> ack) {
    if (target.flow == null) {
      target.flow = flowControl.newController();
    }
    CompletableFuture<Void> signal = params.streamReady;
    params.streamFlowTaken = true;
    target.flow.send(bytes, ack).whenComplete((v, e) -> {
      if (e != null) {
        signal.completeExceptionally(e);
      } else {
        signal.complete(null);
      }
    });
  }

  private void dropQuestionRef(Question q) {
    if (--q.refs > 0) {
      return;
    }
    if (!q.finishSent) {
      q.finishSent = true;
      if (disconnected == null) {
        MessageBuilder mb = newMessage();
        Rpc.Finish.Builder f = mb.initRoot(Rpc.Message.FACTORY).initFinish();
        f.setQuestionId(q.id);
        f.setReleaseResultCaps(false);
        send(mb);
      }
    }
    if (q.returned && questions.get(q.id) == q) {
      questions.remove(q.id);
    }
  }

  // =========================================================================== receiving

  /** Handles one incoming message (on the loop). */
  void handle(MessageReader m) {
    if (disconnected != null) {
      return;
    }
    if (MessageTrace.LOG.isTraceEnabled()) {
      MessageTrace.LOG.trace("{} <- {}", name, MessageTrace.describe(m));
    }
    try {
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      switch (msg.which()) {
        case UNIMPLEMENTED:
          handleUnimplemented(msg.getUnimplemented());
          break;
        case ABORT:
          disconnect(readException(msg.getAbort()), false);
          break;
        case BOOTSTRAP:
          handleBootstrap(msg.getBootstrap());
          break;
        case CALL:
          handleCall(m, msg.getCall());
          break;
        case RETURN:
          handleReturn(m, msg.getReturn());
          break;
        case FINISH:
          handleFinish(msg.getFinish());
          break;
        case RESOLVE:
          handleResolve(m, msg.getResolve());
          break;
        case RELEASE:
          releaseExport(msg.getRelease().getId(), msg.getRelease().getReferenceCount());
          break;
        case DISEMBARGO:
          handleDisembargo(msg);
          break;
        default:
          sendUnimplemented(msg);
          break;
      }
    } catch (ProtocolError e) {
      problemLog.warn("{}: protocol error: {}", name, RateLimitedLog.bounded(e.getMessage()));
      disconnect(RpcException.failed(e.getMessage()), true);
    } catch (dev.capnp.runtime.DecodeException e) {
      problemLog.warn("{}: malformed message: {}", name,
          RateLimitedLog.bounded(e.getMessage()));
      disconnect(RpcException.failed("malformed message: " + e.getMessage()), true);
    } catch (RuntimeException e) {
      // not the peer's fault as far as we know: a defect of ours (fuzzers look for this prefix)
      LOG.error("{}: error handling message", name, e);
      disconnect(RpcException.failed(INTERNAL_ERROR + e), true);
    }
  }

  private void sendUnimplemented(Rpc.Message.Reader msg) {
    MessageBuilder mb = newMessage();
    mb.initRoot(Rpc.Message.FACTORY).setUnimplemented(msg);
    send(mb);
  }

  private void handleUnimplemented(Rpc.Message.Reader inner) {
    switch (inner.which()) {
      case RESOLVE: {
        Rpc.Resolve.Reader r = inner.getResolve();
        if (r.isCap()) {
          Rpc.CapDescriptor.Reader d = r.getCap();
          if (d.isSenderHosted()) {
            releaseExport(d.getSenderHosted(), 1);
          } else if (d.isSenderPromise()) {
            releaseExport(d.getSenderPromise(), 1);
          }
        }
        break;
      }
      case BOOTSTRAP:
        failQuestion(inner.getBootstrap().getQuestionId(),
            RpcException.unimplemented("Bootstrap message not implemented by peer"));
        break;
      case CALL: {
        Question q = questions.get(inner.getCall().getQuestionId());
        if (q != null) {
          releaseExports(q.paramExports);
          q.paramExports = null;
        }
        failQuestion(inner.getCall().getQuestionId(),
            RpcException.unimplemented("Call message not implemented by peer!"));
        break;
      }
      default:
        throw new ProtocolError("Peer did not implement a required message: " + inner.which());
    }
  }

  private void failQuestion(int id, RpcException e) {
    Question q = questions.get(id);
    if (q == null || q.returned) {
      throw new ProtocolError("Unimplemented for unknown question " + id);
    }
    q.returned = true;
    q.pipeline.onError(e);
    q.promise.completeExceptionally(e);
    dropQuestionRef(q);
  }

  private Answer newAnswer(int id) {
    if (answers.containsKey(id)) {
      throw new ProtocolError("questionId " + id + " is already in use");
    }
    if (answers.size() >= limits.maxAnswers()) {
      throw new ProtocolError("RPC limit exceeded: more than " + limits.maxAnswers()
          + " outstanding questions from the peer (maxAnswers)");
    }
    Answer a = new Answer();
    a.id = id;
    answers.put(id, a);
    return a;
  }

  private ResultsAllocator returnAllocator(Answer a) {
    return () -> {
      MessageBuilder mb = newMessage();
      HookCapTable t = new HookCapTable();
      mb.setCapTable(t);
      Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
      ret.setAnswerId(a.id);
      ret.setReleaseParamCaps(false);
      ResultsAllocator.ResultsBuilder rb =
          new ResultsAllocator.ResultsBuilder(mb, ret.initResults().getContent(), t, ret);
      rb.owner = a;
      return rb;
    };
  }

  private void handleBootstrap(Rpc.Bootstrap.Reader b) {
    Answer a = newAnswer(b.getQuestionId());
    CompletableFuture<Results> p = new CompletableFuture<>();
    a.callPromise = p;
    QueuedPipeline pl = new QueuedPipeline(loop);
    a.pipeline = pl;
    try {
      if (bootstrapFactory == null) {
        throw RpcException.failed("This vat has no bootstrap interface");
      }
      Capability cap = bootstrapFactory.bootstrap(
          b.hasDeprecatedObjectId() ? b.getDeprecatedObjectId() : null);
      ResultsAllocator.ResultsBuilder rb = returnAllocator(a).allocate();
      ClientHook h = cap.takeHook();
      rb.content.setCapability(h);
      h.release();
      Results r = rb.toResults();
      pl.resolve(new CallContextImpl.ResolvedPipeline(r, loop));
      p.complete(r);
    } catch (RuntimeException e) {
      RpcException ex = RpcException.of(e);
      pl.resolve(PipelineHook.broken(loop, ex));
      p.completeExceptionally(ex);
    }
    p.whenComplete((res, e) -> answerDoneSafely(a, res, e));
  }

  private ClientHook messageTarget(Rpc.MessageTarget.Reader t) {
    switch (t.which()) {
      case IMPORTED_CAP: {
        Export e = exports.get(t.getImportedCap());
        if (e == null) {
          throw new ProtocolError("Message target is not a current export ID: "
              + t.getImportedCap());
        }
        return e.hook.addRef();
      }
      case PROMISED_ANSWER: {
        Rpc.PromisedAnswer.Reader pa = t.getPromisedAnswer();
        Answer a = answers.get(pa.getQuestionId());
        // (after its Finish the peer may no longer name the question, although the answer may
        // live on until its call completes, see handleFinish)
        if (a == null || a.pipeline == null || a.finishReceived) {
          throw new ProtocolError("PromisedAnswer.questionId " + pa.getQuestionId()
              + " is not a current question");
        }
        a.pipelineUsed = true; // (see handleFinish)
        return a.pipeline.getPipelinedCap(readOps(pa));
      }
      default:
        throw new ProtocolError("unknown message target type");
    }
  }

  private void handleCall(MessageReader m, Rpc.Call.Reader call0) {
    HookCapTable caps = receiveCaps(call0.getParams().getCapTable());
    m.setCapTable(caps);
    Rpc.Call.Reader call = m.getRoot(Rpc.Message.FACTORY).getCall();
    Answer a;
    ClientHook target;
    try {
      long bytes = messageBytes(m);
      if (bytesInFlight + bytes > limits.maxBytesInFlight()) {
        throw new ProtocolError("RPC limit exceeded: more than " + limits.maxBytesInFlight()
            + " bytes of calls in flight from the peer (maxBytesInFlight)");
      }
      a = newAnswer(call.getQuestionId());
      a.bytes = bytes;
      bytesInFlight += bytes;
      target = messageTarget(call.getTarget());
    } catch (RuntimeException e) {
      caps.releaseAll();
      throw e;
    }
    CallParams p = CallParams.received(call.getInterfaceId(), call.getMethodId(),
        call.getParams().getContent(), caps);
    p.resultsAllocator = returnAllocator(a);
    p.answerConnection = this;
    switch (call.getSendResultsTo().which()) {
      case CALLER:
        break;
      case YOURSELF:
        a.redirectResults = true;
        a.redirected = new CompletableFuture<>();
        break;
      default:
        target.release();
        target = new BrokenClient(loop,
            RpcException.unimplemented("Unsupported Call.sendResultsTo: third party"));
        break;
    }
    CallResult r;
    try {
      r = target.call(p);
    } catch (RuntimeException e) {
      r = CallResult.broken(loop, RpcException.of(e));
    }
    target.release();
    a.pipeline = r.pipeline;
    a.callPromise = r.promise;
    r.promise.whenComplete((res, e) -> loop.run(() -> answerDoneSafely(a, res, e)));
  }

  private void answerDoneSafely(Answer a, Results res, Throwable e) {
    try {
      answerDone(a, res, e);
    } catch (RuntimeException x) {
      LOG.error("{}: failed to send the return of answer {}", name, a.id, x);
      disconnect(RpcException.failed("internal error: " + x), true);
    }
  }

  private void answerDone(Answer a, Results res, Throwable e) {
    if (a.redirectTaken) {
      // a question of ours took these results over (Return.takeFromOtherQuestion); our Return
      // (resultsSentElsewhere) went out then
      if (e != null) {
        a.redirected.completeExceptionally(e);
      } else if (!a.redirected.complete(res)) {
        res.release();
      }
      return;
    }
    if (a.returnSent) {
      if (res != null) {
        res.release();
      }
      return;
    }
    a.returnSent = true;
    if (disconnected != null) {
      if (res != null) {
        res.release();
      }
      if (a.redirected != null) {
        a.redirected.completeExceptionally(disconnected);
      }
      return;
    }
    if (a.redirected != null && e != null) {
      a.redirected.completeExceptionally(e);
    }
    MessageBuilder mb;
    if (e != null) {
      mb = newMessage();
      Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
      ret.setAnswerId(a.id);
      ret.setReleaseParamCaps(false);
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof CancellationException) {
        ret.setCanceled();
      } else {
        writeException(ret.initException(), RpcException.of(e));
      }
    } else if (res.sentElsewhereQuestion >= 0) {
      mb = newMessage();
      Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
      ret.setAnswerId(a.id);
      ret.setReleaseParamCaps(false);
      ret.setTakeFromOtherQuestion(res.sentElsewhereQuestion);
      Question tailQuestion = questions.get(res.sentElsewhereQuestion);
      if (tailQuestion != null) {
        tailQuestion.tailClaimed = true;
      }
      a.results = res;
    } else if (a.redirectResults) {
      mb = newMessage();
      Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
      ret.setAnswerId(a.id);
      ret.setReleaseParamCaps(false);
      ret.setResultsSentElsewhere();
      a.results = res;
      send(mb, true);
      // a takeFromOtherQuestion naming this answer may already be waiting for the results
      a.redirected.complete(res);
      if (a.finishReceived) {
        removeAnswer(a);
      }
      return;
    } else if (res.origin != null && res.origin.owner == a) {
      mb = res.origin.message;
      a.resultExports = writeDescriptors(res.caps, res.origin.returnBuilder.getResults());
      a.results = res;
      pinReturnedPromises(a, res.caps, res);
    } else {
      mb = newMessage();
      HookCapTable t = new HookCapTable();
      mb.setCapTable(t);
      Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
      ret.setAnswerId(a.id);
      ret.setReleaseParamCaps(false);
      Rpc.Payload.Builder pl = ret.initResults();
      pl.getContent().set(res.content);
      a.resultExports = writeDescriptors(t, pl);
      pinReturnedPromises(a, t, res);
      t.releaseAll();
      a.results = res;
    }
    send(mb, true);
    if (a.finishReceived) {
      // a Return after the Finish (the call ran on for its pipeline's users, see handleFinish):
      // its capabilities count as released if that Finish said so (releaseResultCaps: libcapnp
      // ignores the caps of a Return it no longer waits for; our own client releases them)
      if (a.releaseLateResultCaps) {
        releaseExports(a.resultExports);
      }
      a.resultExports = null;
      removeAnswer(a);
    }
  }

  /**
   * Once answer {@code a} has returned {@code table}: the paths of its pipeline that lead to the
   * peer's own unresolved promises are pinned to what the {@code Return} described them as, for
   * the peer's later pipelined calls and Disembargos (see {@link PostReturnPipeline}).
   */
  private void pinReturnedPromises(Answer a, HookCapTable table, Results res) {
    if (a.pipeline == null) {
      return;
    }
    Map<ClientHook, ClientHook> pins = null;
    for (int i = 0; i < table.size(); i++) {
      ClientHook h = table.get(i);
      if (h == null || h.loop != loop) {
        continue;
      }
      ClientHook s = ClientHook.shorten(h);
      if (!(s instanceof PromiseClient) || s.brand() != this) {
        continue;
      }
      if (pins == null) {
        pins = new IdentityHashMap<>();
      }
      if (!pins.containsKey(h)) {
        pins.put(h.addRef(), describedTarget(h));
      }
    }
    if (pins != null) {
      a.pipeline = new PostReturnPipeline(loop, this, a.pipeline, res, pins);
    }
  }

  private static long messageBytes(MessageReader m) {
    long words = 0;
    for (int i = 0; i < m.segmentCount(); i++) {
      words += m.getSegment(i).sizeInWords();
    }
    return words * 8;
  }

  private void removeAnswer(Answer a) {
    if (answers.get(a.id) == a) {
      answers.remove(a.id);
    }
    bytesInFlight -= a.bytes;
    a.bytes = 0;
    if (a.results != null) {
      a.results.release();
      a.results = null;
    }
    if (a.pipeline != null) {
      a.pipeline.release();
    }
  }

  private void handleFinish(Rpc.Finish.Reader f) {
    Answer a = answers.get(f.getQuestionId());
    if (a == null || a.finishReceived) {
      throw new ProtocolError("'Finish' for invalid question ID " + f.getQuestionId());
    }
    a.finishReceived = true;
    if (f.getReleaseResultCaps()) {
      releaseExports(a.resultExports);
    }
    a.resultExports = null;
    if (a.returnSent) {
      removeAnswer(a);
    } else if (a.pipelineUsed) {
      // An early Finish (before our Return) says the caller no longer wants the results, and
      // rpc.capnp lets us cancel the call then only if nothing else cares about them. The peer
      // itself may still care: it named this answer's pipeline (a promisedAnswer target, a
      // receiverAnswer descriptor in a Call, Return or Resolve) and so holds, through us, a
      // capability that will be part of these results, for example in the params of another
      // call (libcapnp sends this Finish as soon as it has put a pipelined capability in the
      // params of its next call and dropped the first promise). Canceling now would break that
      // capability under a call already running. So the call runs to completion, its pipeline
      // delivers to those users, and its Return goes out as usual; answerDone removes the
      // answer then (rpc.c++ likewise keeps the call running while its pipeline is in use).
      // An answer whose pipeline nobody used is canceled at once, below.
      a.releaseLateResultCaps = f.getReleaseResultCaps();
    } else if (a.callPromise != null) {
      a.callPromise.cancel(false);
    }
  }

  private void handleReturn(MessageReader m, Rpc.Return.Reader ret0) {
    Question q = questions.get(ret0.getAnswerId());
    if (q == null || q.returned) {
      throw new ProtocolError("Invalid question ID in Return message: " + ret0.getAnswerId());
    }
    q.returned = true;
    if (ret0.getReleaseParamCaps()) {
      releaseExports(q.paramExports);
    }
    q.paramExports = null;
    switch (ret0.which()) {
      case RESULTS: {
        HookCapTable caps = receiveCaps(ret0.getResults().getCapTable());
        m.setCapTable(caps);
        Rpc.Return.Reader ret = m.getRoot(Rpc.Message.FACTORY).getReturn();
        Results r = new Results(ret.getResults().getContent(), caps, null);
        q.pipeline.onReturn(r);
        if (q.isTailCall || !q.promise.complete(r)) {
          r.release(); // (a tail call's results were redirected; nobody waits for them here)
        }
        break;
      }
      case EXCEPTION: {
        RpcException e = readException(ret0.getException());
        q.pipeline.onError(e);
        q.promise.completeExceptionally(e);
        break;
      }
      case CANCELED: {
        RpcException e = RpcException.failed("Call canceled");
        q.pipeline.onError(e);
        q.promise.completeExceptionally(e);
        break;
      }
      case RESULTS_SENT_ELSEWHERE: {
        if (!q.isTailCall) {
          throw new ProtocolError("'Return' with 'resultsSentElsewhere' for a call that did not"
              + " set sendResultsTo.yourself");
        }
        Results r = new Results(Results.NULL_CONTENT, new HookCapTable(), null);
        r.sentElsewhereQuestion = q.id;
        if (!q.promise.complete(r)) {
          r.release();
        }
        break;
      }
      case TAKE_FROM_OTHER_QUESTION: {
        Answer other = answers.get(ret0.getTakeFromOtherQuestion());
        if (other == null || !other.redirectResults) {
          throw new ProtocolError("'Return.takeFromOtherQuestion' had invalid answer ID "
              + ret0.getTakeFromOtherQuestion());
        }
        takeOverRedirectedAnswer(other);
        if (q.promise.isCancelled()) {
          // nobody waits for these results (Finish was sent): the question is done now, and the
          // call whose results it took over is canceled (as rpc.c++ drops the tail call), instead
          // of running on (possibly forever: a call forwarded around a cycle of promises)
          // The results move to our question, as in the other branch, and nobody takes them:
          // release them now. Kept in the answer, they could keep our question alive (a
          // pipelined capability of it among them) and so the peer's tail-calling answer, whose
          // pipeline holds the question of this very answer: a cycle across the two vats.
          other.redirected.whenComplete((r, e) -> loop.run(() -> {
            if (r != null) {
              if (other.results == r) {
                other.results = null;
              }
              r.release();
            }
          }));
          if (other.callPromise != null) {
            other.callPromise.cancel(false);
          }
          finishReturn(q);
          return;
        }
        q.takesFrom = other;
        // The peer may send this right after its Call(sendResultsTo.yourself), before our
        // answer has completed: wait for the answer's results.
        other.redirected.whenComplete((r, e) -> loop.run(() -> {
          if (e != null) {
            RpcException ex = RpcException.of(e);
            q.pipeline.onError(ex);
            q.promise.completeExceptionally(ex);
          } else {
            if (other.results == r) {
              other.results = null;
            }
            q.pipeline.onReturn(r);
            if (!q.promise.complete(r)) {
              r.release();
            }
          }
          finishReturn(q);
        }));
        return;
      }
      default: {
        RpcException e = RpcException.unimplemented("Unsupported Return type " + ret0.which());
        q.pipeline.onError(e);
        q.promise.completeExceptionally(e);
        break;
      }
    }
    finishReturn(q);
  }

  /**
   * A Return.takeFromOtherQuestion names {@code other}: the question that received it owns the
   * answer's call from now on (canceling the question cancels the call), and the peer learns at
   * once that its tail call's results went elsewhere (rpc.c++ sendRedirectReturn), so its tail
   * question ends now instead of when the call completes (which a cycle of promises may never
   * let happen).
   */
  private void takeOverRedirectedAnswer(Answer other) {
    if (other.redirectTaken) {
      throw new ProtocolError("'Return.takeFromOtherQuestion' named answer " + other.id
          + " a second time");
    }
    other.redirectTaken = true;
    if (other.returnSent) {
      return; // the call completed first: resultsSentElsewhere went out then
    }
    other.returnSent = true;
    MessageBuilder mb = newMessage();
    Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
    ret.setAnswerId(other.id);
    ret.setReleaseParamCaps(false);
    ret.setResultsSentElsewhere();
    send(mb);
    if (other.finishReceived) {
      removeAnswer(other);
    }
  }

  /** A canceled question that had taken over another answer's call cancels that call. */
  private void cancelTakenCall(Question q) {
    Answer other = q.takesFrom;
    if (other == null) {
      return;
    }
    q.takesFrom = null;
    if (other.callPromise != null) {
      other.callPromise.cancel(false);
    }
  }

  /** After a question's Return was handled: drop the caller's hold (maybe sending Finish). */
  private void finishReturn(Question q) {
    if (q.promise.isCancelled()) {
      // the caller already dropped its reference; Finish was (or will be) sent
      if (q.finishSent && questions.get(q.id) == q) {
        questions.remove(q.id);
      }
      return;
    }
    dropQuestionRef(q);
  }

  private void handleResolve(MessageReader m, Rpc.Resolve.Reader r) {
    // Look the promise up before reading the resolution: reading it may create imports, and
    // the resolution may even name the promise itself.
    Import imp = imports.get(r.getPromiseId());
    if (imp != null && !imp.isPromise && imp.client != null && imp.client.isLive()) {
      throw new ProtocolError("Got 'Resolve' for a non-promise import " + r.getPromiseId());
    }
    PromiseClient target = imp != null && imp.promise != null && imp.promise.isLive()
        && !imp.promise.resolved ? imp.promise : null;
    ClientHook replacement;
    boolean isError;
    if (r.isException()) {
      replacement = new BrokenClient(loop, readException(r.getException()));
      isError = true;
    } else if (r.isCap()) {
      replacement = receiveCap(r.getCap());
      if (replacement == null) {
        replacement = BrokenClient.nullCap(loop);
      }
      isError = false;
    } else {
      throw new ProtocolError("unknown Resolve type");
    }
    if (target == null || !target.isLive() || target.resolved) {
      // the promise was released meanwhile (or never existed): nothing to resolve
      replacement.release();
      return;
    }
    ClientHook leadsTo = ClientHook.shorten(replacement);
    if (leadsTo == target || leadsTo == target.initial) {
      // (the promise itself, or its own import: an answer that returned this promise is pinned
      // to that import, see PostReturnPipeline)
      replacement.release();
      Rpc.CapDescriptor.Reader d = r.getCap();
      if ((d.isSenderPromise() && d.getSenderPromise() == r.getPromiseId())
          || (d.isSenderHosted() && d.getSenderHosted() == r.getPromiseId())) {
        throw new ProtocolError("'Resolve' of promise " + r.getPromiseId() + " to itself");
      }
      // The peer resolved its promise to something of ours (a pipelined result of our answer,
      // an export) that turns out to be this very promise: a promise cycle across the two vats
      // made by the applications, which the peer could not see. Break it, as a local promise
      // resolved to itself is broken, instead of forwarding calls around it forever.
      replacement = new BrokenClient(loop, RpcException.failed(
          "Attempt to create a cycle detected: promise resolved to itself (through the peer)"));
      isError = true;
    }
    target.resolve(replacement, isError);
  }

  private void handleDisembargo(Rpc.Message.Reader msg) {
    Rpc.Disembargo.Reader d = msg.getDisembargo();
    Rpc.Disembargo.Context.Reader ctx = d.getContext();
    switch (ctx.which()) {
      case SENDER_LOOPBACK: {
        ClientHook t = messageTarget(d.getTarget());
        int embargoId = ctx.getSenderLoopback();
        loop.execute(() -> reflectDisembargo(t, embargoId));
        break;
      }
      case RECEIVER_LOOPBACK: {
        Embargo e = embargoes.remove(ctx.getReceiverLoopback());
        if (e == null) {
          throw new ProtocolError("Invalid embargo ID " + ctx.getReceiverLoopback());
        }
        e.queue.resolve(e.replacement);
        e.queue.release();
        break;
      }
      default:
        sendUnimplemented(msg);
        break;
    }
  }

  /**
   * Writes the target of the last of the peer's capabilities on {@code h}'s resolution chain
   * (an import, an imported promise, a pipelined answer); false if there is none.
   */
  private boolean writeLastTargetOfOurs(ClientHook h, Rpc.MessageTarget.Builder t) {
    ClientHook found = null;
    for (int i = 0; i < 1000 && h != null; i++) {
      if (h.brand() == this && (h instanceof ImportClient || h instanceof PipelineClient
          || h instanceof PromiseClient)) {
        found = h;
      }
      h = h.getResolved();
    }
    if (found instanceof PromiseClient) {
      PromiseClient p = (PromiseClient) found;
      if (p.importId >= 0) {
        t.setImportedCap(p.importId);
      } else {
        p.initial.writeTarget(t); // a pipelined answer: the question's id and path
      }
    } else if (found != null) {
      ((RpcClient) found).writeTarget(t);
    }
    return found != null;
  }

  /**
   * Answers a {@code Disembargo} (senderLoopback) sent to {@code t} (owned) once every call the
   * peer sent to {@code t} before it has been passed back to the peer. Normally {@code t}
   * already resolved to one of the peer's capabilities. A local promise that is still on its
   * way there (it crosses an event loop, whose own embargo holds later calls back, see
   * {@link CrossLoopClient}) is waited for: the earlier calls travel through it.
   */
  private void reflectDisembargo(ClientHook t, int embargoId) {
    if (disconnected != null) {
      t.release();
      return;
    }
    ClientHook s = ClientHook.shorten(t);
    CompletableFuture<Void> more = s.brand() == this ? null : s.whenMoreResolved();
    if (more != null) {
      more.whenComplete((v, x) -> loop.run(() -> reflectDisembargo(t, embargoId)));
      return;
    }
    try {
      MessageBuilder mb = newMessage();
      Rpc.Disembargo.Builder out = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
      if (s instanceof RpcClient && s.brand() == this) {
        ((RpcClient) s).writeTarget(out.initTarget());
      } else if (s.brokenReason() == null || !writeLastTargetOfOurs(t, out.initTarget())) {
        // (broken: it did point back to the sender, but the peer's capability it resolved to
        // broke since, e.g. we broke a promise cycle closed through the peer's Resolve; the
        // peer sent this before it could know, and its embargo still waits for the echo)
        throw new ProtocolError("'Disembargo' of type 'senderLoopback' sent to an object"
            + " that does not point back to the sender");
      }
      out.initContext().setReceiverLoopback(embargoId);
      send(mb);
    } catch (ProtocolError e) {
      disconnect(RpcException.failed(e.getMessage()), true);
    } finally {
      t.release();
    }
  }

  // ========================================================================== disconnect

  private void disconnect(RpcException e, boolean sendAbort) {
    if (disconnected != null) {
      return;
    }
    if (sendAbort) {
      MessageBuilder mb = newMessage();
      writeException(mb.initRoot(Rpc.Message.FACTORY).initAbort(), e);
      if (MessageTrace.LOG.isTraceEnabled()) {
        MessageTrace.LOG.trace("{} -> {}", name, MessageTrace.describe(mb));
      }
      try {
        transport.send(mb);
      } catch (RuntimeException ignored) {
        // the transport is already gone
      }
    }
    disconnected = e;
    for (Question q : questions.values()) {
      q.returned = true;
      q.pipeline.onError(e);
      q.promise.completeExceptionally(e);
    }
    questions.clear();
    ArrayList<Answer> as = new ArrayList<>(answers.values());
    answers.clear();
    bytesInFlight = 0;
    for (Answer a : as) {
      a.returnSent = true;
      if (a.callPromise != null) {
        a.callPromise.cancel(false);
      }
      if (a.results != null) {
        a.results.release();
      }
      if (a.pipeline != null) {
        a.pipeline.release();
      }
    }
    ArrayList<Export> ex = exports.values();
    exports.clear();
    exportsByHook.clear();
    for (Export x : ex) {
      x.stopWatching();
      x.hook.release();
    }
    ArrayList<Import> im = new ArrayList<>(imports.values());
    imports.clear();
    for (Import i : im) {
      if (i.promise != null && i.promise.isLive() && !i.promise.resolved) {
        i.promise.resolve(new BrokenClient(loop, e), true);
      }
    }
    ArrayList<Embargo> em = embargoes.values();
    embargoes.clear();
    for (Embargo x : em) {
      x.replacement.release();
      x.queue.resolve(new BrokenClient(loop, e));
      x.queue.release();
    }
    try {
      transport.close();
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    disconnectFuture.complete(e);
  }

  /**
   * The reason the connection was lost, or null while it is up.
   *
   * @return why the connection ended, or null while it is up
   */
  public RpcException disconnectReason() {
    return disconnected;
  }

  // =============================================================================== debug

  /**
   * Whether all four tables and the embargo table are empty.
   *
   * @return true if the four tables and the embargoes are empty
   */
  public boolean tablesEmpty() {
    return onLoop(() -> questions.size() == 0 && answers.isEmpty() && imports.isEmpty()
        && exports.size() == 0 && embargoes.size() == 0);
  }

  /**
   * Checks the connection's internal invariants (a diagnostic for tests and fuzzers); returns
   * null when they hold, else a description of the first violation.
   *
   * @return a description of the first broken invariant, or null if all hold
   */
  public String checkInvariants() {
    return onLoop(this::invariantViolation);
  }

  private String invariantViolation() {
    if (disconnected != null && !(questions.size() == 0 && answers.isEmpty()
        && imports.isEmpty() && exports.size() == 0 && embargoes.size() == 0)) {
      return "disconnected but tables not empty:\n" + dump();
    }
    String[] bad = new String[1];
    questions.forEach((id, q) -> {
      if (bad[0] == null && q.id != id) {
        bad[0] = "question " + id + " thinks it is " + q.id;
      } else if (bad[0] == null && q.returned && q.finishSent) {
        bad[0] = "question " + id + " returned and finished but still in the table";
      } else if (bad[0] == null && q.refs < 0) {
        bad[0] = "question " + id + " has refs " + q.refs;
      }
    });
    answers.forEach((id, a) -> {
      if (bad[0] == null && a.id != id) {
        bad[0] = "answer " + id + " thinks it is " + a.id;
      } else if (bad[0] == null && a.returnSent && a.finishReceived) {
        bad[0] = "answer " + id + " returned and finished but still in the table";
      }
    });
    exports.forEach((id, e) -> {
      if (bad[0] == null && (e.refcount <= 0 || e.id != id || e.hook == null)) {
        bad[0] = "export " + id + " refcount " + e.refcount + " id " + e.id;
      }
    });
    exportsByHook.forEach((h, id) -> {
      Export e = exports.get(id);
      if (bad[0] == null && (e == null || e.key != h)) {
        bad[0] = "exportsByHook maps " + h + " to export " + id + " which is " + e;
      }
    });
    long held = 0;
    for (Answer a : answers.values()) {
      held += a.bytes;
    }
    if (bad[0] == null && held != bytesInFlight) {
      bad[0] = "bytes in flight " + bytesInFlight + " but answers hold " + held;
    }
    if (bad[0] == null && exportsByHook.size() > exports.size()) {
      bad[0] = "more hooks mapped than exports";
    }
    return bad[0] == null ? null : bad[0] + "\n" + dump();
  }

  /**
   * A multi-line dump of the connection's tables.
   *
   * @return the tables in text, for diagnostics
   */
  public String dumpTables() {
    return onLoop(this::dump);
  }

  /** Evaluates {@code f} on the loop and waits (at most 10 s) for the answer. */
  private <T> T onLoop(java.util.function.Supplier<T> f) {
    if (loop.inLoop()) {
      return f.get();
    }
    try {
      return loop.submit(f).get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("event loop " + loop + " did not answer (not running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw RpcException.of(e);
    }
  }

  private String dump() {
    StringBuilder sb = new StringBuilder();
    sb.append("connection ").append(name)
        .append(disconnected == null ? "" : " (disconnected: " + disconnected + ")").append('\n');
    sb.append("  questions:\n");
    questions.forEach((id, q) -> sb.append("    ").append(id).append(": refs=").append(q.refs)
        .append(q.returned ? " returned" : "").append(q.finishSent ? " finished" : "")
        .append(q.isTailCall ? " tail" : "")
        .append(q.takesFrom != null ? " takes-answer-" + q.takesFrom.id : "")
        .append(q.promise.isCancelled() ? " canceled" : q.promise.isDone() ? " done" : "")
        .append('\n'));
    sb.append("  answers:\n");
    new TreeMap<>(answers).forEach((id, a) -> sb.append("    ").append(id)
        .append(a.returnSent ? " returned" : " pending")
        .append(a.finishReceived ? " finished" : "")
        .append(a.redirectResults ? a.redirectTaken ? " redirected-taken" : " redirected" : "")
        .append(a.callPromise == null ? "" : a.callPromise.isCancelled() ? " call-canceled"
            : a.callPromise.isDone() ? " call-done" : " call-running")
        .append('\n'));
    sb.append("  imports:\n");
    new TreeMap<>(imports).forEach((id, i) -> sb.append("    ").append(id).append(": ")
        .append(i.client == null ? "-" : i.client.toString())
        .append(i.promise == null ? "" : " promise " + i.promise).append('\n'));
    sb.append("  exports:\n");
    exports.forEach((id, e) -> sb.append("    ").append(id).append(": refcount=")
        .append(e.refcount).append(' ').append(e.hook).append('\n'));
    sb.append("  embargoes:\n");
    embargoes.forEach((id, e) -> sb.append("    ").append(id).append(": ")
        .append(e.queue).append('\n'));
    return sb.toString();
  }

  /**
   * Table sizes: questions, answers, imports, exports, embargoes.
   *
   * @return the sizes of the questions, answers, imports, exports and embargoes tables
   */
  public int[] tableSizes() {
    return onLoop(() -> new int[] {questions.size(), answers.size(), imports.size(),
        exports.size(), embargoes.size()});
  }

  @Override
  public String toString() {
    return "RpcConnection(" + name + ")";
  }

  // ============================================================================ entries

  private static final class ProtocolError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProtocolError(String message) {
      super(message);
    }
  }

  /** A question we asked. */
  private final class Question {
    int id;
    final CompletableFuture<Results> promise = new CompletableFuture<>();
    RpcPipeline pipeline;
    int[] paramExports;
    boolean returned;
    boolean finishSent;
    boolean isTailCall;
    /** A tail call whose results our Return (takeFromOtherQuestion) handed to the peer. */
    boolean tailClaimed;
    /** The answer whose call's results this question takes (Return.takeFromOtherQuestion). */
    Answer takesFrom;
    /** The caller's hold (dropped on Return or cancel) plus one per pipelined client. */
    int refs = 1;
  }

  /** A question the peer asked us. */
  private static final class Answer {
    int id;
    PipelineHook pipeline;
    CompletableFuture<Results> callPromise;
    Results results;
    int[] resultExports;
    boolean returnSent;
    boolean finishReceived;
    boolean redirectResults;
    /** Size of the Call message this answer holds (0 for bootstraps). */
    long bytes;
    /** For {@code sendResultsTo.yourself}: the results, once the call completes. */
    CompletableFuture<Results> redirected;
    /** A question of ours took the results over (its Return named this answer). */
    boolean redirectTaken;
    /**
     * The peer named this answer's pipeline (promisedAnswer target, receiverAnswer descriptor):
     * an early Finish does not cancel the call (see handleFinish).
     */
    boolean pipelineUsed;
    /** An early Finish had releaseResultCaps: the caps of our later Return count as released. */
    boolean releaseLateResultCaps;
  }

  /** A capability the peer exported to us. */
  private static final class Import {
    ImportClient client;
    PromiseClient promise;
    /**
     * The peer described it as a promise, so a {@code Resolve} may come for it, even after our
     * {@link #promise} is gone while the import lives on (for example pinned by an answer that
     * returned it, see {@link PostReturnPipeline}).
     */
    boolean isPromise;
  }

  /** A capability we exported to the peer. */
  private static final class Export {
    int id;
    int refcount;
    /** What the export was looked up by: the exported hook, or the foreign hook it bridges. */
    ClientHook key;
    /** The exported capability (on this connection's loop). */
    ClientHook hook;
    boolean isPromise;
    int resolvedTo = -1;
    /** While the exported promise is unresolved: the wait for its resolution. */
    ListenerList.Listener watch;

    void stopWatching() {
      ListenerList.Listener.cancel(watch);
      watch = null;
    }
  }

  /** A local embargo waiting for its Disembargo to come back. */
  private static final class Embargo {
    QueuedClient queue;
    ClientHook replacement;
  }

  // ============================================================================== hooks

  /** A capability pointing into this connection. */
  abstract class RpcClient extends ClientHook {
    /** Flow control of the streaming calls to this capability (made at the first one). */
    FlowController flow;

    RpcClient() {
      super(RpcConnection.this.loop);
    }

    /** Writes a descriptor naming this capability to the peer; returns an export id or -1. */
    abstract int writeDescriptor(Rpc.CapDescriptor.Builder d);

    /** Writes the message target of this capability. */
    abstract void writeTarget(Rpc.MessageTarget.Builder t);

    @Override
    final Object brand() {
      return RpcConnection.this;
    }

    @Override
    RpcException brokenReason() {
      return disconnected;
    }
  }

  /** A capability the peer hosts (an import). */
  final class ImportClient extends RpcClient {
    final int importId;
    int remoteRefs = 1;

    ImportClient(int importId) {
      this.importId = importId;
    }

    @Override
    CallResult call(CallParams params) {
      return sendCall(this, params);
    }

    @Override
    int writeDescriptor(Rpc.CapDescriptor.Builder d) {
      d.setReceiverHosted(importId);
      return -1;
    }

    @Override
    void writeTarget(Rpc.MessageTarget.Builder t) {
      t.setImportedCap(importId);
    }

    @Override
    void destroy() {
      Import imp = imports.get(importId);
      if (imp != null && imp.client == this) {
        imports.remove(importId);
      }
      if (disconnected == null) {
        MessageBuilder mb = newMessage();
        Rpc.Release.Builder r = mb.initRoot(Rpc.Message.FACTORY).initRelease();
        r.setId(importId);
        r.setReferenceCount(remoteRefs);
        send(mb);
      }
    }

    @Override
    String describe() {
      return "import(" + name + ":" + importId + ")";
    }
  }

  /** A capability at a path of a question's promised results. */
  final class PipelineClient extends RpcClient {
    final Question question;
    final short[] ops;

    PipelineClient(Question question, short[] ops) {
      this.question = question;
      this.ops = ops;
      question.refs++;
    }

    @Override
    CallResult call(CallParams params) {
      return sendCall(this, params);
    }

    @Override
    int writeDescriptor(Rpc.CapDescriptor.Builder d) {
      writeOps(d.initReceiverAnswer(), question.id, ops);
      return -1;
    }

    @Override
    void writeTarget(Rpc.MessageTarget.Builder t) {
      writeOps(t.initPromisedAnswer(), question.id, ops);
    }

    @Override
    void destroy() {
      if (disconnected == null) {
        dropQuestionRef(question);
      }
    }

    @Override
    String describe() {
      return "answer(" + name + ":" + question.id + Arrays.toString(ops) + ")";
    }
  }

  /**
   * A remote promise (an import of a {@code senderPromise} or a pipelined answer) that may
   * resolve; resolving to a local object after calls went through it sets an embargo.
   */
  final class PromiseClient extends RpcClient {
    /** Volatile (with {@link #resolved}) so that other loops may follow the resolution. */
    private volatile ClientHook cap;
    /** Where it pointed first (not a reference: only its target ids are used, see below). */
    private final RpcClient initial;
    private final int importId;
    boolean receivedCall;
    volatile boolean resolved;
    /** Fires (on the loop) when {@link #resolved} is set. */
    private final ResolutionSignal resolution = new ResolutionSignal();

    PromiseClient(RpcClient initial, int importId) {
      this.cap = initial;
      this.initial = initial;
      this.importId = importId;
    }

    @Override
    CallResult call(CallParams params) {
      receivedCall = true;
      return cap.call(params);
    }

    @Override
    int writeDescriptor(Rpc.CapDescriptor.Builder d) {
      receivedCall = true;
      return RpcConnection.this.writeDescriptor(cap, d);
    }

    @Override
    void writeTarget(Rpc.MessageTarget.Builder t) {
      receivedCall = true;
      ClientHook s = ClientHook.shorten(cap);
      if (s instanceof RpcClient && s.brand() == RpcConnection.this) {
        ((RpcClient) s).writeTarget(t);
      } else {
        throw new ProtocolError("promise no longer points into this connection");
      }
    }

    @Override
    ClientHook getResolved() {
      return resolved ? cap : null;
    }

    @Override
    ResolutionSignal resolutionSignal() {
      return resolved ? null : resolution;
    }

    @Override
    RpcException brokenReason() {
      return resolved ? cap.brokenReason() : disconnected;
    }

    /** Resolves this promise to {@code replacement} (owned). */
    void resolve(ClientHook replacement, boolean isError) {
      if (resolved) {
        replacement.release();
        return;
      }
      ClientHook s = ClientHook.shorten(replacement);
      if (s == this) {
        replacement.release();
        replacement = new BrokenClient(loop, RpcException.failed(
            "Attempt to create a cycle detected: promise resolved to itself"));
        isError = true;
      } else if (s instanceof PromiseClient && s.brand() == RpcConnection.this) {
        // resolved to another promise of the same peer: calls already sent through this one
        // may still be on their way when that one resolves back to us, so it must embargo then
        // (like rpc.c++'s promiseResolvedToThis)
        PromiseClient other = (PromiseClient) s;
        other.receivedCall = other.receivedCall || receivedCall;
      } else if (s.brand() != RpcConnection.this && receivedCall && !isError
          && s.brokenReason() == null && disconnected == null) {
        // calls already sent through the peer must arrive before new local ones: embargo
        Embargo e = new Embargo();
        e.queue = new QueuedClient(loop, "embargo");
        e.queue.addRef();
        e.replacement = replacement;
        int id = embargoes.add(e);
        MessageBuilder mb = newMessage();
        Rpc.Disembargo.Builder d = mb.initRoot(Rpc.Message.FACTORY).initDisembargo();
        ((RpcClient) cap).writeTarget(d.initTarget());
        d.initContext().setSenderLoopback(id);
        send(mb);
        replacement = e.queue;
      }
      ClientHook old = cap;
      if (old instanceof RpcClient && ((RpcClient) old).flow != null) {
        // streaming calls in flight through the promise keep bounding the stream (rpc.c++
        // adoptFlowController): the resolution takes over the controller if it has none
        ClientHook next = ClientHook.shorten(replacement);
        if (next instanceof RpcClient && next.brand() == RpcConnection.this
            && ((RpcClient) next).flow == null) {
          ((RpcClient) next).flow = ((RpcClient) old).flow;
        }
      }
      cap = replacement;
      resolved = true;
      old.release();
      resolution.fire();
    }

    @Override
    void destroy() {
      if (importId >= 0) {
        Import imp = imports.get(importId);
        if (imp != null && imp.promise == this) {
          imp.promise = null;
        }
      }
      cap.release();
    }

    @Override
    String describe() {
      return (resolved ? "resolved(" : "promise(") + cap.describe() + ")";
    }
  }

  /** The pipeline of a question: pipelined capabilities until the Return arrives. */
  final class RpcPipeline extends PipelineHook {
    private final Question question;
    private Map<String, PromiseClient> clients = new HashMap<>();
    private Results results;
    private RpcException error;
    /** Whether this pipeline holds a reference on its question (tail calls). */
    boolean holdsQuestion;

    RpcPipeline(Question question) {
      this.question = question;
    }

    @Override
    void release() {
      if (holdsQuestion) {
        holdsQuestion = false;
        if (disconnected == null) {
          dropQuestionRef(question);
        }
      }
    }

    @Override
    ClientHook getPipelinedCap(short[] ops) {
      if (results != null) {
        return results.capAt(ops, loop);
      }
      if (error != null) {
        return new BrokenClient(loop, error);
      }
      if (disconnected != null) {
        return new BrokenClient(loop, disconnected);
      }
      if (question.finishSent) {
        // the question was canceled (Finish sent): its answer may be gone on the peer's side,
        // so naming it would be a protocol error (e.g. the pipeline of our answer whose call,
        // forwarded as this question, was canceled while the caller still pipelines on it)
        return new BrokenClient(loop, RpcException.failed("Call canceled"));
      }
      String key = Arrays.toString(ops);
      PromiseClient c = clients.get(key);
      if (c != null && c.tryAddRef()) {
        return c;
      }
      c = new PromiseClient(new PipelineClient(question, ops), -1);
      clients.put(key, c);
      return c;
    }

    void onReturn(Results r) {
      results = r;
      Map<String, PromiseClient> cs = clients;
      clients = new HashMap<>();
      for (PromiseClient c : new ArrayList<>(cs.values())) {
        if (c.isLive()) {
          c.resolve(r.capAt(((PipelineClient) c.cap).ops, loop), false);
        }
      }
    }

    void onError(RpcException e) {
      error = e;
      Map<String, PromiseClient> cs = clients;
      clients = new HashMap<>();
      for (PromiseClient c : cs.values()) {
        if (c.isLive()) {
          c.resolve(new BrokenClient(loop, e), true);
        }
      }
    }
  }

  List<String> debugQuestions() {
    List<String> l = new ArrayList<>();
    questions.forEach((id, q) -> l.add(String.valueOf(id)));
    return l;
  }
}
