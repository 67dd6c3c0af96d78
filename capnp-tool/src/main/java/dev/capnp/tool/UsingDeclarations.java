package dev.capnp.tool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code using NAME = EXPRESSION;} declarations of one schema file, by the scope that declares
 * them ({@code ""} for the file, {@code "Outer.Inner"} for a nested struct or interface). A
 * {@code CodeGeneratorRequest} keeps no trace of aliases, so {@code eval} reads them from the
 * source: the file is split into tokens (identifiers, string literals, punctuation; comments
 * dropped) and the braces of {@code struct}, {@code interface} and {@code enum} declarations give
 * the scopes. Expressions are kept as their tokens.
 */
final class UsingDeclarations {
  private final Map<String, Map<String, List<String>>> byScope = new HashMap<>();

  private UsingDeclarations() {}

  /** The declarations of {@code file}. */
  static UsingDeclarations read(Path file) {
    String source;
    try {
      source = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ToolException("cannot read " + file + ": " + e.getMessage());
    }
    return parse(source);
  }

  /** The declarations of a schema's source text. */
  static UsingDeclarations parse(String source) {
    UsingDeclarations d = new UsingDeclarations();
    List<String> tokens = tokenize(source);
    Deque<String> scopes = new ArrayDeque<>(); // names; "" for a brace that opens no scope
    String pendingScope = null;
    boolean statementStart = true;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      switch (t) {
        case "{" -> {
          scopes.push(pendingScope == null ? "" : pendingScope);
          pendingScope = null;
          statementStart = true;
          continue;
        }
        case "}" -> {
          if (!scopes.isEmpty()) {
            scopes.pop();
          }
          pendingScope = null;
          statementStart = true;
          continue;
        }
        case ";" -> {
          pendingScope = null;
          statementStart = true;
          continue;
        }
        default -> { }
      }
      boolean next = i + 1 < tokens.size() && isIdentifier(tokens.get(i + 1));
      if (statementStart && next
          && (t.equals("struct") || t.equals("interface") || t.equals("enum"))) {
        pendingScope = tokens.get(i + 1);
      } else if (statementStart && next && t.equals("using") && i + 2 < tokens.size()
          && tokens.get(i + 2).equals("=")) {
        String name = tokens.get(i + 1);
        List<String> expression = new ArrayList<>();
        int j = i + 3;
        for (; j < tokens.size() && !tokens.get(j).equals(";"); j++) {
          expression.add(tokens.get(j));
        }
        if (!scopes.contains("")) { // not inside an anonymous block (group, union, enum body)
          d.byScope.computeIfAbsent(scopePath(scopes), k -> new HashMap<>())
              .put(name, List.copyOf(expression));
        }
        i = j - 1;
      }
      statementStart = false;
    }
    return d;
  }

  /** The expression {@code name} aliases in {@code scopePath}, or null. */
  List<String> get(String scopePath, String name) {
    Map<String, List<String>> scope = byScope.get(scopePath);
    return scope == null ? null : scope.get(name);
  }

  private static String scopePath(Deque<String> scopes) {
    List<String> names = new ArrayList<>(scopes);
    java.util.Collections.reverse(names);
    return String.join(".", names);
  }

  static boolean isIdentifier(String token) {
    return !token.isEmpty() && (Character.isLetter(token.charAt(0)) || token.charAt(0) == '_');
  }

  /** Identifiers (and numbers), string literals (with quotes), single punctuation characters. */
  static List<String> tokenize(String s) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '#') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'') {
        int start = i++;
        while (i < n && s.charAt(i) != c) {
          i += s.charAt(i) == '\\' ? 2 : 1;
        }
        i = Math.min(i + 1, n);
        tokens.add(s.substring(start, i));
      } else if (Character.isLetterOrDigit(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        tokens.add(s.substring(start, i));
      } else {
        tokens.add(String.valueOf(c));
        i++;
      }
    }
    return tokens;
  }
}
