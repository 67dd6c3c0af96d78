package dev.capnp.schemac;

import java.util.List;

/**
 * A parsed expression: a type, a value or a name, located by byte offsets in its file. Which
 * kind it is is only known once it is resolved in context.
 */
sealed interface Expression {
  int start();

  int end();

  /**
   * A list item that failed to parse (already reported); compiles to nothing, silently. Like
   * the C++ parser's default expression, it is located at the start of the file.
   */
  record Unknown(int start, int end) implements Expression {}

  /** A non-negative integer literal (unsigned 64-bit). */
  record PositiveInt(long value, int start, int end) implements Expression {}

  /** {@code -n} for an integer literal {@code n} (unsigned 64-bit magnitude). */
  record NegativeInt(long magnitude, int start, int end) implements Expression {}

  /** A floating-point literal, or {@code -inf}. */
  record FloatLiteral(double value, int start, int end) implements Expression {}

  /** One or more adjacent string literals, concatenated. */
  record StringLiteral(String value, int start, int end) implements Expression {}

  /** A {@code 0x"..."} literal. */
  record BinaryLiteral(byte[] value, int start, int end) implements Expression {}

  /** A plain identifier. */
  record RelativeName(String name, int start, int end) implements Expression {}

  /** {@code .name}: a name looked up from the file's top scope. */
  record AbsoluteName(String name, int start, int end) implements Expression {}

  /** {@code import "path"}. */
  record Import(String path, int pathStart, int pathEnd, int start, int end)
      implements Expression {}

  /** {@code embed "path"}. */
  record Embed(String path, int pathStart, int pathEnd, int start, int end)
      implements Expression {}

  /** {@code [a, b, ...]}. */
  record ListExpr(List<Expression> elements, int start, int end) implements Expression {}

  /** {@code (name = value, ...)} or {@code (a, b)}. */
  record Tuple(List<Param> params, int start, int end) implements Expression {}

  /** {@code function(params)}, e.g. {@code List(Int32)} or a generic brand. */
  record Application(Expression function, List<Param> params, int start, int end)
      implements Expression {}

  /** {@code parent.name}. */
  record Member(Expression parent, String name, int nameStart, int nameEnd, int start, int end)
      implements Expression {}

  /** A tuple element: named ({@code name = value}) or not ({@code name} null). */
  record Param(String name, int nameStart, int nameEnd, Expression value) {}
}
