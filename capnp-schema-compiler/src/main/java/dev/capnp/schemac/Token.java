package dev.capnp.schemac;

import java.util.List;

/**
 * One lexical token of a schema file, located by byte offsets. Parenthesized and bracketed lists
 * are single tokens holding their comma-separated items, as in the C++ lexer.
 */
record Token(Kind kind, int start, int end, String text, long integer, double number,
    byte[] binary, List<List<Token>> items) {

  /** What a token is. */
  enum Kind { IDENTIFIER, STRING, BINARY, INTEGER, FLOAT, OPERATOR, PAREN_LIST, BRACKET_LIST }

  static Token text(Kind kind, int start, int end, String text) {
    return new Token(kind, start, end, text, 0, 0, null, null);
  }

  static Token integer(int start, int end, long value) {
    return new Token(Kind.INTEGER, start, end, null, value, 0, null, null);
  }

  static Token number(int start, int end, double value) {
    return new Token(Kind.FLOAT, start, end, null, 0, value, null, null);
  }

  static Token binary(int start, int end, byte[] value) {
    return new Token(Kind.BINARY, start, end, null, 0, 0, value, null);
  }

  static Token list(Kind kind, int start, int end, List<List<Token>> items) {
    return new Token(kind, start, end, null, 0, 0, null, items);
  }

  boolean isOperator(String op) {
    return kind == Kind.OPERATOR && text.equals(op);
  }

  boolean isIdentifier(String name) {
    return kind == Kind.IDENTIFIER && text.equals(name);
  }
}
