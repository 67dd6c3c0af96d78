package dev.capnp.net;

import java.util.Base64;

/** URL-safe base64 without padding, as used in {@code capnp://} URIs (spec section 1). */
final class Base64Url {
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();

  private Base64Url() {}

  static String encode(byte[] b) {
    return ENC.encodeToString(b);
  }

  /** Decodes {@code s}; {@code what} names the value in the error message. */
  static byte[] decode(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok) {
        throw new IllegalArgumentException("Invalid base64url character '" + c + "' at index " + i
            + " in " + what + " \"" + s + "\"");
      }
    }
    try {
      return DEC.decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid base64url " + what + " \"" + s + "\": "
          + e.getMessage(), e);
    }
  }
}
