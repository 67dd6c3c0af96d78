package dev.capnp.net.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.AuthDigest;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.VatConfig;
import dev.capnp.net.VatOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The seed's Options, Sturdy URI and Listen address scenarios: command-line options to a vat
 * configuration, the spec's URI vectors (section 1) and the listen address forms with the
 * spec's error texts (section 3).
 */
@ExtendWith(NoLeaks.class)
class ConfigScenariosTest {
  static final String DIGEST = "sha-256:s16WV4JeGusAL_nTjvICiQOFqm3LqYrDj3K-HXdMi8s";

  /** A command holding only the vat options. */
  @CommandLine.Command(name = "main")
  static final class Main {
    @CommandLine.Mixin
    VatOptions capnp;
  }

  private static VatConfig parseOptions(String... args) {
    Main main = new Main();
    new CommandLine(main).parseArgs(args);
    return main.capnp.toConfig();
  }

  @Test
  void options() {
    VatConfig unix = parseOptions("--capnp-secret-key-file=key.pem", "--capnp-listen-address",
        "unix:/run/socket");
    assertThat(unix.secretKeyFile()).isEqualTo(Path.of("key.pem"));
    assertThat(unix.listenAddress()).isEqualTo(NetAddress.unix("/run/socket"));
    assertThat(unix.publicAddress()).as("defaults to the listen address")
        .isEqualTo(NetAddress.unix("/run/socket"));
    assertThat(unix.tls()).isTrue();

    VatConfig tcp = parseOptions("--capnp-secret-key-file=key.pem",
        "--capnp-public-address", "tcp:1.2.3.4:7001", "--capnp-listen-address",
        "tcp:0.0.0.0:7000");
    assertThat(tcp.secretKeyFile()).isEqualTo(Path.of("key.pem"));
    assertThat(tcp.listenAddress()).isEqualTo(NetAddress.tcp("0.0.0.0", 7000));
    assertThat(tcp.publicAddress()).isEqualTo(NetAddress.tcp("1.2.3.4", 7001));
    assertThat(tcp.tls()).isTrue();

    VatConfig insecure = parseOptions("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:7000", "--capnp-disable-tls");
    assertThat(insecure.secretKeyFile()).as("empty: ephemeral key").isNull();
    assertThat(insecure.tls()).isFalse();
    assertThat(insecure.sturdyUri(ServiceId.EMPTY).toString())
        .isEqualTo("capnp://insecure@127.0.0.1:7000");

    VatConfig relative = parseOptions("--capnp-secret-key-file=key.pem",
        "--capnp-listen-address", "unix:capnp.sock");
    assertThat(relative.listenAddress()).as("unix paths are made absolute using the cwd")
        .isEqualTo(NetAddress.unix(Path.of("capnp.sock").toAbsolutePath().toString()));
    assertThat(((NetAddress.Unix) relative.listenAddress()).path())
        .isEqualTo(Path.of("").toAbsolutePath().resolve("capnp.sock").toString());

    assertThatThrownBy(() -> parseOptions("--capnp-secret-key-file=k.pem",
        "--capnp-listen-address", "tcp:127.0.0.1"))
        .hasMessageContaining("Missing :PORT in listen address \"127.0.0.1\"");
  }

  private static void roundTrip(String uri, AuthDigest auth, NetAddress address, String sid) {
    CapnpUri parsed = CapnpUri.parse(uri);
    assertThat(parsed.auth()).as(uri).isEqualTo(auth);
    assertThat(parsed.address()).as(uri).isEqualTo(address);
    assertThat(parsed.serviceId()).as(uri).isEqualTo(ServiceId.ofPublic(sid));
    assertThat(parsed.toString()).isEqualTo(uri);
    assertThat(new CapnpUri(auth, address, ServiceId.ofPublic(sid)).toString()).isEqualTo(uri);
  }

  @Test
  void sturdyUri() {
    AuthDigest digest = AuthDigest.parse(DIGEST);
    roundTrip("capnp://insecure@/sock/", AuthDigest.INSECURE, NetAddress.unix("/sock"), "");
    roundTrip("capnp://insecure@localhost:7000", AuthDigest.INSECURE,
        NetAddress.tcp("localhost", 7000), "");
    roundTrip("capnp://" + DIGEST + "@localhost:7000/bWFpbg", digest,
        NetAddress.tcp("localhost", 7000), "main");
    roundTrip("capnp://" + DIGEST + "@/sock/bWFpbg", digest, NetAddress.unix("/sock"), "main");
    assertThat(digest.toString()).isEqualTo(DIGEST);
    // TCP: "" and "/" both mean the empty service ID
    assertThat(CapnpUri.parse("capnp://insecure@localhost:7000/").serviceId())
        .isEqualTo(ServiceId.EMPTY);
  }

  @Test
  void sturdyUriErrors() {
    assertThatThrownBy(() -> CapnpUri.parse("capnp://md5:abc@localhost:7000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown hash type \"md5\"");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://insecure@localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Missing port in capnp://insecure@localhost");
  }

  private static void listen(String s, NetAddress expected) {
    assertThat(NetAddress.parse(s)).as(s).isEqualTo(expected);
  }

  private static void listenError(String s, String message) {
    assertThatThrownBy(() -> NetAddress.parse(s)).as(s)
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void listenAddress() {
    listen("tcp:127.0.0.1:7000", NetAddress.tcp("127.0.0.1", 7000));
    listen("tcp:[::1]:7000", NetAddress.tcp("::1", 7000));
    listen("tcp:example.org:7000", NetAddress.tcp("example.org", 7000));
    listen("unix:/run/socket", NetAddress.unix("/run/socket"));
    listenError("tcp:[::1]", "Missing port in IPv6 address \"[::1]\"");
    listenError("tcp:::1:7000", "Invalid port \":1:7000\" in listen address \"::1:7000\"");
    listenError("tcp:127.0.0.1", "Missing :PORT in listen address \"127.0.0.1\"");
    listenError("http://localhost",
        "Only tcp:HOST:PORT and unix:PATH addresses are currently supported");
    listenError("localhost", "Missing ':'");
    assertThat(NetAddress.parse("tcp:[::1]:7000").toString()).isEqualTo("tcp:[::1]:7000");
  }
}
