package dev.capnp.schemac;

import java.util.List;

/** A position in a statement's tokens, remembering the furthest point a parse failed at. */
final class TokenCursor {
  private final List<Token> tokens;
  private int pos;
  private int best;

  TokenCursor(List<Token> tokens) {
    this.tokens = tokens;
  }

  Token peek() {
    return peekAt(0);
  }

  Token peekAt(int ahead) {
    return pos + ahead < tokens.size() ? tokens.get(pos + ahead) : null;
  }

  boolean peekKind(Token.Kind kind) {
    return peekKind(0, kind);
  }

  boolean peekKind(int ahead, Token.Kind kind) {
    Token t = peekAt(ahead);
    return t != null && t.kind() == kind;
  }

  Token next() {
    Token t = tokens.get(pos++);
    best = Math.max(best, pos);
    return t;
  }

  boolean atEnd() {
    if (pos < tokens.size()) {
      noteFailure();
      return false;
    }
    return true;
  }

  int remaining() {
    return tokens.size() - pos;
  }

  int mark() {
    return pos;
  }

  void reset(int mark) {
    pos = mark;
  }

  void noteFailure() {
    best = Math.max(best, pos);
  }

  /** The token where parsing got furthest, or null when it got to the end. */
  Token best() {
    return best < tokens.size() ? tokens.get(best) : null;
  }

  int lastEnd() {
    return pos > 0 ? tokens.get(pos - 1).end() : 0;
  }

  /**
   * Takes operator {@code op}. Like the C++ parser, an operator token with other text counts as
   * consumed for error positions (it is matched first, then rejected).
   */
  boolean operator(String op) {
    return take(Token.Kind.OPERATOR, op);
  }

  /** Takes keyword {@code word}; another identifier counts as consumed for error positions. */
  boolean keyword(String word) {
    return take(Token.Kind.IDENTIFIER, word);
  }

  private boolean take(Token.Kind kind, String text) {
    Token t = peek();
    if (t != null && t.kind() == kind) {
      if (t.text().equals(text)) {
        next();
        return true;
      }
      best = Math.max(best, pos + 1);
      return false;
    }
    noteFailure();
    return false;
  }

  Declaration.Name identifier() {
    Token t = peek();
    if (t != null && t.kind() == Token.Kind.IDENTIFIER) {
      next();
      return new Declaration.Name(t.text(), t.start(), t.end());
    }
    noteFailure();
    return null;
  }
}
