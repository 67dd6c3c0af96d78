package dev.capnp.net;

import dev.capnp.rpc.StreamFlowControl;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The seed's Cap'n Proto command-line options as a picocli mixin (spec section 3). Add it to any
 * command with {@code @CommandLine.Mixin VatOptions capnp;} and call {@link #toConfig()}:
 * <pre>
 * --capnp-secret-key-file PATH   required; "" = ephemeral; created (0600) if missing
 * --capnp-listen-address ADDR    required; unix:PATH | tcp:HOST:PORT | tcp:[IPv6]:PORT
 * --capnp-public-address ADDR    optional; defaults to the listen address
 * --capnp-disable-tls            accept plaintext; sturdy URIs use insecure@
 * --capnp-stream-window BYTES    optional; fixed flow-control window for streaming calls
 *                                (e.g. 65536, 64k, 1m); absent = adaptive (from 64 KiB)
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
      description = "Address to put in sturdy URIs (default: the listen address).")
  NetAddress publicAddress;

  @CommandLine.Option(names = "--capnp-disable-tls",
      description = "Do not use TLS for incoming connections (sturdy URIs use insecure@).")
  boolean disableTls;

  @CommandLine.Option(names = "--capnp-stream-window", paramLabel = "BYTES",
      converter = WindowConverter.class,
      description = "Fixed flow-control window for streaming calls to imported capabilities, in "
          + "bytes (k, m, g suffixes: KiB, MiB, GiB; default: an adaptive window from 64 KiB).")
  Long streamWindow;

  /** The configuration these options describe. */
  public VatConfig toConfig() {
    return VatConfig.builder()
        .secretKeyFile(secretKeyFile == null || secretKeyFile.isEmpty() ? null
            : Path.of(secretKeyFile))
        .listenAddress(listenAddress)
        .publicAddress(publicAddress)
        .tls(!disableTls)
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
