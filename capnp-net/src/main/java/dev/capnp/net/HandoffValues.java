package dev.capnp.net;

import dev.capnp.net.proto.Level3;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Text;
import dev.capnp.runtime.TextList;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The three values of a capnp-net three-party handoff ({@code level3.capnp}), and the
 * {@link Hello} announcement of a Level 3 connection, read and written
 * with every field checked: a value a peer sent that is missing a field, names no valid key
 * fingerprint or address, or has a nonce of the wrong size is refused with a {@code FAILED}
 * {@link RpcException} saying which field is wrong (nothing is kept from it).
 */
final class HandoffValues {
  /** Bytes of a nonce we make; a received nonce must have between this and {@link #MAX_NONCE}. */
  static final int NONCE_BYTES = 16;
  /** Most bytes a received nonce may have. */
  static final int MAX_NONCE = 64;
  /** Longest address text accepted (a Unix socket path is at most about 108 bytes). */
  private static final int MAX_ADDRESS = 1024;
  /** Largest announcement accepted, in words (8 addresses of 255 bytes fit easily). */
  static final int MAX_HELLO_WORDS = 512;
  private static final SecureRandom RANDOM = new SecureRandom();

  private HandoffValues() {}

  /**
   * Unguessable nonces drawn from {@code SecureRandom} in bulk ({@link #BUFFER_BYTES} at a
   * time, each byte used once), so that an introducer does not call it for every handoff. The
   * nonces are exactly as unguessable as {@code SecureRandom}'s output: the buffer is private
   * to this source, and a nonce's bytes are never reused nor shown (a nonce prints only a
   * 4-byte prefix). What a nonce must guarantee (see {@link HandoffOffers}): it is unique
   * among the introducer's offers at a host (128 random bits, even across restarts with the
   * same key), and unguessable, though knowing it gains nothing but the intended recipient:
   * only an Accept on a connection authenticated by the key the Provide names takes the offer.
   *
   * <p>Threading: confined to the vat's event loop; not thread-safe.
   */
  static final class Nonces {
    /** Bytes drawn from {@code SecureRandom} at a time (256 nonces). */
    static final int BUFFER_BYTES = 256 * NONCE_BYTES;

    private final SecureRandom random;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int next = BUFFER_BYTES;

    /** Nonces from the shared {@code SecureRandom}. */
    Nonces() {
      this(RANDOM);
    }

    /** Nonces from {@code random} (a cryptographically strong generator). */
    Nonces(SecureRandom random) {
      this.random = random;
    }

    /** A new nonce naming one handoff. */
    Nonce next() {
      if (next == BUFFER_BYTES) {
        random.nextBytes(buffer);
        next = 0;
      }
      byte[] b = java.util.Arrays.copyOfRange(buffer, next, next + NONCE_BYTES);
      java.util.Arrays.fill(buffer, next, next + NONCE_BYTES, (byte) 0); // (used: not kept)
      next += NONCE_BYTES;
      return new Nonce(b);
    }
  }

