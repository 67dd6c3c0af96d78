package dev.capnp.schemac;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text of one schema file with its display name (the name used in node display names and
 * error messages), plus a table of line starts to turn byte offsets into line and column.
 */
public final class SourceFile {
  private final String name;
  private final byte[] bytes;
  private final int[] lineStarts;

  /**
   * A source file named {@code name} whose content is {@code bytes} (UTF-8).
   *
   * @param name the display name, also used to resolve relative imports
   * @param bytes the file content as UTF-8
   */
  public SourceFile(String name, byte[] bytes) {
    this.name = name;
    this.bytes = bytes.clone();
    int[] starts = new int[16];
    int count = 1;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, count);
  }

  /**
   * A source file from a string.
   *
   * @param name the display name, also used to resolve relative imports
   * @param text the file content
   * @return a source file with {@code text} encoded as UTF-8
   */
  public static SourceFile of(String name, String text) {
    return new SourceFile(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The display name.
   *
   * @return the display name given at construction
   */
  public String name() {
    return name;
  }

  byte[] bytes() {
    return bytes;
  }

  /** The zero-based line holding byte {@code offset}. */
  int lineOf(int offset) {
    int i = Arrays.binarySearch(lineStarts, offset);
    return i >= 0 ? i : -i - 2;
  }

  /** The zero-based column (in bytes) of byte {@code offset}. */
  int columnOf(int offset) {
    return offset - lineStarts[lineOf(offset)];
  }
}
