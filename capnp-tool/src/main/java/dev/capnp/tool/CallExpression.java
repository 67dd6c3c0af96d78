package dev.capnp.tool;

import java.util.ArrayList;
import java.util.List;

/**
 * The call chain of {@code capnp-java call}: a first call {@code Interface.method(params)}
 * ({@code Interface} may be nested: {@code Outer.Inner}), then any number of pipelined calls
 * {@code .field.method(params)} on a capability in the previous call's results ({@code field}
 * may be a path through struct and group fields, and may be left out when the results hold
 * exactly one capability field). {@code params} is a struct literal body in Cap'n Proto text
 * format, e.g. {@code Calculator.evaluate(expression = (literal = 3)).value.read()}.
 *
 * @param steps the calls, in order
 */
record CallExpression(List<Step> steps) {
  /**
   * One call.
   *
   * @param path for the first call the interface name's parts; for a later call the field path
   *     in the previous results (possibly empty)
   * @param method the method's name
   * @param params the parameters as a parenthesized struct literal, e.g. {@code (msg = "hi")}
   */
  record Step(List<String> path, String method, String params) {
    /** The step as written (path, method and parameters). */
    String label() {
      return (path.isEmpty() ? "" : String.join(".", path) + ".") + method;
    }
  }

  /**
   * Parses {@code text}.
   *
   * @throws ToolException naming the column of the problem
   */
  static CallExpression parse(String text) {
    List<Step> steps = new ArrayList<>();
    int[] pos = {0};
    skipSpaces(text, pos);
    while (true) {
      List<String> names = new ArrayList<>();
      names.add(name(text, pos));
      skipSpaces(text, pos);
      while (pos[0] < text.length() && text.charAt(pos[0]) == '.') {
        pos[0]++;
        skipSpaces(text, pos);
        names.add(name(text, pos));
        skipSpaces(text, pos);
      }
      if (pos[0] >= text.length() || text.charAt(pos[0]) != '(') {
        throw error(text, pos[0], "expected '(' after \"" + String.join(".", names) + "\"");
      }
      if (steps.isEmpty() && names.size() < 2) {
        throw error(text, 0, "the first call must be Interface.method(...), got \""
            + names.get(0) + "(...)\"");
      }
      String params = parenthesized(text, pos);
      String method = names.remove(names.size() - 1);
      steps.add(new Step(List.copyOf(names), method, params));
      skipSpaces(text, pos);
      if (pos[0] >= text.length()) {
        return new CallExpression(List.copyOf(steps));
      }
      if (text.charAt(pos[0]) != '.') {
        throw error(text, pos[0], "expected '.' or the end after a call");
      }
      pos[0]++;
      skipSpaces(text, pos);
    }
  }

  private static String name(String text, int[] pos) {
    int start = pos[0];
    int i = start;
    while (i < text.length()
        && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    if (i == start || Character.isDigit(text.charAt(start))) {
      throw error(text, start, "expected a name");
    }
    pos[0] = i;
    return text.substring(start, i);
  }

  /** The text from the '(' at {@code pos} to its matching ')', both included. */
  private static String parenthesized(String text, int[] pos) {
    int start = pos[0];
    int depth = 0;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\'') {
        i = endOfString(text, i);
      } else if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
        if (depth == 0) {
          if (c != ')') {
            throw error(text, i, "unbalanced ']'");
          }
          pos[0] = i + 1;
          return text.substring(start, i + 1);
        }
      }
    }
    throw error(text, start, "no ')' closes this '('");
  }

  private static int endOfString(String text, int open) {
    char quote = text.charAt(open);
    for (int i = open + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    throw error(text, open, "unterminated string");
  }

  private static void skipSpaces(String text, int[] pos) {
    while (pos[0] < text.length() && Character.isWhitespace(text.charAt(pos[0]))) {
      pos[0]++;
    }
  }

  private static ToolException error(String text, int at, String what) {
    return new ToolException("call " + text + ": column " + (at + 1) + ": " + what);
  }
}
