package dev.capnp.schemac;

import dev.capnp.schemac.Declaration.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the names declared in one scope: no duplicates, capitalized type names, lower-case
 * other names, no underscores, and each kind of declaration where it belongs.
 */
final class NameChecker {
  private final Module module;
  private final Map<String, Declaration.Name> names = new HashMap<>();

  NameChecker(Module module) {
    this.module = module;
  }

  private void error(Declaration.Name name, String message) {
    module.error(name.start(), name.end(), message);
  }

  void check(List<Declaration> decls, Kind parentKind) {
    for (Declaration decl : decls) {
      Declaration.Name name = decl.name;
      String text = name.value();
      Declaration.Name previous = names.putIfAbsent(text, name);
      if (previous != null) {
        if (text.isEmpty() && decl.kind == Kind.UNION) {
          error(name, "An unnamed union is already defined in this scope.");
          error(previous, "Previously defined here.");
        } else {
          error(name, "'" + text + "' is already defined in this scope.");
          error(previous, "'" + text + "' previously defined here.");
        }
      }
      checkCase(decl, text, name);
      if (text.indexOf('_') >= 0) {
        error(name, "Cap'n Proto declaration names should use camelCase and must not contain "
            + "underscores. (Code generators may convert names to the appropriate style for the "
            + "target language.)");
      }
      checkPlacement(decl, parentKind);
    }
  }

  private void checkCase(Declaration decl, String text, Declaration.Name name) {
    if (text.isEmpty()) {
      return;
    }
    char first = text.charAt(0);
    boolean lower = first >= 'a' && first <= 'z';
    boolean upper = first >= 'A' && first <= 'Z';
    switch (decl.kind) {
      case USING -> {
        String target = targetName(decl.target);
        boolean targetIsValue = target != null && !target.isEmpty()
            && target.charAt(0) >= 'a' && target.charAt(0) <= 'z';
        if (targetIsValue && !lower) {
          error(name, "Non-type names must begin with a lower-case letter.");
        } else if (!targetIsValue && !upper) {
          error(name, "Type names must begin with a capital letter.");
        }
      }
      case ENUM, STRUCT, INTERFACE -> {
        if (!upper) {
          error(name, "Type names must begin with a capital letter.");
        }
      }
      default -> {
        if (!lower) {
          error(name, "Non-type names must begin with a lower-case letter.");
        }
      }
    }
  }

  private static String targetName(Expression e) {
    if (e instanceof Expression.AbsoluteName a) {
      return a.name();
    } else if (e instanceof Expression.RelativeName r) {
      return r.name();
    } else if (e instanceof Expression.Application app) {
      return targetName(app.function());
    } else if (e instanceof Expression.Member m) {
      return m.name();
    }
    return null;
  }

  private void checkPlacement(Declaration decl, Kind parentKind) {
    switch (decl.kind) {
      case USING, CONST, ENUM, STRUCT, INTERFACE, ANNOTATION -> {
        if (parentKind != Kind.FILE && parentKind != Kind.STRUCT
            && parentKind != Kind.INTERFACE) {
          module.error(decl.start, decl.end, "This kind of declaration doesn't belong here.");
        }
      }
      case ENUMERANT -> {
        if (parentKind != Kind.ENUM) {
          module.error(decl.start, decl.end, "Enumerants can only appear in enums.");
        }
      }
      case METHOD -> {
        if (parentKind != Kind.INTERFACE) {
          module.error(decl.start, decl.end, "Methods can only appear in interfaces.");
        }
      }
      case FIELD, UNION, GROUP -> {
        if (parentKind != Kind.STRUCT && parentKind != Kind.UNION
            && parentKind != Kind.GROUP) {
          module.error(decl.start, decl.end, "This declaration can only appear in structs.");
        }
        if (decl.nameText().isEmpty()) {
          check(decl.nested, decl.kind);
        } else {
          new NameChecker(module).check(decl.nested, decl.kind);
        }
      }
      default -> module.error(decl.start, decl.end,
          "This kind of declaration doesn't belong here.");
    }
  }
}
