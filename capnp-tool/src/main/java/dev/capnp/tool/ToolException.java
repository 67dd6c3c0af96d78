package dev.capnp.tool;

/** A user-facing error: printed as one line (no stack trace) before exiting with status 1. */
final class ToolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ToolException(String message) {
    super(message);
  }
}
