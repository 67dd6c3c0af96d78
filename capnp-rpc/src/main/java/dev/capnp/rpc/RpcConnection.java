package dev.capnp.rpc;

import dev.capnp.rpc.internal.BreakSignal;
import dev.capnp.rpc.internal.CallPathClasses;
import dev.capnp.rpc.internal.QueuedClient;
import dev.capnp.rpc.protocol.ConnectionDelivery;
import dev.capnp.rpc.protocol.Outbox;
import dev.capnp.rpc.protocol.RpcMessages;
import dev.capnp.rpc.protocol.RpcProtocol;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.QueueBudget;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One two-party Cap'n Proto RPC connection (Level 1): the driver around the protocol core. It
 * owns the transport, moves received messages onto the connection's event loop (pausing the
 * transport while too many wait there), hands them to the core, sends what the core puts in its
 * outbox, runs the core's timers, and reports the connection's end.
 *
 * <p>Threading: the protocol state is confined to {@link #loop()}; incoming messages are handed
 * to the loop by the transport's receiver; public methods may be called from any thread.
 */
public final class RpcConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);
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
  private final String name;
  private final RpcProtocol protocol;
  /**
   * Bytes of received messages queued for the loop and not yet handled, each counted as its
   * size plus {@link #QUEUED_MESSAGE_OVERHEAD_BYTES} (any thread).
   */
  private final java.util.concurrent.atomic.AtomicLong queuedIncoming =
      new java.util.concurrent.atomic.AtomicLong();
  /** The vat-wide bound on received messages queued for loops, or null: {@link #incomingBudget}. */
  private volatile QueueBudget incomingBudget;
  /** Whether this connection has paused its transport (see {@link #adjustReading()}). */
  private volatile boolean readingPaused;

  private final CompletableFuture<RpcException> disconnectFuture = new CompletableFuture<>();
  /** The network for three-party handoffs, or null (Level 1 only). */
  private volatile ThirdPartyNetwork thirdPartyNetwork;

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
    CallPathClasses.initialize(); // once per JVM: compiled early from a start-up cache (issue 12)
    this.loop = loop;
    this.transport = transport;
    this.name = name;
    ConnectionDelivery delivery = new ConnectionDelivery(loop);
    this.protocol = new RpcProtocol(delivery, new TransportOutbox(), bootstrap, name,
        BreakSignal.following(disconnectFuture), PEER_PROBLEMS);
    delivery.attach(protocol);
  }

  /** The core's outbox: our transport, our loop's timers, our end. */
  private final class TransportOutbox implements Outbox {
    @Override
    public void send(MessageBuilder message, boolean isReturn) {
      if (isReturn) {
        transport.sendReply(message);
      } else {
        transport.send(message);
      }
    }

    @Override
    public void sendCall(MessageBuilder message, int awaited) {
      transport.sendCall(message, awaited);
    }

    @Override
    public boolean sendReturnReusable(MessageBuilder message) {
      return transport.sendReplyReusable(message);
    }

    @Override
    public boolean sendReusable(MessageBuilder message) {
      return transport.sendReusable(message);
    }

    @Override
    public void finishFollowsReturns(boolean expected) {
      transport.finishFollowsReplies(expected);
    }

    @Override
    public void later(Runnable action) {
      loop.execute(action);
    }

    @Override
    public Runnable schedule(Runnable action, long delayMillis) {
      java.util.concurrent.ScheduledFuture<?> timer =
          loop.schedule(action, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
      return () -> timer.cancel(false);
    }

    @Override
    public void ended(RpcException reason) {
      try {
        transport.close();
      } catch (RuntimeException ignored) {
        // closing anyway
      }
      disconnectFuture.complete(reason);
    }
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
    return create(loop, transport, bootstrap, name, ConnectionLimits.DEFAULT);
  }

  /**
   * Sets this connection's resource limits (before {@link #start()}); returns this.
   *
   * @param newLimits the limits to apply
   * @return this connection
   */
  public RpcConnection limits(ConnectionLimits newLimits) {
    protocol.limits(newLimits);
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
    protocol.problemLog(log);
    return this;
  }

  /**
   * This connection's resource limits.
   *
   * @return the limits in force
   */
  public ConnectionLimits limits() {
    return protocol.limits();
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
    protocol.flowControl(policy);
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

  /**
   * Lets this connection take part in three-party handoffs (Level 3) over {@code network},
   * if the network reports that the peer announced Level 3 when the connection starts; call
   * before {@link #start()}. Without a network (the default) the connection stays at Level 1.
   * Returns this. Experimental.
   *
   * @param network the vat network this connection belongs to, or null for none
   * @return this connection
   */
  public RpcConnection thirdPartyNetwork(ThirdPartyNetwork network) {
    this.thirdPartyNetwork = network;
    return this;
  }

  /** The protocol core (for the core's three-party handoff, through ApiAccess). */
  RpcProtocol core() {
    return protocol;
  }

  /**
   * Whether this connection uses Level 3 (three-party handoff): it has a
   * {@link ThirdPartyNetwork} and the peer announced Level 3 on it. Decided at {@link #start()}.
   *
   * @return whether Level 3 messages may be exchanged with the peer
   */
  public boolean level3() {
    return protocol.level3();
  }

  /** Starts receiving messages. */
  public void start() {
    if (thirdPartyNetwork != null) {
      protocol.thirdParty(thirdPartyNetwork, this,
          thirdPartyNetwork.peerSupportsLevel3(this));
    }
    java.util.function.Consumer<MessageReader> handler = protocol::handle;
    transport.start(new MessageTransport.Receiver() {
      @Override
      public void onMessage(MessageReader message) {
        if (loop.tryRunNow(handler, message)) {
          return; // handled at once, in order (the transport's I/O runs on our loop's thread)
        }
        long bytes = RpcMessages.sizeInBytes(message) + QUEUED_MESSAGE_OVERHEAD_BYTES;
        QueueBudget budget = incomingBudget;
        if (budget != null) {
          budget.add(bytes);
        }
        queuedIncoming.addAndGet(bytes);
        if (mustPauseReading()) {
          adjustReading();
        }
        loop.execute(() -> {
          try {
            protocol.handle(message);
          } finally {
            if (budget != null) {
              budget.add(-bytes);
            }
            queuedIncoming.addAndGet(-bytes);
            if (readingPaused && mayResumeReading()) {
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
          protocol.end(e, cause == null);
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
      return new Capability(protocol.bootstrap(id, answerTimeoutMillis));
    }
    QueuedClient q = new QueuedClient(loop, "bootstrap");
    q.addRef();
    loop.execute(() -> {
      q.resolve(protocol.bootstrap(id, answerTimeoutMillis));
      q.release();
    });
    return new Capability(q);
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
    loop.run(() -> protocol.abort(reason));
  }

  @Override
  public void close() {
    disconnect(RpcException.disconnected("Connection closed"));
  }

  // ========================================================================= backpressure

  /**
   * What a received message queued for the loop costs beyond its own bytes, counted against
   * {@code maxQueuedIncomingBytes} and the {@link #incomingBudget}: the reader, its segment and
   * buffer objects, the array's header, the queued task and the queue's node (248 bytes
   * measured for a small Call decoded by the vat's frame decoder, on a 64-bit JVM with compressed
   * pointers). Without it, a peer sending small calls would make the vat hold about three times
   * the limit.
   */
  public static final int QUEUED_MESSAGE_OVERHEAD_BYTES = 256;

  /**
   * Shares {@code budget}, the vat-wide bound on received messages waiting for their loops,
   * with the vat's other connections: while the messages queued by all of them together exceed
   * it, this connection stops reading from its peer once it holds more than
   * {@link QueueBudget#FLOOR_BYTES} of them (its own {@code maxQueuedIncomingBytes} still
   * applies). Without it, each connection may hold its own limit, and a few dozen fast peers
   * together could fill the heap. Set before {@link #start()}.
   *
   * @param budget the vat's budget, or {@code null} for none
   * @return this connection
   */
  public RpcConnection incomingBudget(QueueBudget budget) {
    this.incomingBudget = budget;
    return this;
  }

  /** {@link QueueBudget#mustPause} for the received messages waiting for the loop. */
  private boolean mustPauseReading() {
    return QueueBudget.mustPause(queuedIncoming.get(), limits().maxQueuedIncomingBytes(),
        incomingBudget);
  }

  /**
   * {@link QueueBudget#mayResume} for the received messages waiting for the loop (handling each
   * of them asks again).
   */
  private boolean mayResumeReading() {
    return QueueBudget.mayResume(queuedIncoming.get(), limits().maxQueuedIncomingBytes(),
        incomingBudget);
  }

  /**
   * Pauses the transport while {@link #mustPauseReading()}, resumes it once
   * {@link #mayResumeReading()}. Called by the transport's thread (a message arrived) and by
   * the loop (a message was handled); serialized by this lock so that the transport sees the
   * pauses and resumes in the order they were decided. The flag is set before the counts are
   * read again, so a drain racing with a pause always sees the flag and comes back here to
   * resume.
   */
  private synchronized void adjustReading() {
    if (!readingPaused) {
      readingPaused = true;
      if (mustPauseReading()) {
        transport.pauseReading();
      } else {
        readingPaused = false;
      }
    } else if (mayResumeReading()) {
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

  /**
   * The reason the connection was lost, or null while it is up.
   *
   * @return why the connection ended, or null while it is up
   */
  public RpcException disconnectReason() {
    return protocol.disconnectReason();
  }

  // =============================================================================== debug

  /**
   * Whether all four tables and the embargo table are empty.
   *
   * @return true if the four tables and the embargoes are empty
   */
  public boolean tablesEmpty() {
    return onLoop(protocol::tablesEmpty);
  }

  /**
   * Checks the connection's internal invariants (a diagnostic for tests and fuzzers); returns
   * null when they hold, else a description of the first violation.
   *
   * @return a description of the first broken invariant, or null if all hold
   */
  public String checkInvariants() {
    return onLoop(protocol::invariantViolation);
  }

  /**
   * A multi-line dump of the connection's tables.
   *
   * @return the tables in text, for diagnostics
   */
  public String dumpTables() {
    return onLoop(protocol::dump);
  }

  /**
   * Table sizes: questions, answers, imports, exports, embargoes.
   *
   * @return the sizes of the questions, answers, imports, exports and embargoes tables
   */
  public int[] tableSizes() {
    return onLoop(protocol::tableSizes);
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

  @Override
  public String toString() {
    return "RpcConnection(" + name + ")";
  }
}
