package dev.capnp.net;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.StreamFlowControl;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;

/**
 * The seed's Cap'n Proto command-line options as a picocli mixin (spec section 3). Add it to any
 * command with {@code @CommandLine.Mixin VatOptions capnp;} and call {@link #toConfig()}:
 * <pre>
 * --capnp-secret-key-file PATH   required; "" = ephemeral; created (0600) if missing
 * --capnp-listen-address ADDR    required; unix:PATH | tcp:HOST:PORT | tcp:[IPv6]:PORT
 * --capnp-public-address ADDR    optional; defaults to the listen address; also announced to
 *                                Level 3 peers (three-party handoff)
 * --capnp-disable-tls            accept plaintext; sturdy URIs use insecure@
 * --capnp-disable-handoff        no three-party handoff (Level 3): proxy capabilities passed on
 * --capnp-call-forwarding        forward tail calls to third parties (Level 3; off by default)
 * --capnp-stream-window BYTES    optional; fixed flow-control window for streaming calls
 *                                (e.g. 65536, 64k, 1m); absent = adaptive (from 64 KiB)
 * </pre>
 * and the limits that protect a server from slow, stalled and hostile peers (defaults as in
 * {@link VatConfig} and {@link ConnectionLimits}; durations like {@code 30s}, {@code 500ms},
 * {@code 2m}, sizes like {@code 65536}, {@code 64k}, {@code 2m}):
 * <pre>
 * --capnp-first-message-timeout D   an accepted connection's first message, TLS included (30s)
 * --capnp-frame-timeout D           a frame, from its first bytes (60s)
 * --capnp-connect-timeout D         dial, TLS handshake, answer to the bootstrap (30s)
 * --capnp-reply-stall-timeout D     a peer leaving its replies unread reads none (60s)
 * --capnp-max-connections N         connections open at once; more are refused (10000)
 * --capnp-backlog N                 listen backlog (4096)
 * --capnp-max-message-size BYTES    largest incoming message (64m)
 * --capnp-max-queued-incoming BYTES received, not yet handled; then stop reading (2m)
 * --capnp-max-queued-replies BYTES  replies the peer does not read; then stop reading (2m)
 * --capnp-max-queued-replies-total BYTES  replies unread, all connections together (heap/8)
 * --capnp-max-queued-incoming-total BYTES received, not yet handled, all together (heap/8)
 * --capnp-max-bytes-in-flight BYTES params of calls the peer has not finished (64m)
 * --capnp-max-answers N, --capnp-max-imports N, --capnp-max-exports N,
 * --capnp-max-cap-table-entries N   table limits per connection (16384, 16384, 16384, 4096)
 * </pre>
 */
public final class VatOptions {
  @CommandLine.Option(names = "--capnp-secret-key-file", paramLabel = "PATH", required = true,
      description = "File holding the vat's secret key (created if missing; \"\" for an "
          + "ephemeral key).")
  String secretKeyFile;

  @CommandLine.Option(names = "--capnp-listen-address", paramLabel = "ADDR", required = true,
      converter = AddressConverter.class,
      description = "Address to listen on: unix:PATH, tcp:HOST:PORT or tcp:[IPv6]:PORT.")
  NetAddress listenAddress;

  @CommandLine.Option(names = "--capnp-public-address", paramLabel = "ADDR",
      converter = AddressConverter.class,
      description = "Address others reach this vat at: put in sturdy URIs and announced to "
          + "peers for three-party handoffs (default: the listen address; a 0.0.0.0 or :: host "
          + "is announced as the address of each connection's local end).")
  NetAddress publicAddress;

  @CommandLine.Option(names = "--capnp-disable-tls",
      description = "Do not use TLS for incoming connections (sturdy URIs use insecure@).")
  boolean disableTls;

  @CommandLine.Option(names = "--capnp-disable-handoff",
      description = "Do not take part in three-party handoffs (Level 3): capabilities hosted "
          + "elsewhere and passed on by this vat are proxied through it.")
  boolean disableHandoff;

  @CommandLine.Option(names = "--capnp-call-forwarding",
      description = "Forward handlers' tail calls to third parties (three-party call forwarding, "
          + "Level 3): the callee returns results straight to the caller's vat. Pays for large "
          + "results or when this vat is far from the caller; off by default (small calls on "
          + "one host are faster proxied).")
  boolean callForwarding;

