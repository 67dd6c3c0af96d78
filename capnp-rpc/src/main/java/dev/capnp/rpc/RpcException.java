package dev.capnp.rpc;

import java.util.Locale;

/**
 * An exception carried by the RPC protocol ({@code rpc.capnp} {@code Exception}): a type and a
 * human-readable reason. Broken capabilities, failed calls and aborted connections all report
 * one of these.
 */
public final class RpcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The protocol's exception types, in schema order. */
  public enum Type {
    /** A generic failure; retrying the same operation would fail again. */
    FAILED,
    /** A resource was exhausted; retrying later may work. */
    OVERLOADED,
    /** The connection to the capability's host was lost. */
    DISCONNECTED,
    /** The target does not implement the requested method or message. */
    UNIMPLEMENTED
  }

  /** The exception's type. */
  private final Type type;

  /**
   * An exception of the given type and reason.
   *
   * @param type the exception's type
   * @param reason the reason text
   */
  public RpcException(Type type, String reason) {
    super(reason);
    this.type = type;
  }

  /**
   * An exception of the given type and reason caused by {@code cause}.
   *
   * @param type the exception's type
   * @param reason the reason text
   * @param cause the underlying exception
   */
  public RpcException(Type type, String reason, Throwable cause) {
    super(reason, cause);
    this.type = type;
  }

  /**
   * A {@link Type#FAILED} exception.
   *
   * @param reason the reason text
   * @return a new exception
   */
  public static RpcException failed(String reason) {
    return new RpcException(Type.FAILED, reason);
  }

  /**
   * A {@link Type#DISCONNECTED} exception.
   *
   * @param reason the reason text
   * @return a new exception
   */
  public static RpcException disconnected(String reason) {
    return new RpcException(Type.DISCONNECTED, reason);
  }

  /**
   * An {@link Type#UNIMPLEMENTED} exception.
   *
   * @param reason the reason text
   * @return a new exception
   */
  public static RpcException unimplemented(String reason) {
    return new RpcException(Type.UNIMPLEMENTED, reason);
  }

  /**
   * An {@link Type#OVERLOADED} exception.
   *
   * @param reason the reason text
   * @return a new exception
   */
  public static RpcException overloaded(String reason) {
    return new RpcException(Type.OVERLOADED, reason);
  }

  /**
   * Converts any throwable (unwrapping {@code CompletionException}/{@code ExecutionException})
   * into an RpcException; other exceptions become {@link Type#FAILED} with their text.
   *
   * @param t any throwable
   * @return the unwrapped RpcException itself, or a new one
   */
  public static RpcException of(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
        || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RpcException) {
      return (RpcException) c;
    }
    if (c instanceof java.util.concurrent.CancellationException) {
      return failed("Call canceled");
    }
    String msg = c.getMessage();
    return new RpcException(Type.FAILED, msg == null ? c.toString() : msg, c);
  }

  /**
   * The exception's type.
   *
   * @return the exception's type
   */
  public Type getType() {
    return type;
  }

  /**
   * The reason text, without the type.
   *
   * @return the reason text
   */
  public String getReason() {
    return getMessage();
  }

  @Override
  public String toString() {
    String t = type.name().toLowerCase(Locale.ROOT);
    return Character.toUpperCase(t.charAt(0)) + t.substring(1) + ": " + getMessage();
  }
}
