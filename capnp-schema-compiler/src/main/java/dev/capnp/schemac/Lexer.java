package dev.capnp.schemac;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a schema file into statements of tokens. Comments run from {@code #} to the end of the
 * line; a comment that directly follows a statement's {@code ;} or {@code {} (on the same line or
 * the next lines, with no blank line between) is that statement's doc comment, and for a block
 * statement a comment directly after the closing {@code }} is used when none followed the
 * {@code {}.
 */
final class Lexer {
  private static final String OPERATOR_CHARS = "!$%&*+-./:<=>?@^|~";
  /**
   * How deep brackets and blocks may nest. The C++ compiler has no limit (and crashes on very
   * deep nesting); real schemas nest a few levels.
   */
  static final int MAX_NESTING = 256;

  private final SourceFile file;
  private final byte[] in;
  private final ErrorReporter errors;
  private int pos;
  private int depth;

  /** Raised to abandon lexing after a reported error. */
  private static final class LexFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LexFailure() {
      super(null, null, false, false);
    }
  }

  Lexer(SourceFile file, ErrorReporter errors) {
    this.file = file;
    this.in = file.bytes();
    this.errors = errors;
  }

  /** The file's top-level statements, or null after reporting a parse error. */
  List<Statement> lex() {
    try {
      List<Statement> statements = statementSequence();
      if (pos < in.length) {
        fail(pos);
      }
      return statements;
    } catch (LexFailure e) {
      return null;
    }
  }

  private void enter() {
    if (++depth > MAX_NESTING) {
      errors.add(file, pos, pos, "Parse error: nested more than " + MAX_NESTING + " levels deep.");
      throw new LexFailure();
    }
  }

  private void fail(int at) {
    errors.add(file, at, at, "Parse error.");
    throw new LexFailure();
  }

  private int peek() {
    return pos < in.length ? in[pos] & 0xff : -1;
  }

  private int peek(int ahead) {
    return pos + ahead < in.length ? in[pos + ahead] & 0xff : -1;
  }

  private static boolean isWhitespace(int c) {
    return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == 0x0b;
  }

  private void skipWhitespaceAndBoms() {
    while (true) {
      while (isWhitespace(peek())) {
        pos++;
      }
      if (peek() == 0xef && peek(1) == 0xbb && peek(2) == 0xbf) {
        pos += 3;
      } else {
        return;
      }
    }
  }

  private void skipCommentsAndWhitespace() {
    skipWhitespaceAndBoms();
    while (peek() == '#') {
      while (pos < in.length && in[pos] != '\n') {
        pos++;
      }
      if (pos < in.length) {
        pos++;
      }
      skipWhitespaceAndBoms();
    }
  }

  private List<Statement> statementSequence() {
    List<Statement> result = new ArrayList<>();
    skipCommentsAndWhitespace();
    while (pos < in.length && peek() != '}') {
      result.add(statement());
      skipCommentsAndWhitespace();
    }
    return result;
  }

  private Statement statement() {
    int start = pos;
    List<Token> tokens = tokenSequence();
    if (peek() == ';') {
      pos++;
      String doc = docComment();
      return new Statement(tokens, null, doc, start, pos);
    }
    if (peek() == '{') {
      pos++;
      enter();
      String doc = docComment();
      List<Statement> block = statementSequence();
      depth--;
      if (peek() != '}') {
        fail(pos);
      }
      pos++;
      String late = docComment();
      return new Statement(tokens, block, doc != null ? doc : late, start, pos);
    }
    fail(pos);
    return null;
  }

  /** Doc comment lines after a statement end, or null; see the class comment. */
  private String docComment() {
    int save = pos;
    skipLineWhitespace();
    if (peek() == '\n') {
      pos++;
    } else if (peek() == '\r') {
      pos++;
      if (peek() == '\n') {
        pos++;
      }
    }
    StringBuilder doc = null;
    while (true) {
      int lineStart = pos;
      skipLineWhitespace();
      if (peek() != '#') {
        pos = lineStart;
        break;
      }
      pos++;
      if (peek() == ' ') {
        pos++;
      }
      int textStart = pos;
      while (pos < in.length && in[pos] != '\n') {
        pos++;
      }
      if (doc == null) {
        doc = new StringBuilder();
      }
      doc.append(new String(in, textStart, pos - textStart, StandardCharsets.UTF_8)).append('\n');
      if (pos < in.length) {
        pos++;
      }
    }
    if (doc == null) {
      pos = save;
      return null;
    }
    return doc.toString();
  }

  private void skipLineWhitespace() {
    while (true) {
      int c = peek();
      if (c == ' ' || c == '\t' || c == '\f' || c == 0x0b) {
        pos++;
      } else {
        return;
      }
    }
  }

  private List<Token> tokenSequence() {
    List<Token> tokens = new ArrayList<>();
    skipCommentsAndWhitespace();
    while (true) {
      Token t = token();
      if (t == null) {
        return tokens;
      }
      tokens.add(t);
      skipCommentsAndWhitespace();
    }
  }

  private Token token() {
    int c = peek();
    int start = pos;
    if (c < 0) {
      return null;
    }
    if (isNameStart(c)) {
      while (isNameChar(peek())) {
        pos++;
      }
      return Token.text(Token.Kind.IDENTIFIER, start, pos, ascii(start, pos));
    }
    if (c == '"') {
      String text = stringLiteral();
      return Token.text(Token.Kind.STRING, start, pos, text);
    }
    if (c == '0' && peek(1) == 'x' && peek(2) == '"') {
      return hexBinary();
    }
    if (c >= '0' && c <= '9') {
      return numberToken();
    }
    if (OPERATOR_CHARS.indexOf(c) >= 0) {
      while (peek() >= 0 && OPERATOR_CHARS.indexOf(peek()) >= 0) {
        pos++;
      }
      return Token.text(Token.Kind.OPERATOR, start, pos, ascii(start, pos));
    }
    if (c == '(' || c == '[') {
      pos++;
      enter();
      List<List<Token>> items = commaDelimitedList();
      depth--;
      int close = c == '(' ? ')' : ']';
      if (peek() != close) {
        fail(pos);
      }
      pos++;
      return Token.list(c == '(' ? Token.Kind.PAREN_LIST : Token.Kind.BRACKET_LIST, start, pos,
          items);
    }
    if (c == 0 || (c == 0xff && peek(1) == 0xfe) || (c == 0xfe && peek(1) == 0xff)) {
      int end = c == 0 ? pos + 1 : pos + 2;
      errors.add(file, start, end,
          "Non-UTF-8 input detected. Cap'n Proto schema files must be UTF-8 text.");
      throw new LexFailure();
    }
    return null;
  }

  private List<List<Token>> commaDelimitedList() {
    List<List<Token>> items = new ArrayList<>();
    items.add(tokenSequence());
    while (peek() == ',') {
      pos++;
      items.add(tokenSequence());
    }
    if (items.size() == 1 && items.get(0).isEmpty()) {
      return List.of();
    }
    if (items.size() > 1 && items.get(items.size() - 1).isEmpty()) {
      items.remove(items.size() - 1);
    }
    return items;
  }

  private static boolean isNameStart(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isNameChar(int c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static int hexValue(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    } else if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private String ascii(int from, int to) {
    return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private boolean atNameCharOrDot() {
    int c = peek();
    return isNameStart(c) || c == '.';
  }

  private Token numberToken() {
    int start = pos;
    Long integer = null;
    if (peek() == '0' && peek(1) == 'x' && hexValue(peek(2)) >= 0) {
      pos += 2;
      long v = 0;
      while (hexValue(peek()) >= 0) {
        v = v * 16 + hexValue(peek());
        pos++;
      }
      integer = v;
    } else if (peek() == '0') {
      pos++;
      long v = 0;
      while (peek() >= '0' && peek() <= '7') {
        v = v * 8 + (peek() - '0');
        pos++;
      }
      integer = v;
    } else {
      long v = 0;
      while (isDigit(peek())) {
        v = v * 10 + (peek() - '0');
        pos++;
      }
      integer = v;
    }
    if (!atNameCharOrDot()) {
      return Token.integer(start, pos, integer);
    }
    int integerEnd = pos;
    pos = start;
    while (isDigit(peek())) {
      pos++;
    }
    if (peek() == '.') {
      pos++;
      while (isDigit(peek())) {
        pos++;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    if (atNameCharOrDot()) {
      fail(Math.max(pos, integerEnd));
    }
    String text = ascii(start, pos);
    if (text.endsWith("e") || text.endsWith("E") || text.endsWith("+") || text.endsWith("-")) {
      text = text.replaceAll("[eE][+-]?$", "");
    }
    return Token.number(start, pos, Double.parseDouble(text));
  }

  private String stringLiteral() {
    pos++;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      int c = peek();
      if (c < 0 || c == '\n') {
        fail(pos);
      }
      pos++;
      if (c == '"') {
        return out.toString(StandardCharsets.UTF_8);
      }
      if (c != '\\') {
        out.write(c);
        continue;
      }
      int e = peek();
      pos++;
      switch (e) {
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 'f' -> out.write(12);
        case 'n' -> out.write(10);
        case 'r' -> out.write(13);
        case 't' -> out.write(9);
        case 'v' -> out.write(11);
        case '\'', '"', '\\', '?' -> out.write(e);
        case 'x' -> {
          int h1 = hexValue(peek());
          int h2 = hexValue(peek(1));
          if (h1 < 0 || h2 < 0) {
            fail(pos);
          }
          pos += 2;
          out.write(h1 * 16 + h2);
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; i++) {
              v = v * 8 + (peek() - '0');
              pos++;
            }
            out.write(v & 0xff);
          } else {
            fail(pos - 1);
          }
        }
      }
    }
  }

  private Token hexBinary() {
    int start = pos;
    pos += 3;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      while (isWhitespace(peek())) {
        pos++;
      }
      if (peek() == '"') {
        if (out.size() == 0) {
          fail(pos);
        }
        pos++;
        return Token.binary(start, pos, out.toByteArray());
      }
      int h1 = hexValue(peek());
      int h2 = hexValue(peek(1));
      if (h1 < 0 || h2 < 0) {
        fail(pos);
      }
      pos += 2;
      out.write(h1 * 16 + h2);
    }
  }
}
