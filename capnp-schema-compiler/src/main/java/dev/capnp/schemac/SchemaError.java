package dev.capnp.schemac;

/**
 * One compile error, printed as the C++ compiler prints it: {@code file:line:col: error: message},
 * {@code file:line:col-endcol: error: message} for a span on one line, {@code file:line: error:
 * message} for a span over several lines (lines and columns count from 1, columns in bytes).
 */
public record SchemaError(String file, int line, int column, int endLine, int endColumn,
    String message) {

  /** The error as {@code file:line:col[-endcol]: error: message}. */
  @Override
  public String toString() {
    if (endLine != line) {
      return file + ":" + line + ": error: " + message;
    }
    if (endColumn == column) {
      return file + ":" + line + ":" + column + ": error: " + message;
    }
    return file + ":" + line + ":" + column + "-" + endColumn + ": error: " + message;
  }
}