  /**
   * A nonce: compared by value, in constant time; shown only by a short prefix.
   *
   * @param bytes the nonce (not copied: owned by this value)
   */
  record Nonce(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Nonce n && java.security.MessageDigest.isEqual(bytes, n.bytes);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return HexFormat.of().formatHex(bytes, 0, Math.min(4, bytes.length)) + "..";
    }
  }

  /** Alice to Carol: Bob's key and address, and the handoff's nonce. */
  record Contact(AuthDigest host, NetAddress address, Nonce nonce) {
    /** Writes this contact, its texts from {@code texts}. */
    void write(AnyPointer.Builder p, HandoffTexts texts) {
      Level3.ThirdPartyToContact.Builder b = p.initAs(Level3.ThirdPartyToContact.FACTORY);
      b.setHost(texts.text(host));
      b.setAddress(texts.text(address));
      b.setNonce(nonce.bytes());
    }

    /** Reads a contact, its texts parsed through {@code texts}. */
    static Contact read(AnyPointer.Reader p, HandoffTexts texts) {
      return reading("ThirdPartyToContact", () -> readContact(p, texts));
    }

    private static Contact readContact(AnyPointer.Reader p, HandoffTexts texts) {
      Level3.ThirdPartyToContact.Reader r = struct(p, "ThirdPartyToContact")
          .getAs(Level3.ThirdPartyToContact.FACTORY);
      return new Contact(
          readDigest(r.hasHost() ? r.getHost() : null, "ThirdPartyToContact.host", texts),
          readAddress(r.hasAddress() ? r.getAddress() : null, texts),
          readNonce(r.hasNonce() ? r.getNonce().toArray() : null, "ThirdPartyToContact.nonce"));
    }
  }

  /** Alice to Bob: the recipient's key, and the handoff's nonce. */
  record Await(AuthDigest recipient, Nonce nonce) {
    /** Writes this await, its texts from {@code texts}. */
    void write(AnyPointer.Builder p, HandoffTexts texts) {
      Level3.ThirdPartyToAwait.Builder b = p.initAs(Level3.ThirdPartyToAwait.FACTORY);
      b.setRecipient(texts.text(recipient));
      b.setNonce(nonce.bytes());
    }

    /** Reads an await, its texts parsed through {@code texts}. */
    static Await read(AnyPointer.Reader p, HandoffTexts texts) {
      return reading("ThirdPartyToAwait", () -> readAwait(p, texts));
    }

    private static Await readAwait(AnyPointer.Reader p, HandoffTexts texts) {
      Level3.ThirdPartyToAwait.Reader r = struct(p, "ThirdPartyToAwait")
          .getAs(Level3.ThirdPartyToAwait.FACTORY);
      return new Await(
          readDigest(r.hasRecipient() ? r.getRecipient() : null,
              "ThirdPartyToAwait.recipient", texts),
          readNonce(r.hasNonce() ? r.getNonce().toArray() : null, "ThirdPartyToAwait.nonce"));
    }
  }

  /** Carol to Bob: the introducer's key, and the handoff's nonce. */
  record Completion(AuthDigest introducer, Nonce nonce) {
    /** Writes this completion, its texts from {@code texts}. */
    void write(AnyPointer.Builder p, HandoffTexts texts) {
      Level3.ThirdPartyCompletion.Builder b = p.initAs(Level3.ThirdPartyCompletion.FACTORY);
      b.setIntroducer(texts.text(introducer));
      b.setNonce(nonce.bytes());
    }

    /** Reads a completion, its texts parsed through {@code texts}. */
    static Completion read(AnyPointer.Reader p, HandoffTexts texts) {
      return reading("ThirdPartyCompletion", () -> readCompletion(p, texts));
    }

    private static Completion readCompletion(AnyPointer.Reader p, HandoffTexts texts) {
      Level3.ThirdPartyCompletion.Reader r = struct(p, "ThirdPartyCompletion")
          .getAs(Level3.ThirdPartyCompletion.FACTORY);
      return new Completion(
          readDigest(r.hasIntroducer() ? r.getIntroducer() : null,
              "ThirdPartyCompletion.introducer", texts),
          readNonce(r.hasNonce() ? r.getNonce().toArray() : null, "ThirdPartyCompletion.nonce"));
    }
  }

  /**
   * A vat's announcement of where it can be reached ({@code VatHello}), the first message each
   * side of a Level 3 connection sends.
   *
   * @param addresses the addresses, best first (at most {@link HandoffAddresses#MAX_ANNOUNCED})
   */
  record Hello(List<NetAddress> addresses) {
    /** The message to send. */
    MessageBuilder message() {
      MessageBuilder m = new MessageBuilder(16 + 8 * addresses.size());
      TextList.Builder list = m.initRoot(Level3.VatHello.FACTORY).initAddresses(addresses.size());
      for (int i = 0; i < addresses.size(); i++) {
        list.set(i, addresses.get(i).toString());
      }
      return m;
    }

    /**
     * Reads a received announcement, every address checked
     * ({@link HandoffAddresses#checkAnnounced}); too many addresses, or any bad one, refuse
     * the whole announcement.
     */
    static Hello read(MessageReader m) {
      return reading("VatHello", () -> readHello(m));
    }

    private static Hello readHello(MessageReader m) {
      long words = 0;
      for (int i = 0; i < m.segmentCount(); i++) {
        words += m.getSegment(i).sizeInWords();
      }
      if (words > MAX_HELLO_WORDS) {
        throw bad("invalid VatHello: " + words * 8 + " bytes, more than " + MAX_HELLO_WORDS * 8);
      }
      Level3.VatHello.Reader r = m.getRoot(Level3.VatHello.FACTORY);
      if (!r.hasAddresses()) {
        return new Hello(List.of());
      }
      TextList.Reader list = r.getAddresses();
      if (list.size() > HandoffAddresses.MAX_ANNOUNCED) {
        throw bad("invalid VatHello.addresses: " + list.size() + " addresses, at most "
            + HandoffAddresses.MAX_ANNOUNCED);
      }
      List<NetAddress> addresses = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        try {
          addresses.add(HandoffAddresses.checkAnnounced(list.get(i).toString()));
        } catch (IllegalArgumentException e) {
          throw bad("invalid VatHello.addresses[" + i + "]: " + e.getMessage());
        }
      }
      return new Hello(List.copyOf(addresses));
    }
  }

  /** Runs {@code read}; a malformed value (not a struct, bad pointers) is a clear failure. */
  private static <T> T reading(String what, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (RpcException e) {
      throw e;
    } catch (RuntimeException e) {
      throw bad("unreadable " + what + ": " + e.getMessage());
    }
  }

  private static AnyPointer.Reader struct(AnyPointer.Reader p, String what) {
    if (p == null || p.isNull()) {
      throw bad("missing " + what);
    }
    return p;
  }

  private static AuthDigest readDigest(Text.Reader text, String field, HandoffTexts texts) {
    if (text == null) {
      throw bad("missing " + field);
    }
    return texts.digest(text, t -> parseDigest(t, field));
  }

  private static AuthDigest parseDigest(String text, String field) {
    AuthDigest d;
    try {
      d = AuthDigest.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad("invalid " + field + ": " + e.getMessage());
    }
    if (d.isInsecure()) {
      throw bad("invalid " + field + ": a key fingerprint is needed, not \"insecure\"");
    }
    return d;
  }

  private static NetAddress readAddress(Text.Reader text, HandoffTexts texts) {
    if (text == null) {
      throw bad("missing ThirdPartyToContact.address");
    }
    if (text.size() > 4 * MAX_ADDRESS) { // (before decoding; at most 4 UTF-8 bytes a char)
      throw bad("invalid ThirdPartyToContact.address: longer than " + MAX_ADDRESS);
    }
    return texts.address(text, HandoffValues::parseAddress);
  }

  private static NetAddress parseAddress(String text) {
    if (text.length() > MAX_ADDRESS) {
      throw bad("invalid ThirdPartyToContact.address: longer than " + MAX_ADDRESS);
    }
    try {
      return NetAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad("invalid ThirdPartyToContact.address: " + e.getMessage());
    }
  }

  private static Nonce readNonce(byte[] b, String field) {
    if (b == null) {
      throw bad("missing " + field);
    }
    if (b.length < NONCE_BYTES || b.length > MAX_NONCE) {
      throw bad("invalid " + field + ": " + b.length + " bytes, expected " + NONCE_BYTES
          + " to " + MAX_NONCE);
    }
    return new Nonce(b);
  }

  private static RpcException bad(String message) {
    return RpcException.failed("Three-party handoff: " + message);
  }
}
