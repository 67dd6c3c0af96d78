package dev.capnp.dynamic;

import java.nio.ByteBuffer;

/**
 * C-style escaping of Text and Data values as done by kj's {@code encodeCEscape}: the usual
 * backslash escapes, other control bytes (and for Data every byte above 0x7f) as three-digit octal
 * escapes; Text bytes above 0x7f (UTF-8) pass through unchanged.
 */
final class TextEscape {
  private TextEscape() {}

  /**
   * Appends the bytes from {@code bytes}' position to its limit, escaped and surrounded by double
   * quotes, to {@code out}. Text ({@code binary} false) bytes above 0x7f are decoded as UTF-8, or
   * with {@code raw} appended one char per byte (ISO-8859-1) so that the exact bytes survive.
   */
  static void appendQuoted(StringBuilder out, ByteBuffer bytes, boolean binary, boolean raw) {
    out.append('"');
    int end = bytes.limit();
    int utf8Start = -1;
    for (int i = bytes.position(); i < end; i++) {
      int b = bytes.get(i) & 0xff;
      if (!binary && b >= 0x80) {
        if (raw) {
          out.append((char) b);
          continue;
        }
        if (utf8Start < 0) {
          utf8Start = i;
        }
        continue;
      }
      if (utf8Start >= 0) {
        appendUtf8(out, bytes, utf8Start, i);
        utf8Start = -1;
      }
      appendByte(out, b, binary);
    }
    if (utf8Start >= 0) {
      appendUtf8(out, bytes, utf8Start, end);
    }
    out.append('"');
  }

  private static void appendUtf8(StringBuilder out, ByteBuffer bytes, int start, int end) {
    byte[] chunk = new byte[end - start];
    for (int i = start; i < end; i++) {
      chunk[i - start] = bytes.get(i);
    }
    out.append(new String(chunk, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void appendByte(StringBuilder out, int b, boolean binary) {
    switch (b) {
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0b -> out.append("\\v");
      case '\'' -> out.append("\\'");
      case '"' -> out.append("\\\"");
      case '\\' -> out.append("\\\\");
      default -> {
        if (b < 0x20 || b == 0x7f || (binary && b > 0x7f)) {
          out.append('\\').append((char) ('0' + (b >> 6))).append((char) ('0' + ((b >> 3) & 7)))
              .append((char) ('0' + (b & 7)));
        } else {
          out.append((char) b);
        }
      }
    }
  }
}
