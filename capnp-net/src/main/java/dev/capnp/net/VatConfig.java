package dev.capnp.net;

import dev.capnp.rpc.StreamFlowControl;
import dev.capnp.runtime.ReaderOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a vat serves (spec section 3): secret key file ({@code null} = ephemeral key), listen
 * address (null = client only), public address (defaults to the listen address), TLS on/off,
 * plus limits on incoming messages. Immutable; the key is loaded (or generated and saved) on
 * first use and then cached.
 */
public final class VatConfig {
  /** Default largest incoming message: 8 Mi words (64 MiB). */
  public static final long DEFAULT_MAX_MESSAGE_WORDS = 8L * 1024 * 1024;
  /**
   * Default listen backlog: room for bursts of thousands of simultaneous connects (the kernel
   * caps it at {@code net.core.somaxconn}).
   */
  public static final int DEFAULT_BACKLOG = 4096;
  /** Default time an accepted connection has to complete its first message (TLS included). */
  public static final Duration DEFAULT_FIRST_MESSAGE_TIMEOUT = Duration.ofSeconds(30);
  /** Default time a frame has, from its first bytes, to arrive completely. */
  public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(60);
  /** Default time a peer that leaves its replies unread may go without reading any. */
  public static final Duration DEFAULT_REPLY_STALL_TIMEOUT = Duration.ofSeconds(60);
  /** Default time a connect (dial, TLS handshake, bootstrap answer) may take. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /** Default largest number of connections a vat keeps open at once. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  private final Path secretKeyFile;
  private final NetAddress listenAddress;
  private final NetAddress publicAddress;
  private final boolean tls;
  private final long maxMessageWords;
  private final ReaderOptions readerOptions;
  private final int backlog;
  private final dev.capnp.rpc.ConnectionLimits connectionLimits;
  private final boolean nativeTransport;
  private final StreamFlowControl streamFlowControl;
  private final Duration firstMessageTimeout;
  private final Duration frameTimeout;
  private final Duration connectTimeout;
  private final Duration replyStallTimeout;
  private final int maxConnections;
  private final long maxQueuedRepliesTotal;
  private final long maxQueuedIncomingTotal;
  private final boolean thirdPartyHandoff;
  private final boolean callForwarding;
  private volatile SecretKey key;

  private VatConfig(Builder b) {
    this.secretKeyFile = b.secretKeyFile;
    this.listenAddress = b.listenAddress;
    this.publicAddress = b.publicAddress != null ? b.publicAddress : b.listenAddress;
    this.tls = b.tls;
    this.maxMessageWords = b.maxMessageWords;
    this.readerOptions = b.readerOptions;
    this.backlog = b.backlog;
    this.connectionLimits = b.connectionLimits;
    this.nativeTransport = b.nativeTransport;
    this.streamFlowControl = b.streamFlowControl;
    this.firstMessageTimeout = b.firstMessageTimeout;
    this.frameTimeout = b.frameTimeout;
    this.connectTimeout = b.connectTimeout;
    this.replyStallTimeout = b.replyStallTimeout;
    this.maxConnections = b.maxConnections;
    this.maxQueuedRepliesTotal = b.maxQueuedRepliesTotal;
    this.maxQueuedIncomingTotal = b.maxQueuedIncomingTotal;
    this.thirdPartyHandoff = b.thirdPartyHandoff;
    this.callForwarding = b.callForwarding;
    this.key = b.key;
  }

  /**
   * A new builder (TLS on, ephemeral key, client only).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client-only configuration with an ephemeral key and TLS on.
   *
   * @return the configuration
   */
  public static VatConfig clientOnly() {
    return builder().build();
  }

  /**
   * The key file, or null for an ephemeral key.
   *
   * @return the key file, or {@code null} for an ephemeral key
   */
  public Path secretKeyFile() {
    return secretKeyFile;
  }

  /**
   * Where to listen, or null for a client-only vat.
   *
   * @return the listen address, or {@code null} for a client-only vat
   */
  public NetAddress listenAddress() {
    return listenAddress;
  }

