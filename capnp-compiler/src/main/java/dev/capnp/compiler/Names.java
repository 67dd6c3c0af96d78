package dev.capnp.compiler;

import java.util.Set;

/** Turns schema names into Java identifiers: case conversion and keyword escaping. */
public final class Names {
  private Names() {}

  private static final Set<String> KEYWORDS = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
      "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
      "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
      "long", "native", "new", "package", "private", "protected", "public", "return", "short",
      "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
      "transient", "try", "void", "volatile", "while", "true", "false", "null", "var", "yield",
      "record", "sealed", "permits", "_");

  /** Methods of {@code java.lang.Object} a generated method must not clash with. */
  private static final Set<String> OBJECT_METHODS = Set.of(
      "getClass", "hashCode", "equals", "toString", "notify", "notifyAll", "wait", "clone",
      "finalize");

  /**
   * Escapes a Java keyword or literal with a trailing underscore.
   *
   * @param name a Cap'n Proto identifier
   * @return {@code name}, with a trailing underscore if it is a Java keyword or literal
   */
  public static String escape(String name) {
    return KEYWORDS.contains(name) ? name + "_" : name;
  }

  /**
   * A method name: keywords and {@code Object} method names get a trailing underscore.
   *
   * @param name a Cap'n Proto method name
   * @return the Java method name
   */
  public static String method(String name) {
    return KEYWORDS.contains(name) || OBJECT_METHODS.contains(name) ? name + "_" : name;
  }

  /**
   * {@code fooBar} -> {@code FooBar}.
   *
   * @param name a Cap'n Proto identifier in camel case
   * @return {@code name} with its first letter in upper case
   */
  public static String upperCamel(String name) {
    if (name.isEmpty()) {
      return name;
    }
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  /**
   * {@code FooBar} -> {@code fooBar}.
   *
   * @param name an identifier in camel case
   * @return {@code name} with its first letter in lower case
   */
  public static String lowerCamel(String name) {
    if (name.isEmpty()) {
      return name;
    }
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  /**
   * {@code fooBarBaz} / {@code FooBAR2x} -> {@code FOO_BAR_BAZ} / {@code FOO_BAR2X}.
   *
   * @param name an identifier in camel case
   * @return {@code name} in upper snake case
   */
  public static String upperSnake(String name) {
    StringBuilder sb = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        char prev = name.charAt(i - 1);
        boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
        if (Character.isLowerCase(prev) || Character.isDigit(prev)
            || (Character.isUpperCase(prev) && nextLower)) {
          sb.append('_');
        }
      }
      if (c == '_' || c == '-' || c == '.') {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
          sb.append('_');
        }
        continue;
      }
      sb.append(Character.toUpperCase(c));
    }
    return sb.toString();
  }

  /**
   * The outer class name for a schema file: {@code foo/rpc-twoparty.capnp} -> {@code RpcTwoparty}.
   *
   * @param filename the schema file name, with or without directories
   * @return the simple name of the outer Java class
   */
  public static String outerClassForFile(String filename) {
    String base = filename.substring(filename.lastIndexOf('/') + 1);
    if (base.endsWith(".capnp")) {
      base = base.substring(0, base.length() - ".capnp".length());
    }
    StringBuilder sb = new StringBuilder();
    boolean upper = true;
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        upper = true;
        continue;
      }
      sb.append(upper ? Character.toUpperCase(c) : c);
      upper = false;
    }
    if (sb.length() == 0 || !Character.isJavaIdentifierStart(sb.charAt(0))) {
      sb.insert(0, '_');
    }
    return sb.toString();
  }
}