  @CommandLine.Option(names = "--capnp-stream-window", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Fixed flow-control window for streaming calls to imported capabilities, in "
          + "bytes (k, m, g suffixes: KiB, MiB, GiB; default: an adaptive window from 64 KiB).")
  Long streamWindow;

  @CommandLine.Option(names = "--capnp-first-message-timeout", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time an accepted connection has for its first complete message, TLS "
          + "handshake included (default 30s).")
  Duration firstMessageTimeout = VatConfig.DEFAULT_FIRST_MESSAGE_TIMEOUT;

  @CommandLine.Option(names = "--capnp-frame-timeout", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time a frame has, from its first bytes, to arrive completely "
          + "(default 60s).")
  Duration frameTimeout = VatConfig.DEFAULT_FRAME_TIMEOUT;

  @CommandLine.Option(names = "--capnp-connect-timeout", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time an outgoing connection has to connect, TLS included, and then the "
          + "peer has to answer the bootstrap (default 30s).")
  Duration connectTimeout = VatConfig.DEFAULT_CONNECT_TIMEOUT;

  @CommandLine.Option(names = "--capnp-reply-stall-timeout", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time a peer that leaves its replies unread may go without reading any "
          + "before it is dropped (default 60s).")
  Duration replyStallTimeout = VatConfig.DEFAULT_REPLY_STALL_TIMEOUT;

  @CommandLine.Option(names = "--capnp-max-connections", paramLabel = "N",
      description = "Connections open at once; more are refused (default 10000).")
  int maxConnections = VatConfig.DEFAULT_MAX_CONNECTIONS;

  @CommandLine.Option(names = "--capnp-backlog", paramLabel = "N",
      description = "Listen backlog (default 4096).")
  int backlog = VatConfig.DEFAULT_BACKLOG;

