package dev.capnp.dynamic;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits Cap'n Proto text into tokens following the schema language's lexical rules (as capnp's
 * own lexer does): identifiers, string and hex-binary literals, integers (decimal, {@code 0x} hex,
 * {@code 0} octal), floats, operator runs, and parenthesized or bracketed comma-separated lists.
 * Whitespace, byte-order marks and {@code #} comments separate tokens.
 */
final class TextLexer {
  private static final String OPERATOR_CHARS = "!$%&*+-./:<=>?@^|~";
  /** Maximum nesting of parentheses and brackets (keeps recursion far from stack overflow). */
  static final int MAX_DEPTH = 500;

  private final byte[] in;
  private int pos;
  private int depth;

  private TextLexer(byte[] in) {
    this.in = in;
  }

  /** Tokenizes all of {@code input}. */
  static List<TextToken> lex(byte[] input) {
    TextLexer lexer = new TextLexer(input);
    List<TextToken> tokens = lexer.sequence();
    if (lexer.pos < input.length) {
      throw lexer.unexpected();
    }
    return tokens;
  }

  private TextFormatException error(int start, int end, String what) {
    return TextFormatException.at(in, start, end, what);
  }

  private TextFormatException unexpected() {
    int c = in[pos] & 0xff;
    if (c == ')' || c == ']') {
      return error(pos, pos + 1, "Parse error: unmatched '" + (char) c + "'.");
    }
    if (c == 0 || c == 0xfe || c == 0xff) {
      return error(pos, pos + 1, "Non-UTF-8 input detected.");
    }
    if (c == ',') {
      return error(pos, pos + 1, "Parse error: ',' outside of a list.");
    }
    String shown = c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
    return error(pos, pos + 1, "Parse error: unexpected " + shown + ".");
  }

  private int peek(int offset) {
    int i = pos + offset;
    return i < in.length ? in[i] & 0xff : -1;
  }

  private List<TextToken> sequence() {
    List<TextToken> tokens = new ArrayList<>();
    skipSpaceAndComments();
    for (;;) {
      TextToken token = token();
      if (token == null) {
        return tokens;
      }
      tokens.add(token);
      skipSpaceAndComments();
    }
  }

  private void skipSpaceAndComments() {
    for (;;) {
      int c = peek(0);
      if (c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == 0x0b) {
        pos++;
      } else if (c == 0xef && peek(1) == 0xbb && peek(2) == 0xbf) {
        pos += 3;
      } else if (c == '#') {
        while (pos < in.length && in[pos] != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private static boolean isAlpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static int hexValue(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private TextToken token() {
    int c = peek(0);
    if (c < 0) {
      return null;
    }
    if (isAlpha(c) || c == '_') {
      int start = pos;
      while (isAlpha(peek(0)) || isDigit(peek(0)) || peek(0) == '_') {
        pos++;
      }
      return new TextToken.Identifier(new String(in, start, pos - start,
          java.nio.charset.StandardCharsets.US_ASCII), start, pos);
    }
    if (c == '"') {
      return string();
    }
    if (isDigit(c)) {
      return number();
    }
    if (OPERATOR_CHARS.indexOf(c) >= 0) {
      int start = pos;
      while (peek(0) >= 0 && OPERATOR_CHARS.indexOf(peek(0)) >= 0) {
        pos++;
      }
      return new TextToken.Operator(new String(in, start, pos - start,
          java.nio.charset.StandardCharsets.US_ASCII), start, pos);
    }
    if (c == '(' || c == '[') {
      return group(c == '[');
    }
    return null;
  }

  private TextToken group(boolean bracket) {
    int start = pos++;
    if (++depth > MAX_DEPTH) {
      throw error(start, start + 1, "Parse error: nested more than " + MAX_DEPTH + " levels deep.");
    }
    char close = bracket ? ']' : ')';
    List<List<TextToken>> items = new ArrayList<>();
    items.add(sequence());
    for (;;) {
      int c = peek(0);
      if (c == ',') {
        pos++;
        items.add(sequence());
      } else if (c == close) {
        pos++;
        break;
      } else if (c < 0) {
        throw error(start, start + 1, "Parse error: '" + (bracket ? '[' : '(')
            + "' is never closed (expected '" + close + "').");
      } else if (c == ')' || c == ']') {
        throw error(pos, pos + 1, "Parse error: expected '" + close + "' but found '"
            + (char) c + "'.");
      } else {
        throw unexpected();
      }
    }
    if (items.size() == 1 && items.get(0).isEmpty()) {
      items.clear();
    } else if (items.size() > 1 && items.get(items.size() - 1).isEmpty()) {
      items.remove(items.size() - 1); // trailing comma
    }
    depth--;
    return new TextToken.Group(bracket, List.copyOf(items), start, pos);
  }

  private TextToken string() {
    int start = pos++;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (;;) {
      int c = peek(0);
      if (c < 0 || c == '\n') {
        throw error(start, pos, "Parse error: unterminated string literal.");
      }
      pos++;
      if (c == '"') {
        return new TextToken.StringLiteral(bytes.toByteArray(), start, pos);
      }
      if (c != '\\') {
        bytes.write(c);
        continue;
      }
      int e = peek(0);
      int escapeStart = pos - 1;
      pos++;
      switch (e) {
        case 'a' -> bytes.write(0x07);
        case 'b' -> bytes.write('\b');
        case 'f' -> bytes.write('\f');
        case 'n' -> bytes.write('\n');
        case 'r' -> bytes.write('\r');
        case 't' -> bytes.write('\t');
        case 'v' -> bytes.write(0x0b);
        case '\'', '"', '\\', '?' -> bytes.write(e);
        case 'x' -> {
          int h1 = hexValue(peek(0));
          int h2 = hexValue(peek(1));
          if (h1 < 0 || h2 < 0) {
            throw error(escapeStart, pos, "Parse error: \\x must be followed by two hex digits.");
          }
          pos += 2;
          bytes.write(h1 * 16 + h2);
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int i = 0; i < 2 && peek(0) >= '0' && peek(0) <= '7'; i++) {
              v = v * 8 + (peek(0) - '0');
              pos++;
            }
            bytes.write(v & 0xff);
          } else {
            throw error(escapeStart, Math.min(pos, in.length), "Parse error: invalid escape sequence.");
          }
        }
      }
    }
  }

  private boolean numberEndsCleanly() {
    int c = peek(0);
    return !(isAlpha(c) || c == '_' || c == '.');
  }

  private TextToken number() {
    int start = pos;
    if (peek(0) == '0' && peek(1) == 'x' && peek(2) == '"') {
      return binary();
    }
    // Integer: 0x<hex>+ | 0<octal>* | [1-9]<digit>*
    long value = 0;
    boolean overflow = false;
    if (peek(0) == '0' && peek(1) == 'x' && hexValue(peek(2)) >= 0) {
      pos += 2;
      while (hexValue(peek(0)) >= 0) {
        overflow |= (value >>> 60) != 0;
        value = value * 16 + hexValue(peek(0));
        pos++;
      }
    } else if (peek(0) == '0') {
      pos++;
      while (peek(0) >= '0' && peek(0) <= '7') {
        overflow |= (value >>> 61) != 0;
        value = value * 8 + (peek(0) - '0');
        pos++;
      }
    } else {
      while (isDigit(peek(0))) {
        int d = peek(0) - '0';
        long limit = Long.divideUnsigned(-1L - d, 10);
        overflow |= Long.compareUnsigned(value, limit) > 0;
        value = value * 10 + d;
        pos++;
      }
    }
    if (numberEndsCleanly()) {
      if (overflow) {
        throw error(start, pos, "Integer value out of range.");
      }
      return new TextToken.IntegerLiteral(value, start, pos);
    }
    // Float: <digit>+ ('.' <digit>*)? ([eE] [+-]? <digit>*)?
    pos = start;
    while (isDigit(peek(0))) {
      pos++;
    }
    if (peek(0) == '.') {
      pos++;
      while (isDigit(peek(0))) {
        pos++;
      }
    }
    int exponentEnd = pos;
    if (peek(0) == 'e' || peek(0) == 'E') {
      pos++;
      if (peek(0) == '+' || peek(0) == '-') {
        pos++;
      }
      boolean digits = false;
      while (isDigit(peek(0))) {
        pos++;
        digits = true;
      }
      if (!digits) {
        throw error(start, pos, "Parse error: invalid number (exponent without digits).");
      }
      exponentEnd = pos;
    }
    if (!numberEndsCleanly()) {
      while (isAlpha(peek(0)) || isDigit(peek(0)) || peek(0) == '_' || peek(0) == '.') {
        pos++;
      }
      throw error(start, pos, "Parse error: invalid number.");
    }
    String text = new String(in, start, exponentEnd - start, java.nio.charset.StandardCharsets.US_ASCII);
    return new TextToken.FloatLiteral(Double.parseDouble(text), start, pos);
  }

  private TextToken binary() {
    int start = pos;
    pos += 3;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (;;) {
      while (peek(0) == ' ' || peek(0) == '\f' || peek(0) == '\n' || peek(0) == '\r'
          || peek(0) == '\t' || peek(0) == 0x0b) {
        pos++;
      }
      if (peek(0) == '"' && bytes.size() > 0) {
        pos++;
        return new TextToken.BinaryLiteral(bytes.toByteArray(), start, pos);
      }
      int h1 = hexValue(peek(0));
      int h2 = hexValue(peek(1));
      if (h1 < 0 || h2 < 0) {
        throw error(start, Math.min(pos + 1, in.length),
            "Parse error: invalid hex binary literal (expected pairs of hex digits).");
      }
      bytes.write(h1 * 16 + h2);
      pos += 2;
    }
  }
}
