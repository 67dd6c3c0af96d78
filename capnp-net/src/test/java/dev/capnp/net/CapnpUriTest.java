package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapnpUriTest {
  private static final String DIGEST = "s16WV4JeGusAL_nTjvICiQOFqm3LqYrDj3K-HXdMi8s";

  private static void roundTrip(String s) {
    assertThat(CapnpUri.parse(s).toString()).isEqualTo(s);
  }

  @Test
  void specVectorsRoundTrip() {
    roundTrip("capnp://insecure@/sock/");
    roundTrip("capnp://insecure@localhost:7000");
    roundTrip("capnp://sha-256:" + DIGEST + "@localhost:7000/bWFpbg");
    roundTrip("capnp://sha-256:" + DIGEST + "@/sock/bWFpbg");
  }

  @Test
  void unixVector() {
    CapnpUri u = CapnpUri.parse("capnp://insecure@/sock/");
    assertThat(u.auth().isInsecure()).isTrue();
    assertThat(u.address()).isEqualTo(NetAddress.unix("/sock"));
    assertThat(u.serviceId().isEmpty()).isTrue();
  }

  @Test
  void tcpVectorWithServiceId() {
    CapnpUri u = CapnpUri.parse("capnp://sha-256:" + DIGEST + "@localhost:7000/bWFpbg");
    assertThat(u.auth().toString()).isEqualTo("sha-256:" + DIGEST);
    assertThat(u.address()).isEqualTo(NetAddress.tcp("localhost", 7000));
    assertThat(u.serviceId().toBytes()).isEqualTo("main".getBytes(StandardCharsets.UTF_8));
    CapnpUri unix = CapnpUri.parse("capnp://sha-256:" + DIGEST + "@/sock/bWFpbg");
    assertThat(unix.address()).isEqualTo(NetAddress.unix("/sock"));
    assertThat(unix.serviceId()).isEqualTo(ServiceId.ofPublic("main"));
  }

  @Test
  void emptyServiceIdForms() {
    assertThat(CapnpUri.parse("capnp://insecure@localhost:7000/").serviceId().isEmpty())
        .isTrue();
    assertThat(CapnpUri.parse("capnp://insecure@localhost:7000/").toString())
        .isEqualTo("capnp://insecure@localhost:7000");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://insecure@localhost:7000/bWFpbg/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
  }

  @Test
  void unixWithoutTrailingSlashTakesTheLastSegmentAsServiceId() {
    CapnpUri u = CapnpUri.parse("capnp://insecure@/tmp/calcsocket");
    assertThat(u.address()).isEqualTo(NetAddress.unix("/tmp"));
    assertThatThrownBy(() -> CapnpUri.parse("capnp://insecure@/tmp/calc.socket"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service ID \"calc.socket\"");
  }

  @Test
  void ipv6HostsAreBracketed() {
    CapnpUri u = CapnpUri.parse("capnp://insecure@[::1]:7000/bWFpbg");
    assertThat(((NetAddress.Tcp) u.address()).host()).isEqualTo("::1");
    assertThat(u.toString()).isEqualTo("capnp://insecure@[::1]:7000/bWFpbg");
  }

  @Test
  void errorTexts() {
    assertThatThrownBy(() -> CapnpUri.parse("capnp://md5:" + DIGEST + "@localhost:7000"))
        .hasMessage("Unknown hash type \"md5\"");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://localhost:7000"))
        .hasMessage("Missing digest hash type (e.g. '...://sha-256:...')");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://sha-256:@localhost:7000"))
        .hasMessageStartingWith("Missing digest value");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://insecure@localhost"))
        .hasMessage("Missing port in capnp://insecure@localhost");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://insecure@:7000/x"))
        .hasMessage("Port without host in capnp://insecure@:7000/x!");
    assertThatThrownBy(() -> CapnpUri.parse("http://insecure@localhost:7000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
    assertThatThrownBy(() -> CapnpUri.parse("capnp://sha-256:abc@localhost:7000"))
        .hasMessageContaining("32");
  }

  @Test
  void serviceIdsCompareByDigest() {
    ServiceId a = ServiceId.ofPublic("main");
    assertThat(a.matches(ServiceId.fromBase64Url("bWFpbg"))).isTrue();
    assertThat(a.matches(ServiceId.ofPublic("mainx"))).isFalse();
    assertThat(a.digestKey()).isEqualTo(ServiceId.ofPublic("main").digestKey());
    assertThat(a.toString()).doesNotContain("main").doesNotContain("bWFpbg");
    assertThat(ServiceId.generate().size()).isEqualTo(20);
    assertThat(ServiceId.derived(new byte[32], "x").size()).isEqualTo(32);
    // HMAC-SHA256 of "x" keyed by 32 zero bytes (computed independently with Python's hmac)
    assertThat(ServiceId.derived(new byte[32], "x").toBase64Url())
        .isEqualTo("TLyWCZpkZ84AJGHxBUm0iYJl6-YYi0XvrMRCk1FuYsQ");
  }
}
