package dev.capnp.dynamic;

import java.util.List;

/** One token of Cap'n Proto text (schema-language expression syntax), with its byte range. */
sealed interface TextToken {
  /** First byte of the token. */
  int start();

  /** One past the last byte of the token. */
  int end();

  /** An identifier such as {@code foo} or {@code inf}. */
  record Identifier(String name, int start, int end) implements TextToken {}

  /** A double-quoted string literal, unescaped, as raw bytes. */
  record StringLiteral(byte[] bytes, int start, int end) implements TextToken {}

  /** A hex binary literal {@code 0x"01 ab"}. */
  record BinaryLiteral(byte[] bytes, int start, int end) implements TextToken {}

  /** An unsigned integer literal (decimal, hex or octal), as 64 raw bits. */
  record IntegerLiteral(long value, int start, int end) implements TextToken {}

  /** A floating-point literal. */
  record FloatLiteral(double value, int start, int end) implements TextToken {}

  /** A run of operator characters such as {@code =} or {@code -}. */
  record Operator(String text, int start, int end) implements TextToken {}

  /** A parenthesized ({@code bracket == false}) or bracketed list of comma-separated items. */
  record Group(boolean bracket, List<List<TextToken>> items, int start, int end)
      implements TextToken {}
}