  /**
   * The address others reach this vat at (defaults to the listen address): put into sturdy URIs,
   * and announced to peers on Level 3 connections so that they can hand this vat's capabilities
   * off to third parties even when this vat dialled them (a {@code 0.0.0.0}/{@code ::} host is
   * announced as the address of the connection's local end, a TCP port 0 as the bound port; a
   * loopback or Unix-socket address only to peers on the same host). Behind NAT or in a
   * container, set it to the address others can dial.
   *
   * @return the public address, or {@code null} for a client-only vat
   */
  public NetAddress publicAddress() {
    return publicAddress;
  }

  /**
   * Whether connections use TLS ({@code --capnp-disable-tls} turns it off).
   *
   * @return {@code true} if connections use TLS
   */
  public boolean tls() {
    return tls;
  }

  /**
   * Largest incoming message in words; a bigger one aborts the connection.
   *
   * @return the limit in words (8 bytes each)
   */
  public long maxMessageWords() {
    return maxMessageWords;
  }

  /**
   * Traversal and nesting limits applied to each incoming message.
   *
   * @return the reader limits
   */
  public ReaderOptions readerOptions() {
    return readerOptions;
  }

  /**
   * Listen backlog.
   *
   * @return the listen backlog (pending connections)
   */
  public int backlog() {
    return backlog;
  }

  /**
   * Per-connection RPC table limits (answers, imports, exports, cap table entries).
   *
   * @return the limits
   */
  public dev.capnp.rpc.ConnectionLimits connectionLimits() {
    return connectionLimits;
  }

  /**
   * Whether the vat uses Netty's native epoll transport where it is available (the default);
   * false: NIO (TCP and, on JDK 16+, Unix-domain sockets).
   *
   * @return {@code true} to use epoll where available
   */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /**
   * How streaming calls ({@code -> stream}) to the capabilities a connection of this vat imports
   * are paced: each such capability gets its own controller from this policy at its first
   * streaming call (default {@link StreamFlowControl#DEFAULT}, an adaptive window starting at
   * 64 KiB).
   *
   * @return the policy
   */
  public StreamFlowControl streamFlowControl() {
    return streamFlowControl;
  }

  /**
   * How long an accepted connection has to deliver its first complete message, TLS handshake
   * included (default 30 s); a peer that connects and stalls is dropped then.
   *
   * @return the timeout
   */
  public Duration firstMessageTimeout() {
    return firstMessageTimeout;
  }

  /**
   * How long a frame has, from its first bytes, to arrive completely (default 60 s); time in
   * which the vat itself does not read (backpressure) does not count. Idle connections with no
   * frame in progress are not affected.
   *
   * @return the timeout
   */
  public Duration frameTimeout() {
    return frameTimeout;
  }

  /**
   * How long {@link Vat#connect} may take to dial and complete the TLS handshake before it fails
   * with a {@code FAILED} {@code RpcException}, and then how long the peer has to answer the
   * bootstrap before the capability breaks with one (default 30 s each).
   *
   * @return the timeout
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * How long a peer that leaves its replies unread, so that the vat has stopped reading from it
   * (backpressure), may go without reading any before it is dropped (default 60 s): a peer that
   * never reads must not hold its socket and the replies queued for it forever.
   *
   * @return the timeout
   */
  public Duration replyStallTimeout() {
    return replyStallTimeout;
  }

  /**
   * Most connections the vat keeps open at once, accepted and dialled together (default
   * 10,000); a connection accepted beyond it is refused at once (logged).
   *
   * @return the limit (a count of connections)
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Most bytes of replies the vat keeps queued for peers that do not read them, over all its
   * connections (counted as {@code maxQueuedReplyBytes} is, per connection); while more are
   * queued, each connection holding more than
   * {@link dev.capnp.rpc.transport.QueueBudget#FLOOR_BYTES} of them stops reading from its
   * peer. Default: an eighth of the JVM's maximum heap, at least 16 MiB
   * ({@link #defaultMaxQueuedRepliesTotal()}); without it, a few hundred peers that never read
   * could each make the vat hold its per-connection limit and together exhaust the heap.
   *
   * @return the bound in bytes
   */
  public long maxQueuedRepliesTotal() {
    return maxQueuedRepliesTotal;
  }

