package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.proto.Level3;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.TextList;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The address rules of the Level 3 announcement: which announced addresses are accepted, which
 * are local, what a vat announces on a connection, and how a {@code VatHello} is read.
 */
class HandoffAddressesTest {
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LAN = new InetSocketAddress("192.0.2.10", 40000);

  @Test
  void acceptsDialableAddresses() {
    for (String ok : List.of("tcp:example.org:7000", "tcp:192.0.2.1:1", "tcp:[2001:db8::1]:65535",
        "tcp:127.0.0.1:4000", "tcp:localhost:4000", "unix:/run/vat.sock")) {
      assertThat(HandoffAddresses.checkAnnounced(ok)).hasToString(ok);
    }
  }

  @Test
  void refusesAddressesThatCannotBeDialledOrHideALoopbackLiteral() {
    assertRefused("tcp:192.0.2.1:0", "port 0 cannot be dialled");
    assertRefused("tcp:0.0.0.0:7000", "not a dialable address");
    assertRefused("tcp:[::]:7000", "not a dialable address");
    assertRefused("tcp:224.0.0.1:7000", "not a dialable address");
    assertRefused("tcp:[fe80::1]:7000", "not a dialable address");
    assertRefused("tcp:169.254.1.1:7000", "not a dialable address");
    // forms the JDK's resolver reads as 127.0.0.1
    assertRefused("tcp:127.1:7000", "not a dotted-quad IPv4 address");
    assertRefused("tcp:2130706433:7000", "not a dotted-quad IPv4 address");
    assertRefused("unix:relative.sock", "not an absolute socket path");
    assertRefused("tcp:" + "a".repeat(260) + ":1", "longer than 255 characters");
    assertRefused("http://example.org/", "");
    assertRefused("tcp:example.org", "");
  }

  private static void assertRefused(String text, String why) {
    assertThatThrownBy(() -> HandoffAddresses.checkAnnounced(text))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
  }

  @Test
  void localAddressesAreLoopbackLocalhostAndUnixSockets() {
    for (String local : List.of("tcp:127.0.0.1:1", "tcp:127.3.4.5:1", "tcp:[::1]:1",
        "tcp:[::ffff:127.0.0.1]:1", "tcp:localhost:1", "tcp:LocalHost:1", "tcp:localhost.:1",
        "tcp:vat.localhost:1",
        "unix:/tmp/x.sock")) {
      assertThat(HandoffAddresses.isLocal(NetAddress.parse(local))).as(local).isTrue();
    }
    for (String remote : List.of("tcp:192.0.2.1:1", "tcp:[2001:db8::1]:1", "tcp:example.org:1",
        "tcp:localhost.example.org:1")) {
      assertThat(HandoffAddresses.isLocal(NetAddress.parse(remote))).as(remote).isFalse();
    }
    assertThat(HandoffAddresses.isLocalConnection(LOOPBACK, LOOPBACK)).isTrue();
    assertThat(HandoffAddresses.isLocalConnection(LAN, LAN)).isFalse();
    assertThat(HandoffAddresses.isLocalConnection(new DomainSocketAddress("/tmp/x.sock"),
        new DomainSocketAddress(""))).isTrue();
    assertThat(HandoffAddresses.isLocalConnection(new DomainSocketAddress("/tmp/x.sock"), null))
        .as("an accepted Unix socket whose peer has no name").isTrue();
  }

