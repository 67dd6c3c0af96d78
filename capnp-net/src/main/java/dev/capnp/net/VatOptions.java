package dev.capnp.net;

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

  /** The configuration these options describe. */
  public VatConfig toConfig() {
    return VatConfig.builder()
        .secretKeyFile(secretKeyFile == null || secretKeyFile.isEmpty() ? null
            : Path.of(secretKeyFile))
        .listenAddress(listenAddress)
        .publicAddress(publicAddress)
        .tls(!disableTls)
        .build();
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