  /**
   * The default {@link #maxQueuedRepliesTotal()}: an eighth of the JVM's maximum heap
   * ({@code -Xmx}), at least 16 MiB.
   *
   * @return the default bound in bytes
   */
  public static long defaultMaxQueuedRepliesTotal() {
    return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
  }

  /**
   * Most bytes of received messages the vat keeps waiting for its event loop, over all its
   * connections (counted as {@code maxQueuedIncomingBytes} is, per connection: each message's
   * size plus {@value dev.capnp.rpc.RpcConnection#QUEUED_MESSAGE_OVERHEAD_BYTES} bytes); while
   * more wait, each connection holding more than
   * {@link dev.capnp.rpc.transport.QueueBudget#FLOOR_BYTES} of them stops reading from its peer
   * until its messages are handled. Default: an eighth of the JVM's maximum heap, at least 16 MiB
   * ({@link #defaultMaxQueuedIncomingTotal()}); without it, a few dozen peers sending faster
   * than the vat handles could each make it hold its per-connection limit and together exhaust
   * the heap.
   *
   * @return the bound in bytes
   */
  public long maxQueuedIncomingTotal() {
    return maxQueuedIncomingTotal;
  }

  /**
   * The default {@link #maxQueuedIncomingTotal()}: an eighth of the JVM's maximum heap
   * ({@code -Xmx}), at least 16 MiB.
   *
   * @return the default bound in bytes
   */
  public static long defaultMaxQueuedIncomingTotal() {
    return defaultMaxQueuedRepliesTotal();
  }

  /**
   * Whether the vat takes part in three-party handoffs (Level 3 of the RPC protocol; default
   * true, effective with TLS only): it announces them on its TLS connections (the ALPN name
   * {@code capnp-java-level3}, then its {@link #publicAddress()} in the first message), and when
   * both ends of a connection did, a capability hosted by
   * one peer and passed to another is handed off so that the other connects to its host
   * directly instead of calling through this vat. Peers that do not announce it (C++, the OCaml
   * seed, vats with it off) and insecure connections stay at Level 1 (the capability is
   * proxied). See "Level 3" in {@code docs/ARCHITECTURE.md}.
   *
   * @return {@code true} if handoff is on (TLS vats)
   */
  public boolean thirdPartyHandoff() {
    return thirdPartyHandoff && tls;
  }

  /**
   * Whether the vat forwards its handlers' tail calls (three-party call forwarding, part of
   * Level 3; default false, effective only with {@link #thirdPartyHandoff()}): when a handler
   * of a call from Alice tail-calls a capability Carol hosts, and both connections speak Level
   * 3, the call goes to Carol with {@code sendResultsTo.thirdParty} and Carol returns the
   * results straight to Alice (connecting to her if needed) instead of through this vat. That
   * is nine messages and work on three vats per call where proxying is six, so it pays only
   * when the results are large (they no longer cross this vat) or Alice is far from this vat
   * and near Carol; between vats on one host, small calls are slower forwarded (see "Three-party
   * call forwarding" in {@code docs/ARCHITECTURE.md} and {@code ForwardingBench} in
   * {@code benchmarks/README.md}). Calls and results forwarded to this vat by others are
   * accepted either way.
   *
   * @return {@code true} if tail calls are forwarded (TLS vats with handoff on)
   */
  public boolean callForwarding() {
    return callForwarding && thirdPartyHandoff();
  }

  /** Whether the key has been loaded or generated yet (it is on first use). */
  boolean keyLoaded() {
    return key != null;
  }

  /**
   * The vat's key: loaded from, or generated into, the key file on first use.
   *
   * @return the key
   */
  public SecretKey secretKey() {
    SecretKey k = key;
    if (k == null) {
      synchronized (this) {
        k = key;
        if (k == null) {
          try {
            k = secretKeyFile == null ? SecretKey.generate()
                : SecretKey.loadOrCreate(secretKeyFile);
          } catch (IOException e) {
            // the message names the file already when it is about the file (e.g. its mode)
            String m = String.valueOf(e.getMessage());
            throw new UncheckedIOException(m.contains(secretKeyFile.toString()) ? m
                : "Cannot load or create secret key file " + secretKeyFile + ": " + m, e);
          }
          key = k;
        }
      }
    }
    return k;
  }