  @Test
  void announcesThePublicAddressAsThisPeerCanUseIt() {
    NetAddress bound = NetAddress.tcp("0.0.0.0", 7001);
    // a wildcard host: the connection's own address; port 0: the bound port
    assertThat(HandoffAddresses.announce(NetAddress.tcp("0.0.0.0", 0), bound, LAN, false))
        .containsExactly(NetAddress.tcp("192.0.2.10", 7001));
    assertThat(HandoffAddresses.announce(NetAddress.tcp("::", 7001), bound,
        new InetSocketAddress("2001:db8::5", 1), false))
        .containsExactly(NetAddress.tcp("2001:db8::5", 7001));
    // an explicit public address as it is
    assertThat(HandoffAddresses.announce(NetAddress.tcp("vat.example.org", 443), bound, LAN,
        false)).containsExactly(NetAddress.tcp("vat.example.org", 443));
    // local addresses only on local connections
    assertThat(HandoffAddresses.announce(NetAddress.tcp("127.0.0.1", 7001), bound, LAN, false))
        .isEmpty();
    assertThat(HandoffAddresses.announce(NetAddress.tcp("127.0.0.1", 7001), bound, LOOPBACK,
        true)).containsExactly(NetAddress.tcp("127.0.0.1", 7001));
    assertThat(HandoffAddresses.announce(NetAddress.unix("/run/v.sock"), null,
        new DomainSocketAddress("/run/v.sock"), true))
        .containsExactly(NetAddress.unix("/run/v.sock"));
    assertThat(HandoffAddresses.announce(NetAddress.unix("/run/v.sock"), null, LAN, false))
        .isEmpty();
    // a wildcard over a Unix socket connection has no address to become; a client says nothing
    assertThat(HandoffAddresses.announce(NetAddress.tcp("0.0.0.0", 7001), bound,
        new DomainSocketAddress("/run/v.sock"), true)).isEmpty();
    assertThat(HandoffAddresses.announce(null, null, LAN, false)).isEmpty();
  }

  @Test
  void anIntroducerKeepsLocalAddressesOnlyFromALocalPeer() {
    List<NetAddress> announced = List.of(NetAddress.tcp("127.0.0.1", 1),
        NetAddress.tcp("192.0.2.1", 2), NetAddress.unix("/run/v.sock"));
    assertThat(HandoffAddresses.fromPeer(announced, true)).isEqualTo(announced);
    assertThat(HandoffAddresses.fromPeer(announced, false))
        .containsExactly(NetAddress.tcp("192.0.2.1", 2));
  }

  private static MessageReader hello(String... addresses) {
    MessageBuilder m = new MessageBuilder(64);
    TextList.Builder list = m.initRoot(Level3.VatHello.FACTORY).initAddresses(addresses.length);
    for (int i = 0; i < addresses.length; i++) {
      list.set(i, addresses[i]);
    }
    return reader(m);
  }

  private static MessageReader reader(MessageBuilder m) {
    return new MessageReader(m.getSegmentsForOutput());
  }

  @Test
  void readsAHelloWithEveryAddressChecked() {
    List<NetAddress> mine = List.of(NetAddress.tcp("192.0.2.1", 7000), NetAddress.unix("/a"));
    assertThat(HandoffValues.Hello.read(reader(new HandoffValues.Hello(mine).message()))
        .addresses()).isEqualTo(mine);
    assertThat(HandoffValues.Hello.read(hello()).addresses()).isEmpty();
    MessageBuilder none = new MessageBuilder(16);
    none.initRoot(Level3.VatHello.FACTORY);
    assertThat(HandoffValues.Hello.read(reader(none)).addresses()).isEmpty();

    assertThatThrownBy(() -> HandoffValues.Hello.read(hello("tcp:192.0.2.1:1", "tcp:0.0.0.0:2")))
        .isInstanceOf(RpcException.class)
        .hasMessage("Three-party handoff: invalid VatHello.addresses[1]: not a dialable address: "
            + "tcp:0.0.0.0:2");
    String[] nine = new String[9];
    java.util.Arrays.fill(nine, "tcp:192.0.2.1:1");
    assertThatThrownBy(() -> HandoffValues.Hello.read(hello(nine)))
        .hasMessage("Three-party handoff: invalid VatHello.addresses: 9 addresses, at most 8");
    assertThatThrownBy(() -> HandoffValues.Hello.read(hello("x".repeat(5000))))
        .hasMessageStartingWith("Three-party handoff: invalid VatHello: ")
        .hasMessageEndingWith("bytes, more than 4096");
    // not a VatHello at all (a struct where the list should be)
    MessageBuilder wrong = new MessageBuilder(16);
    wrong.initRoot(Level3.ThirdPartyToContact.FACTORY).setHost("x");
    assertThatThrownBy(() -> HandoffValues.Hello.read(reader(wrong)))
        .isInstanceOf(RpcException.class)
        .hasMessageStartingWith("Three-party handoff: unreadable VatHello: ");
  }
}
