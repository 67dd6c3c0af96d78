package dev.capnp.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A service ID: the raw secret bytes naming a service inside a vat (the seed's
 * {@code Restorer.Id}). It travels base64url-encoded in {@code capnp://} URIs and raw as the
 * bootstrap object ID. Lookups must use {@link #digest()} (SHA-256) or {@link #matches}, which
 * compares digests in constant time, never the raw secret.
 */
public final class ServiceId {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The empty service ID (a URI with no path; what C++ clients ask for). */
  public static final ServiceId EMPTY = new ServiceId(new byte[0]);

  private final byte[] bytes;
  private volatile byte[] digest;

  private ServiceId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * The ID made of exactly these bytes (copied).
   *
   * @param raw the ID bytes
   * @return the ID
   */
  public static ServiceId of(byte[] raw) {
    return new ServiceId(raw.clone());
  }

  /**
   * A public (non-secret) ID: the UTF-8 bytes of {@code name} (the seed's {@code Id.public}).
   *
   * @param name the public name
   * @return the ID
   */
  public static ServiceId ofPublic(String name) {
    return new ServiceId(name.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * 20 fresh random bytes (the seed's {@code Id.generate}).
   *
   * @return a new random ID
   */
  public static ServiceId generate() {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return new ServiceId(b);
  }

  /**
   * HMAC-SHA256(key = {@code secret}, message = UTF-8 {@code name}): 32 bytes (spec section 2).
   *
   * @param secret the HMAC key
   * @param name the service name
   * @return the 32-byte ID
   */
  public static ServiceId derived(byte[] secret, String name) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return new ServiceId(mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * Decodes the base64url (unpadded) form used in URIs.
   *
   * @param s the unpadded base64url text
   * @return the ID
   */
  public static ServiceId fromBase64Url(String s) {
    return new ServiceId(Base64Url.decode(s, "service ID"));
  }

  /**
   * A copy of the raw bytes (secret!).
   *
   * @return a copy of the raw bytes
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * Number of raw bytes.
   *
   * @return the number of raw bytes
   */
  public int size() {
    return bytes.length;
  }

  /**
   * Whether this is the empty ID.
   *
   * @return {@code true} if the ID has no bytes
   */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /**
   * The unpadded base64url form used in URIs.
   *
   * @return the unpadded base64url text
   */
  public String toBase64Url() {
    return Base64Url.encode(bytes);
  }

  /**
   * SHA-256 of the raw bytes (a copy); key lookup tables by this.
   *
   * @return a copy of the 32-byte SHA-256 digest
   */
  public byte[] digest() {
    return digestInternal().clone();
  }

  /**
   * The digest as a hashable, comparable key (for maps keyed by digest).
   *
   * @return the digest key
   */
  public DigestKey digestKey() {
    return new DigestKey(digestInternal());
  }

  private byte[] digestInternal() {
    byte[] d = digest;
    if (d == null) {
      d = sha256(bytes);
      digest = d;
    }
    return d;
  }

  /**
   * Whether {@code other} names the same service, comparing digests in constant time.
   *
   * @param other another ID
   * @return {@code true} if the digests are equal
   */
  public boolean matches(ServiceId other) {
    return MessageDigest.isEqual(digestInternal(), other.digestInternal());
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Equality compares digests in constant time (never the raw secret directly). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceId && matches((ServiceId) o);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digestInternal());
  }

  /** Does not reveal the secret: shows the size and a digest prefix. */
  @Override
  public String toString() {
    return "ServiceId(" + bytes.length + " bytes, sha-256 "
        + Base64Url.encode(digestInternal()).substring(0, 8) + "…)";
  }

  /** A SHA-256 digest usable as a map key; equality is constant-time. */
  public static final class DigestKey {
    private final byte[] digest;

    /** Wraps a 32-byte digest (not copied). */
    DigestKey(byte[] digest) {
      this.digest = digest;
    }

    /**
     * A key for an externally computed digest (copied).
     *
     * @param digest the SHA-256 digest of an ID
     * @return the key
     */
    public static DigestKey of(byte[] digest) {
      return new DigestKey(digest.clone());
    }

    /**
     * A copy of the digest bytes.
     *
     * @return a copy of the digest bytes
     */
    public byte[] bytes() {
      return digest.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DigestKey && MessageDigest.isEqual(digest, ((DigestKey) o).digest);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
      return Base64Url.encode(digest);
    }
  }
}
