package dev.capnp.tool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits text input into messages the way {@code capnp encode} does: a new message starts at a
 * {@code (} at nesting depth zero once a complete parenthesized value has been seen. Comments and
 * string literals are skipped so parentheses inside them do not count.
 */
final class TextMessageSplitter {
  private TextMessageSplitter() {}

  /** Returns each message's bytes; whitespace-only input yields no messages. */
  static List<byte[]> split(byte[] input) {
    List<byte[]> messages = new ArrayList<>();
    int start = 0;
    int depth = 0;
    boolean sawClose = false;
    boolean sawContent = false;
    int i = 0;
    while (i < input.length) {
      int c = input[i];
      if (c == '#') {
        while (i < input.length && input[i] != '\n') {
          i++;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        sawContent = true;
        i++;
        while (i < input.length && input[i] != c && input[i] != '\n') {
          i += input[i] == '\\' ? 2 : 1;
        }
        i++;
        continue;
      }
      if (c == '(') {
        if (depth == 0 && sawClose) {
          messages.add(Arrays.copyOfRange(input, start, i));
          start = i;
          sawClose = false;
        }
        depth++;
      } else if (c == ')') {
        if (depth > 0 && --depth == 0) {
          sawClose = true;
        }
      }
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x0b) {
        sawContent = true;
      }
      i++;
    }
    if (sawContent) {
      messages.add(Arrays.copyOfRange(input, start, input.length));
    }
    return messages;
  }
}