  /**
   * The URI auth: the key's fingerprint, or {@code insecure} with TLS off.
   *
   * @return the URI auth
   */
  public AuthDigest authDigest() {
    return tls ? secretKey().digest() : AuthDigest.INSECURE;
  }

  /**
   * HMAC-SHA256(key = SHA-256(PEM bytes), name): stable across restarts with the same file.
   *
   * @param name the service name
   * @return the 32-byte service ID
   */
  public ServiceId derivedId(String name) {
    return secretKey().derivedId(name);
  }

  /**
   * The sturdy URI of {@code id} at the public address.
   *
   * @param id the service ID
   * @return the URI
   */
  public CapnpUri sturdyUri(ServiceId id) {
    if (publicAddress == null) {
      throw new IllegalStateException("a client-only vat has no public address");
    }
    return new CapnpUri(authDigest(), publicAddress, id);
  }

  @Override
  public String toString() {
    return "VatConfig(key=" + (secretKeyFile == null ? "ephemeral" : secretKeyFile)
        + ", listen=" + listenAddress + ", public=" + publicAddress + ", tls=" + tls
        + ", handoff=" + thirdPartyHandoff() + ", callForwarding=" + callForwarding() + ")";
  }

  /** Builds a {@link VatConfig}. */
  public static final class Builder {
    private Path secretKeyFile;
    private SecretKey key;
    private NetAddress listenAddress;
    private NetAddress publicAddress;
    private boolean tls = true;
    private long maxMessageWords = DEFAULT_MAX_MESSAGE_WORDS;
    private ReaderOptions readerOptions = ReaderOptions.DEFAULT;
    private int backlog = DEFAULT_BACKLOG;
    private dev.capnp.rpc.ConnectionLimits connectionLimits =
        dev.capnp.rpc.ConnectionLimits.DEFAULT;
    private boolean nativeTransport = true;
    private StreamFlowControl streamFlowControl = StreamFlowControl.DEFAULT;
    private Duration firstMessageTimeout = DEFAULT_FIRST_MESSAGE_TIMEOUT;
    private Duration frameTimeout = DEFAULT_FRAME_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration replyStallTimeout = DEFAULT_REPLY_STALL_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long maxQueuedRepliesTotal = defaultMaxQueuedRepliesTotal();
    private long maxQueuedIncomingTotal = defaultMaxQueuedIncomingTotal();
    private boolean thirdPartyHandoff = true;
    private boolean callForwarding;

    private Builder() {}

    /**
     * Three-party call forwarding on or off (the default): see
     * {@link VatConfig#callForwarding()}. Needs {@link #thirdPartyHandoff(boolean)} on (the
     * default).
     *
     * @param on {@code true} to forward tail calls to third parties
     * @return this builder
     */
    public Builder callForwarding(boolean on) {
      this.callForwarding = on;
      return this;
    }

    /**
     * Three-party handoff on (the default; TLS vats only) or off: see
     * {@link VatConfig#thirdPartyHandoff()}. Off, the vat neither announces nor uses Level 3
     * and proxies every capability it passes on, as at Level 1.
     *
     * @param on {@code true} to take part in three-party handoffs
     * @return this builder
     */
    public Builder thirdPartyHandoff(boolean on) {
      this.thirdPartyHandoff = on;
      return this;
    }

    /**
     * See {@link VatConfig#firstMessageTimeout()}.
     *
     * @param d the timeout
     * @return this builder
     */
    public Builder firstMessageTimeout(Duration d) {
      this.firstMessageTimeout = positive(d, "firstMessageTimeout");
      return this;
    }

    /**
     * See {@link VatConfig#frameTimeout()}.
     *
     * @param d the timeout
     * @return this builder
     */
    public Builder frameTimeout(Duration d) {
      this.frameTimeout = positive(d, "frameTimeout");
      return this;
    }

    /**
     * See {@link VatConfig#connectTimeout()}.
     *
     * @param d the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    /**
     * See {@link VatConfig#replyStallTimeout()}.
     *
     * @param d the timeout
     * @return this builder
     */
    public Builder replyStallTimeout(Duration d) {
      this.replyStallTimeout = positive(d, "replyStallTimeout");
      return this;
    }

