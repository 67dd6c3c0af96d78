package dev.capnp.dynamic;

/**
 * Malformed Cap'n Proto text input, or text that does not match the schema. The message starts
 * with the 1-based line and the column range of the offending input, e.g.
 * {@code "1:5-8: Type mismatch; expected Int32."}.
 */
public final class TextFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  /** The 1-based line of the offending input. */
  private final int line;
  /** The 1-based column where the offending input starts. */
  private final int column;

  TextFormatException(int line, int column, String message) {
    super(message);
    this.line = line;
    this.column = column;
  }

  /** Builds an exception for input bytes {@code [start, end)} of {@code input}. */
  static TextFormatException at(byte[] input, int start, int end, String what) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < start && i < input.length; i++) {
      if (input[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = start - lineStart + 1;
    String where = end > start ? column + "-" + (end - lineStart) : String.valueOf(column);
    return new TextFormatException(line, column, "line " + line + ", column " + where + ": " + what);
  }

  /**
   * The 1-based line of the error.
   *
   * @return the 1-based line of the error
   */
  public int line() {
    return line;
  }

  /**
   * The 1-based column of the error's start.
   *
   * @return the 1-based column of the error's start
   */
  public int column() {
    return column;
  }
}
