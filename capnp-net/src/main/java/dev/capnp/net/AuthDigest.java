package dev.capnp.net;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * The authentication part of a {@code capnp://} URI: either {@link #INSECURE} (no TLS) or
 * {@code sha-256:} + base64url(SHA-256(DER SubjectPublicKeyInfo)) of the vat's public key
 * (spec sections 1 and 2). Also the identity by which connections are shared.
 */
public final class AuthDigest implements Comparable<AuthDigest> {
  /** The only hash algorithm: {@code sha-256}. */
  public static final String HASH_NAME = "sha-256";
  /** No TLS: {@code capnp://insecure@...}. */
  public static final AuthDigest INSECURE = new AuthDigest(null);

  private final byte[] sha256;

  private AuthDigest(byte[] sha256) {
    this.sha256 = sha256;
  }

  /**
   * The fingerprint of {@code key}: SHA-256 of {@code key.getEncoded()} (DER SPKI).
   *
   * @param key the public key
   * @return the key's {@code sha-256} digest
   */
  public static AuthDigest ofPublicKey(PublicKey key) {
    return new AuthDigest(ServiceId.sha256(key.getEncoded()));
  }

  /**
   * A digest from its 32 raw bytes (copied).
   *
   * @param digest the 32-byte SHA-256 digest
   * @return the digest
   */
  public static AuthDigest ofSha256(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("SHA-256 digest must be 32 bytes, got " + digest.length);
    }
    return new AuthDigest(digest.clone());
  }

  /**
   * Parses URI userinfo: {@code insecure}, or {@code sha-256:B64URL} (errors as spec section 1).
   * {@code user} is the part before ':', {@code password} the part after (null if no ':').
   *
   * @param user the userinfo before ':'
   * @param password the userinfo after ':', or {@code null} if there is no ':'
   * @return the digest, or {@link #INSECURE}
   */
  public static AuthDigest fromUserInfo(String user, String password) {
    if (password == null) {
      if (user.equals("insecure")) {
        return INSECURE;
      }
      throw new IllegalArgumentException("Missing digest hash type (e.g. '...://sha-256:...')");
    }
    if (!user.equals(HASH_NAME)) {
      if (user.isEmpty()) {
        throw new IllegalArgumentException("Missing digest hash type (e.g. '...://sha-256:...')");
      }
      throw new IllegalArgumentException("Unknown hash type \"" + user + "\"");
    }
    if (password.isEmpty()) {
      throw new IllegalArgumentException("Missing digest value (e.g. '...://sha-256:DIGEST@...')");
    }
    byte[] d = Base64Url.decode(password, "digest");
    if (d.length != 32) {
      throw new IllegalArgumentException("Bad sha-256 digest \"" + password + "\": "
          + d.length + " bytes, expected 32");
    }
    return new AuthDigest(d);
  }

  /**
   * Parses {@code insecure} or {@code sha-256:B64URL}.
   *
   * @param s the text, e.g. {@code sha-256:B64URL}
   * @return the digest, or {@link #INSECURE}
   */
  public static AuthDigest parse(String s) {
    int colon = s.indexOf(':');
    return colon < 0 ? fromUserInfo(s, null)
        : fromUserInfo(s.substring(0, colon), s.substring(colon + 1));
  }

  /**
   * Whether this means "no TLS".
   *
   * @return {@code true} for {@link #INSECURE}
   */
  public boolean isInsecure() {
    return sha256 == null;
  }

  /**
   * The 32 digest bytes (a copy); throws for {@link #INSECURE}.
   *
   * @return a copy of the 32 digest bytes
   */
  public byte[] sha256() {
    if (sha256 == null) {
      throw new IllegalStateException("insecure has no digest");
    }
    return sha256.clone();
  }

  /**
   * Whether {@code key}'s fingerprint is this digest (constant time).
   *
   * @param key the public key to check
   * @return {@code true} if the key's fingerprint equals this digest
   */
  public boolean matches(PublicKey key) {
    return sha256 != null && MessageDigest.isEqual(sha256, ServiceId.sha256(key.getEncoded()));
  }

  /** {@code insecure} or {@code sha-256:B64URL} (the URI userinfo). */
  @Override
  public String toString() {
    return sha256 == null ? "insecure" : HASH_NAME + ":" + Base64Url.encode(sha256);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AuthDigest)) {
      return false;
    }
    AuthDigest a = (AuthDigest) o;
    return sha256 == null ? a.sha256 == null
        : a.sha256 != null && MessageDigest.isEqual(sha256, a.sha256);
  }

  @Override
  public int hashCode() {
    return sha256 == null ? 0 : Arrays.hashCode(sha256);
  }

  /** Orders by raw unsigned bytes (the spec's crossed-connection rule); insecure first. */
  @Override
  public int compareTo(AuthDigest o) {
    if (sha256 == null || o.sha256 == null) {
      return sha256 == null ? (o.sha256 == null ? 0 : -1) : 1;
    }
    return Arrays.compareUnsigned(sha256, o.sha256);
  }
}
