package dev.capnp.dynamic;

import java.util.List;

/** A parsed expression of Cap'n Proto text, before it is matched against a type. */
sealed interface TextExpression {
  /** First byte of the expression. */
  int start();

  /** One past the last byte of the expression. */
  int end();

  /** A non-negative integer literal (64 unsigned bits). */
  record PositiveInt(long value, int start, int end) implements TextExpression {}

  /** {@code -N}: {@code magnitude} holds N as 64 unsigned bits. */
  record NegativeInt(long magnitude, int start, int end) implements TextExpression {}

  /** A floating-point literal, possibly negated, {@code -inf}. */
  record FloatValue(double value, int start, int end) implements TextExpression {}

  /** One or more adjacent string literals, concatenated. */
  record StringValue(byte[] bytes, int start, int end) implements TextExpression {}

  /** A hex binary literal. */
  record BinaryValue(byte[] bytes, int start, int end) implements TextExpression {}

  /** A bare identifier: enumerant, {@code void}, {@code true}, {@code inf}, ... */
  record Name(String name, int start, int end) implements TextExpression {}

  /** {@code [a, b, ...]}. */
  record ListValue(List<TextExpression> elements, int start, int end) implements TextExpression {}

  /** {@code (name = value, ...)}: a struct literal. */
  record Tuple(List<Param> params, int start, int end) implements TextExpression {}

  /**
   * A construct the schema language allows but text input cannot resolve (imports, embeds,
   * absolute names, member access, applications); {@code what} says which.
   */
  record Unsupported(String what, int start, int end) implements TextExpression {}

  /** One element of a tuple; {@code name} is null when unnamed. */
  record Param(String name, int nameStart, int nameEnd, TextExpression value) {}
}
