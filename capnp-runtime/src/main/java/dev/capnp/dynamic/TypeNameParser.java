package dev.capnp.dynamic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses type expressions such as {@code Outer.Inner}, {@code List(Int32)} or
 * {@code Box(Text)} (generic structs with their parameters bound) relative to a scope, as the
 * {@code capnp decode} command line accepts them.
 */
final class TypeNameParser {
  private final SchemaRegistry registry;
  private final long scopeId;
  private final String text;
  private int pos;

  TypeNameParser(SchemaRegistry registry, long scopeId, String text) {
    this.registry = registry;
    this.scopeId = scopeId;
    this.text = text;
  }

  DynamicType parseAll() {
    DynamicType t = type();
    skipSpace();
    if (pos < text.length()) {
      throw error("unexpected '" + text.charAt(pos) + "'");
    }
    return t;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("bad type name '" + text + "' at column " + (pos + 1)
        + ": " + what);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean accept(char c) {
    skipSpace();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private String identifier() {
    skipSpace();
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a name");
    }
    return text.substring(start, pos);
  }

  private DynamicType type() {
    String name = identifier();
    for (DynamicType.Kind kind : DynamicType.Kind.values()) {
      if (kind.schemaName().equals(name) && kind != DynamicType.Kind.ENUM
          && kind != DynamicType.Kind.STRUCT && kind != DynamicType.Kind.INTERFACE) {
        if (kind == DynamicType.Kind.LIST) {
          if (!accept('(')) {
            throw error("List needs an element type: List(T)");
          }
          DynamicType element = type();
          if (!accept(')')) {
            throw error("expected ')'");
          }
          return DynamicType.listOf(element);
        }
        return DynamicType.of(kind);
      }
    }
    StringBuilder path = new StringBuilder(name);
    while (accept('.')) {
      path.append('.').append(identifier());
    }
    long id = registry.findNested(scopeId, path.toString());
    List<DynamicType> params = null;
    if (accept('(')) {
      params = new ArrayList<>();
      do {
        DynamicType p = type();
        if (!p.kind().isPointer()) {
          throw error("only pointer types can be generic parameters, not " + p);
        }
        params.add(p);
      } while (accept(','));
      if (!accept(')')) {
        throw error("expected ')'");
      }
    }
    if (registry.isEnum(id)) {
      if (params != null) {
        throw error(path + " is not generic");
      }
      return DynamicType.enumType(registry.getEnum(id));
    }
    if (!registry.isStruct(id)) {
      throw error(path + " is not a struct or enum");
    }
    int expected = registry.parameterCount(id);
    if (params == null) {
      return DynamicType.struct(registry.getStruct(id));
    }
    if (params.size() != expected) {
      throw error(path + " takes " + expected + " type parameter(s), not " + params.size());
    }
    return DynamicType.struct(registry.structSchema(id, Map.of(id, List.copyOf(params))));
  }
}
