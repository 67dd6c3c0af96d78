package dev.capnp.schemac;

/**
 * One compile error, printed as the C++ compiler prints it: {@code file:line:col: message},
 * {@code file:line:col-endcol: message} for a span on one line, {@code file:line: message} for a
 * span over several lines (lines and columns count from 1).
 */
public record SchemaError(String file, int line, int column, int endLine, int endColumn,
    String message) {

  /** The error as {@code file:line:col[-endcol]: message}. */
  @Override
  public String toString() {
    if (endLine != line) {
      return file + ":" + line + ": " + message;
    }
    if (endColumn == column) {
      return file + ":" + line + ":" + column + ": " + message;
    }
    return file + ":" + line + ":" + column + "-" + endColumn + ": " + message;
  }
}
