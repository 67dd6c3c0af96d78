package dev.capnp.compiler;

import java.util.ArrayList;
import java.util.List;

/** Accumulates Java source text with two-space indentation. */
final class SourceWriter {
  private final StringBuilder out = new StringBuilder(16 * 1024);
  private int indent;

  SourceWriter(int indent) {
    this.indent = indent;
  }

  /** The current indentation level. */
  int level() {
    return indent;
  }

  /** Indents by one level. */
  SourceWriter indent() {
    indent++;
    return this;
  }

  /** Dedents by one level. */
  SourceWriter dedent() {
    indent--;
    return this;
  }

  /** Appends text written by another writer (already indented). */
  SourceWriter raw(String text) {
    out.append(text);
    return this;
  }

  /** Writes one line at the current indentation (an empty string writes a blank line). */
  SourceWriter line(String text) {
    if (!text.isEmpty()) {
      out.append("  ".repeat(indent));
    }
    out.append(text).append('\n');
    return this;
  }

  /** Writes {@code header + " {"} and indents. */
  SourceWriter open(String header) {
    line(header + " {");
    indent++;
    return this;
  }

  /**
   * Writes a header wrapped onto continuation lines (indented four more spaces), then
   * {@code " {"}, and indents. Empty continuation parts are skipped.
   */
  SourceWriter openWrapped(String first, String... continuations) {
    List<String> parts = new ArrayList<>();
    for (String c : continuations) {
      if (!c.isEmpty()) {
        parts.add(c);
      }
    }
    line(first + (parts.isEmpty() ? " {" : ""));
    for (int i = 0; i < parts.size(); i++) {
      line("    " + parts.get(i) + (i == parts.size() - 1 ? " {" : ""));
    }
    indent++;
    return this;
  }

  /** Dedents and writes {@code "}"}. */
  SourceWriter close() {
    indent--;
    line("}");
    return this;
  }

  /**
   * Writes a javadoc comment (nothing when {@code text} is null or blank). The text is javadoc
   * already: schema doc comments must go through {@link #escapeDoc} first.
   */
  SourceWriter javadoc(String text) {
    if (text == null || text.isBlank()) {
      return this;
    }
    String[] lines = text.strip().split("\n", -1);
    if (lines.length == 1) {
      return line("/** " + lines[0].strip() + " */");
    }
    line("/**");
    for (String l : lines) {
      String s = l.stripTrailing();
      if (s.isEmpty()) {
        line(" *");
      } else {
        line(" * " + s);
      }
    }
    line(" */");
    return this;
  }

  /** Escapes text for a javadoc comment: HTML specials, comment end, unicode escapes, tags. */
  static String escapeDoc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '@' -> sb.append("&#64;");
        case '\\' -> sb.append("&#92;");
        case '*' -> sb.append(i + 1 < s.length() && s.charAt(i + 1) == '/' ? "&#42;" : "*");
        case '{' -> sb.append("&#123;");
        case '}' -> sb.append("&#125;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
