package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.proto.Level3;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-vat caches of handoff texts ({@link HandoffTexts}) and the bulk nonce source
 * ({@link HandoffValues.Nonces}): what they save, and that they change nothing on the wire.
 */
class HandoffTextsTest {
  private static AuthDigest digest(int b) {
    byte[] d = new byte[32];
    d[0] = (byte) b;
    return AuthDigest.ofSha256(d);
  }

  @Test
  void aFingerprintIsEncodedAndParsedOnceAndTheWireIsUnchanged() {
    HandoffTexts texts = new HandoffTexts();
    AuthDigest bob = digest(3);
    NetAddress at = NetAddress.tcp("192.0.2.7", 4711);
    assertThat(texts.text(bob)).isSameAs(texts.text(bob));
    assertThat(texts.text(bob).toString()).isEqualTo(bob.toString());
    assertThat(texts.text(at).toString()).isEqualTo(at.toString());
    AtomicInteger parses = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      // each time in a new message, as received
      Text.Reader received = new Text.Reader(bob.toString().getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
      assertThat(texts.digest(received, t -> {
        parses.incrementAndGet();
        return AuthDigest.parse(t);
      })).isEqualTo(bob);
    }
    assertThat(parses).hasValue(1);
    // a value written through the cache reads back the same, with or without it
    HandoffValues.Contact c = new HandoffValues.Contact(bob, at,
        new HandoffValues.Nonces().next());
    AnyPointer.Builder cached = new MessageBuilder().getRootAnyPointer();
    AnyPointer.Builder plain = new MessageBuilder().getRootAnyPointer();
    c.write(cached, texts);
    c.write(plain, HandoffTexts.UNCACHED);
    Level3.ThirdPartyToContact.Reader r =
        cached.asReader().getAs(Level3.ThirdPartyToContact.FACTORY);
    assertThat(r.getHost().toString()).isEqualTo(bob.toString());
    assertThat(r.getAddress().toString()).isEqualTo(at.toString());
    assertThat(HandoffValues.Contact.read(cached.asReader(), texts)).isEqualTo(c);
    assertThat(HandoffValues.Contact.read(plain.asReader(), HandoffTexts.UNCACHED)).isEqualTo(c);
  }

  @Test
  void badTextsAreRefusedEveryTimeAndTheCacheIsBounded() {
    HandoffTexts texts = new HandoffTexts();
    AnyPointer.Builder bad = new MessageBuilder().getRootAnyPointer();
    bad.initAs(Level3.ThirdPartyToAwait.FACTORY).setRecipient("sha-256:short");
    bad.getAs(Level3.ThirdPartyToAwait.FACTORY).setNonce(new byte[16]);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> HandoffValues.Await.read(bad.asReader(), texts))
          .isInstanceOf(RpcException.class)
          .hasMessageContaining("invalid ThirdPartyToAwait.recipient");
    }
    assertThat(texts.size()).isZero();
    for (int i = 0; i < 3 * HandoffTexts.MAX_ENTRIES; i++) {
      AuthDigest d = digest(i % 256);
      byte[] raw = new byte[32];
      raw[0] = (byte) i;
      raw[1] = (byte) (i >> 8);
      AuthDigest e = AuthDigest.ofSha256(raw);
      texts.text(e);
      texts.digest(new Text.Reader(e.toString()), AuthDigest::parse);
      assertThat(texts.text(d).toString()).isEqualTo(d.toString());
    }
    assertThat(texts.size()).isLessThanOrEqualTo(4 * HandoffTexts.MAX_ENTRIES);
  }

  @Test
  void noncesAreDrawnInBulkAndNeverRepeat() {
    AtomicInteger draws = new AtomicInteger();
    SecureRandom counting = new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        draws.incrementAndGet();
        super.nextBytes(bytes);
      }
    };
    HandoffValues.Nonces nonces = new HandoffValues.Nonces(counting);
    int n = 3 * HandoffValues.Nonces.BUFFER_BYTES / HandoffValues.NONCE_BYTES;
    Set<HandoffValues.Nonce> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      HandoffValues.Nonce nonce = nonces.next();
      assertThat(nonce.bytes()).hasSize(HandoffValues.NONCE_BYTES);
      assertThat(seen.add(nonce)).as("nonce %d is new", i).isTrue();
    }
    assertThat(draws).hasValue(3);
  }
}