  @CommandLine.Option(names = "--capnp-max-message-size", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Largest incoming message (default 64m).")
  Long maxMessageBytes;

  @CommandLine.Option(names = "--capnp-max-queued-incoming", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Received messages not yet handled, per connection, before it stops "
          + "reading (default 2m).")
  Long maxQueuedIncoming;

  @CommandLine.Option(names = "--capnp-max-queued-replies", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Replies a peer leaves unread before its connection stops reading "
          + "(default 2m).")
  Long maxQueuedReplies;

  @CommandLine.Option(names = "--capnp-max-queued-replies-total", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Replies peers leave unread, all connections together; beyond it, "
          + "connections holding more than 16k of them stop reading (default: an eighth of "
          + "the maximum heap, at least 16m).")
  Long maxQueuedRepliesTotal;

  @CommandLine.Option(names = "--capnp-max-queued-incoming-total", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Received messages not yet handled, all connections together; beyond it, "
          + "connections holding more than 16k of them stop reading (default: an eighth of "
          + "the maximum heap, at least 16m).")
  Long maxQueuedIncomingTotal;

  @CommandLine.Option(names = "--capnp-max-bytes-in-flight", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Params of calls a peer has not finished, per connection (default 64m).")
  Long maxBytesInFlight;

  @CommandLine.Option(names = "--capnp-max-answers", paramLabel = "N",
      description = "Calls a peer may have outstanding per connection (default 16384).")
  Integer maxAnswers;

  @CommandLine.Option(names = "--capnp-max-imports", paramLabel = "N",
      description = "Capabilities a peer may export to us per connection (default 16384).")
  Integer maxImports;

  @CommandLine.Option(names = "--capnp-max-exports", paramLabel = "N",
      description = "Capabilities we may export per connection (default 16384).")
  Integer maxExports;

  @CommandLine.Option(names = "--capnp-max-cap-table-entries", paramLabel = "N",
      description = "Capabilities in one incoming message (default 4096).")
  Integer maxCapTableEntries;

  /**
   * The connection limits these options describe.
   *
   * @return the limits
   */
  public ConnectionLimits toLimits() {
    ConnectionLimits l = ConnectionLimits.DEFAULT;
    if (maxQueuedIncoming != null) {
      l = l.withMaxQueuedIncomingBytes(maxQueuedIncoming);
    }
    if (maxQueuedReplies != null) {
      l = l.withMaxQueuedReplyBytes(maxQueuedReplies);
    }
    if (maxBytesInFlight != null) {
      l = l.withMaxBytesInFlight(maxBytesInFlight);
    }
    if (maxAnswers != null) {
      l = l.withMaxAnswers(maxAnswers);
    }
    if (maxImports != null) {
      l = l.withMaxImports(maxImports);
    }
    if (maxExports != null) {
      l = l.withMaxExports(maxExports);
    }
    if (maxCapTableEntries != null) {
      l = l.withMaxCapTableEntries(maxCapTableEntries);
    }
    return l;
  }

  /**
   * The configuration these options describe.
   *
   * @return the configuration
   */
  public VatConfig toConfig() {
    VatConfig.Builder b = VatConfig.builder();
    if (maxMessageBytes != null) {
      b.maxMessageWords(Math.max(1, maxMessageBytes / 8));
    }
    return b
        .firstMessageTimeout(firstMessageTimeout)
        .frameTimeout(frameTimeout)
        .connectTimeout(connectTimeout)
        .replyStallTimeout(replyStallTimeout)
        .maxConnections(maxConnections)
        .maxQueuedRepliesTotal(maxQueuedRepliesTotal != null ? maxQueuedRepliesTotal
            : VatConfig.defaultMaxQueuedRepliesTotal())
        .maxQueuedIncomingTotal(maxQueuedIncomingTotal != null ? maxQueuedIncomingTotal
            : VatConfig.defaultMaxQueuedIncomingTotal())
        .backlog(backlog)
        .connectionLimits(toLimits())
        .secretKeyFile(secretKeyFile == null || secretKeyFile.isEmpty() ? null
            : Path.of(secretKeyFile))
        .listenAddress(listenAddress)
        .publicAddress(publicAddress)
        .tls(!disableTls)
        .thirdPartyHandoff(!disableHandoff)
        .callForwarding(callForwarding)
        .streamFlowControl(streamWindow == null ? StreamFlowControl.DEFAULT
            : StreamFlowControl.fixedWindow(streamWindow))
        .build();
  }

  /**
   * Parses a window size: a positive number of bytes, optionally followed by {@code k}, {@code m}
   * or {@code g} (KiB, MiB, GiB; either case).
   */
  public static final class WindowConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return parseBytes(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * {@code value} as a positive byte count ({@code 65536}, {@code 64k}, {@code 1m}, {@code 1g});
   * anything else is an {@link IllegalArgumentException} naming the value.
   */
  static long parseBytes(String value) {
    String v = value.trim();
    int shift = 0;
    if (!v.isEmpty()) {
      switch (Character.toLowerCase(v.charAt(v.length() - 1))) {
        case 'k' -> shift = 10;
        case 'm' -> shift = 20;
        case 'g' -> shift = 30;
        default -> { }
      }
    }
    String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
    long n;
    try {
      n = digits.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.parseLong(digits) : -1;
    } catch (NumberFormatException e) {
      n = -1; // empty or too long
    }
    if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("Invalid window \"" + value + "\": expected a positive "
          + "number of bytes, optionally followed by k, m or g (KiB, MiB, GiB)");
    }
    return n << shift;
  }

  /**
   * Parses a duration: a positive number followed by {@code ms}, {@code s}, {@code m} or
   * {@code h} (a bare number is seconds), or an ISO-8601 duration ({@code PT30S}).
   */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** See {@link DurationConverter}; an {@link IllegalArgumentException} names a bad value. */
  static Duration parseDuration(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    Duration d = null;
    try {
      if (v.startsWith("pt")) {
        d = Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
      } else {
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
          i++;
        }
        if (i > 0 && i <= 12) {
          long n = Long.parseLong(v.substring(0, i));
          switch (v.substring(i).trim()) {
            case "ms" -> d = Duration.ofMillis(n);
            case "", "s" -> d = Duration.ofSeconds(n);
            case "m", "min" -> d = Duration.ofMinutes(n);
            case "h" -> d = Duration.ofHours(n);
            default -> { }
          }
        }
      }
    } catch (java.time.format.DateTimeParseException e) {
      d = null;
    }
    if (d == null || d.isNegative() || d.toMillis() < 1) {
      throw new IllegalArgumentException("Invalid duration \"" + value + "\": expected a "
          + "positive number followed by ms, s, m or h (e.g. 500ms, 30s, 2m)");
    }
    return d;
  }

  /** Parses addresses with {@link NetAddress#parse}, keeping its error text. */
  public static final class AddressConverter implements CommandLine.ITypeConverter<NetAddress> {
    @Override
    public NetAddress convert(String value) {
      try {
        return NetAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
