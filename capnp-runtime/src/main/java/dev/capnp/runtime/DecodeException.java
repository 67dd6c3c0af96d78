package dev.capnp.runtime;

/**
 * The one exception thrown for malformed input: bad framing, out-of-bounds or mistyped pointers,
 * exceeded traversal or nesting limits, truncated streams. The message says what was wrong and
 * where, e.g. {@code "struct pointer out of bounds (segment 0, word 17)"}.
 */
public class DecodeException extends RuntimeException {
  /**
   * Creates an exception with the given description.
   *
   * @param message what is wrong with the message
   */
  public DecodeException(String message) {
    super(message);
  }

  /**
   * Creates an exception with the given description and underlying cause.
   *
   * @param message what is wrong with the message
   * @param cause the underlying exception
   */
  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