    /**
     * See {@link VatConfig#maxConnections()}.
     *
     * @param n the limit (a count of connections)
     * @return this builder
     */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections must be positive: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * See {@link VatConfig#maxQueuedRepliesTotal()}.
     *
     * @param bytes the bound in bytes; positive
     * @return this builder
     */
    public Builder maxQueuedRepliesTotal(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxQueuedRepliesTotal must be positive: " + bytes);
      }
      this.maxQueuedRepliesTotal = bytes;
      return this;
    }

    /**
     * See {@link VatConfig#maxQueuedIncomingTotal()}.
     *
     * @param bytes the bound in bytes; positive
     * @return this builder
     */
    public Builder maxQueuedIncomingTotal(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxQueuedIncomingTotal must be positive: " + bytes);
      }
      this.maxQueuedIncomingTotal = bytes;
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero() || d.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1 ms: " + d);
      }
      return d;
    }

    /**
     * How the vat's connections pace streaming calls to the capabilities they import (default
     * {@link StreamFlowControl#DEFAULT}); e.g. {@code StreamFlowControl.fixedWindow(bytes)} for
     * at most about {@code bytes} unacknowledged per capability.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder streamFlowControl(StreamFlowControl policy) {
      this.streamFlowControl = Objects.requireNonNull(policy, "streamFlowControl");
      return this;
    }

    /**
     * Use Netty's native epoll transport where available (default true); false forces NIO.
     *
     * @param on {@code true} to use epoll where available, {@code false} for NIO
     * @return this builder
     */
    public Builder nativeTransport(boolean on) {
      this.nativeTransport = on;
      return this;
    }

    /**
     * Per-connection RPC table limits (default {@code ConnectionLimits.DEFAULT}).
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder connectionLimits(dev.capnp.rpc.ConnectionLimits limits) {
      this.connectionLimits = Objects.requireNonNull(limits);
      return this;
    }

    /**
     * Key file (created with a new RSA key if missing); null = ephemeral.
     *
     * @param file the key file, or {@code null} for an ephemeral key
     * @return this builder
     */
    public Builder secretKeyFile(Path file) {
      this.secretKeyFile = file;
      return this;
    }

    /**
     * Uses this key (no file).
     *
     * @param k the key
     * @return this builder
     */
    public Builder secretKey(SecretKey k) {
      this.key = Objects.requireNonNull(k);
      return this;
    }

    /**
     * Where to listen (null: client only).
     *
     * @param a the listen address, or {@code null} for a client-only vat
     * @return this builder
     */
    public Builder listenAddress(NetAddress a) {
      this.listenAddress = a;
      return this;
    }

    /**
     * See {@link VatConfig#publicAddress()}: the address advertised in sturdy URIs and announced
     * to Level 3 peers.
     *
     * @param a the public address
     * @return this builder
     */
    public Builder publicAddress(NetAddress a) {
      this.publicAddress = a;
      return this;
    }

    /**
     * TLS on (default) or off.
     *
     * @param on {@code true} for TLS
     * @return this builder
     */
    public Builder tls(boolean on) {
      this.tls = on;
      return this;
    }

    /**
     * Largest incoming message, in words.
     *
     * @param words the limit in words (8 bytes each)
     * @return this builder
     */
    public Builder maxMessageWords(long words) {
      if (words < 1) {
        throw new IllegalArgumentException("maxMessageWords must be positive: " + words);
      }
      this.maxMessageWords = words;
      return this;
    }

    /**
     * Limits for reading incoming messages.
     *
     * @param o the reader limits
     * @return this builder
     */
    public Builder readerOptions(ReaderOptions o) {
      this.readerOptions = Objects.requireNonNull(o);
      return this;
    }

    /**
     * Listen backlog (default {@link #DEFAULT_BACKLOG}).
     *
     * @param n the listen backlog (pending connections)
     * @return this builder
     */
    public Builder backlog(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("backlog must be positive: " + n);
      }
      this.backlog = n;
      return this;
    }

    /**
     * The configuration.
     *
     * @return the configuration
     */
    public VatConfig build() {
      return new VatConfig(this);
    }
  }
}
