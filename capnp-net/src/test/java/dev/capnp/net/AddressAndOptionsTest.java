package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.StreamFlowControl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AddressAndOptionsTest {
  @CommandLine.Command(name = "app")
  static final class App implements Runnable {
    @CommandLine.Mixin
    VatOptions capnp;

    @Override
    public void run() {}
  }

  private static App parse(String... args) {
    App app = new App();
    new CommandLine(app).parseArgs(args);
    return app;
  }

  private static String parseError(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new App());
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertThat(code).isNotZero();
    return err.toString();
  }

  @Test
  void acceptedForms() {
    assertThat(NetAddress.parse("tcp:localhost:7000")).isEqualTo(NetAddress.tcp("localhost", 7000));
    assertThat(NetAddress.parse("tcp:[::1]:7000")).isEqualTo(NetAddress.tcp("::1", 7000));
    assertThat(NetAddress.parse("tcp:[::1]:7000").toString()).isEqualTo("tcp:[::1]:7000");
    assertThat(NetAddress.parse("unix:/tmp/x.sock")).isEqualTo(NetAddress.unix("/tmp/x.sock"));
    assertThat(((NetAddress.Unix) NetAddress.parse("unix:rel.sock")).path())
        .isEqualTo(Path.of("rel.sock").toAbsolutePath().toString());
  }

  @Test
  void errorTexts() {
    assertThatThrownBy(() -> NetAddress.parse("tcp:[::1]"))
        .hasMessage("Missing port in IPv6 address \"[::1]\"");
    assertThatThrownBy(() -> NetAddress.parse("tcp:::1:7000"))
        .hasMessage("Invalid port \":1:7000\" in listen address \"::1:7000\"");
    assertThatThrownBy(() -> NetAddress.parse("tcp:127.0.0.1"))
        .hasMessage("Missing :PORT in listen address \"127.0.0.1\"");
    assertThatThrownBy(() -> NetAddress.parse("udp:1.2.3.4:5"))
        .hasMessage("Only tcp:HOST:PORT and unix:PATH addresses are currently supported");
    assertThatThrownBy(() -> NetAddress.parse("foo")).hasMessage("Missing ':'");
  }

  @Test
  void unixOptions() {
    VatConfig c = parse("--capnp-secret-key-file", "key.pem",
        "--capnp-listen-address", "unix:/run/app.sock").capnp.toConfig();
    assertThat(c.secretKeyFile()).isEqualTo(Path.of("key.pem"));
    assertThat(c.listenAddress()).isEqualTo(NetAddress.unix("/run/app.sock"));
    assertThat(c.publicAddress()).isEqualTo(c.listenAddress());
    assertThat(c.tls()).isTrue();
  }

  @Test
  void tcpOptionsWithPublicAddress() {
    VatConfig c = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:0.0.0.0:7000", "--capnp-public-address", "tcp:example.com:7001",
        "--capnp-disable-tls").capnp.toConfig();
    assertThat(c.secretKeyFile()).isNull();
    assertThat(c.listenAddress()).isEqualTo(NetAddress.tcp("0.0.0.0", 7000));
    assertThat(c.publicAddress()).isEqualTo(NetAddress.tcp("example.com", 7001));
    assertThat(c.tls()).isFalse();
    assertThat(c.sturdyUri(ServiceId.ofPublic("main")).toString())
        .isEqualTo("capnp://insecure@example.com:7001/bWFpbg");
  }

  @Test
  void handoffIsOnForTlsVatsUnlessDisabled() {
    VatConfig on = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0").capnp.toConfig();
    assertThat(on.thirdPartyHandoff()).isTrue();
    VatConfig off = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-disable-handoff").capnp.toConfig();
    assertThat(off.thirdPartyHandoff()).isFalse();
    VatConfig insecure = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-disable-tls").capnp.toConfig();
    assertThat(insecure.thirdPartyHandoff()).as("never without TLS").isFalse();
    assertThat(VatConfig.builder().build().thirdPartyHandoff()).isTrue();
    assertThat(VatConfig.builder().thirdPartyHandoff(false).build().thirdPartyHandoff())
        .isFalse();
  }

  @Test
  void callForwardingIsOffUnlessAskedForAndNeedsHandoff() {
    VatConfig dflt = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0").capnp.toConfig();
    assertThat(dflt.thirdPartyHandoff()).isTrue();
    assertThat(dflt.callForwarding()).isFalse();
    VatConfig on = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-call-forwarding").capnp.toConfig();
    assertThat(on.callForwarding()).isTrue();
    VatConfig noHandoff = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-call-forwarding", "--capnp-disable-handoff")
        .capnp.toConfig();
    assertThat(noHandoff.callForwarding()).as("part of Level 3").isFalse();
    assertThat(VatConfig.builder().build().callForwarding()).isFalse();
    assertThat(VatConfig.builder().callForwarding(true).build().callForwarding()).isTrue();
    assertThat(VatConfig.builder().callForwarding(true).tls(false).build().callForwarding())
        .as("never without TLS").isFalse();
  }

  @Test
  void maxQueuedRepliesTotalOption() {
    VatConfig dflt = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0").capnp.toConfig();
    assertThat(dflt.maxQueuedRepliesTotal())
        .isEqualTo(Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8))
        .isEqualTo(VatConfig.builder().build().maxQueuedRepliesTotal());
    VatConfig set = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-max-queued-replies-total", "48m").capnp.toConfig();
    assertThat(set.maxQueuedRepliesTotal()).isEqualTo(48L << 20);
    assertThatThrownBy(() -> VatConfig.builder().maxQueuedRepliesTotal(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxQueuedRepliesTotal");
  }

  @Test
  void maxQueuedIncomingTotalOption() {
    VatConfig dflt = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0").capnp.toConfig();
    assertThat(dflt.maxQueuedIncomingTotal())
        .isEqualTo(Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8))
        .isEqualTo(VatConfig.builder().build().maxQueuedIncomingTotal());
    VatConfig set = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0", "--capnp-max-queued-incoming-total", "24m").capnp.toConfig();
    assertThat(set.maxQueuedIncomingTotal()).isEqualTo(24L << 20);
    assertThat(set.maxQueuedRepliesTotal()).isEqualTo(dflt.maxQueuedRepliesTotal());
    assertThatThrownBy(() -> VatConfig.builder().maxQueuedIncomingTotal(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxQueuedIncomingTotal");
  }

  @Test
  void optionErrorsCarryTheSpecTexts() {
    assertThat(parseError("--capnp-secret-key-file", "k", "--capnp-listen-address",
        "tcp:127.0.0.1")).contains("Missing :PORT in listen address \"127.0.0.1\"");
    assertThat(parseError("--capnp-secret-key-file", "k"))
        .contains("--capnp-listen-address");
    assertThat(parseError("--capnp-listen-address", "unix:/x"))
        .contains("--capnp-secret-key-file");
  }

  @Test
  void streamWindowOption() {
    VatConfig adaptive = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
        "tcp:127.0.0.1:0").capnp.toConfig();
    assertThat(adaptive.streamFlowControl()).isSameAs(StreamFlowControl.DEFAULT);
    for (String[] form : new String[][] {{"65536", "65536"}, {"64k", "65536"}, {"3K", "3072"},
        {"2m", "2097152"}, {"1g", "1073741824"}}) {
      VatConfig c = parse("--capnp-secret-key-file", "", "--capnp-listen-address",
          "tcp:127.0.0.1:0", "--capnp-stream-window=" + form[0]).capnp.toConfig();
      assertThat(c.streamFlowControl().newController().window())
          .as(form[0]).isEqualTo(Long.parseLong(form[1]));
    }
  }

  @Test
  void badStreamWindowsAreRejected() {
    for (String bad : new String[] {"0", "-1", "0k", "", "k", "12x", "1.5m", "99999999999999999g",
        "99999999999999999999"}) {
      assertThat(parseError("--capnp-secret-key-file", "", "--capnp-listen-address",
          "tcp:127.0.0.1:0", "--capnp-stream-window=" + bad))
          .as(bad).contains("--capnp-stream-window")
          .contains("Invalid window \"" + bad + "\": expected a positive number of bytes");
    }
    assertThatThrownBy(() -> VatConfig.builder().streamFlowControl(
        StreamFlowControl.fixedWindow(0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flow control window must be positive: 0");
    assertThatThrownBy(() -> VatConfig.builder().streamFlowControl(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("streamFlowControl");
  }
}
