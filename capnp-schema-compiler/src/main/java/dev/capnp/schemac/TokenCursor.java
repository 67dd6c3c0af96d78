package dev.capnp.schemac;

import java.util.List;

/**
 * A position in a statement's tokens, remembering how far parsing got, as the C++ parser
 * counts it: every attempt to match the token at some position consumes it before accepting or
 * rejecting it, so a failed attempt still counts as having reached the next position.
 */
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

  /** Whether the current token is of {@code kind}; a failed check counts as an attempt. */
  boolean peekKind(Token.Kind kind) {
    if (peekKind(0, kind)) {
      return true;
    }
    noteFailure();
    return false;
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

  /** Whether all tokens are consumed (a failed check counts as an attempt at the next one). */
  boolean atEnd() {
    if (pos < tokens.size()) {
      noteFailure();
      return false;
    }
    return true;
  }

  /** Whether all tokens are consumed, without counting an attempt (C++: {@code endOfInput}). */
  boolean atEndExactly() {
    return pos >= tokens.size();
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

  /** Records a failed attempt to match the current token (which counts as reaching past it). */
  void noteFailure() {
    noteReached(pos + 1);
  }

  /** Records that parsing got to {@code position} (bounded by the end). */
  void noteReached(int position) {
    best = Math.max(best, Math.min(position, tokens.size()));
  }

  /** Whether the current token is operator {@code op}; a failed check counts as an attempt. */
  boolean isOperator(String op) {
    Token t = peek();
    if (t != null && t.isOperator(op)) {
      return true;
    }
    noteFailure();
    return false;
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
    if (t != null && t.kind() == kind && t.text().equals(text)) {
      next();
      return true;
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
