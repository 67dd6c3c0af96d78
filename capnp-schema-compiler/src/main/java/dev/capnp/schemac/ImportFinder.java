package dev.capnp.schemac;

import java.util.Set;

/** Collects the names a file imports in types, aliases and annotation names (not in values). */
final class ImportFinder {
  private ImportFinder() {}

  static void find(Declaration decl, Set<String> out) {
    switch (decl.kind) {
      case USING, CONST, FIELD -> find(decl.target, out);
      case INTERFACE -> decl.superclasses.forEach(e -> find(e, out));
      case METHOD -> {
        find(decl.params, out);
        if (decl.results != null) {
          find(decl.results, out);
        }
      }
      default -> { }
    }
    for (Declaration.AnnotationUse use : decl.annotations) {
      find(use.name(), out);
    }
    for (Declaration nested : decl.nested) {
      find(nested, out);
    }
  }

  private static void find(Declaration.ParamList list, Set<String> out) {
    if (list.named() != null) {
      for (Declaration.Param p : list.named()) {
        find(p.type(), out);
        for (Declaration.AnnotationUse use : p.annotations()) {
          find(use.name(), out);
        }
      }
    } else if (list.type() != null) {
      find(list.type(), out);
    } else {
      out.add("/capnp/stream.capnp");
    }
  }

  private static void find(Expression e, Set<String> out) {
    if (e instanceof Expression.Import i) {
      out.add(i.path());
    } else if (e instanceof Expression.ListExpr l) {
      l.elements().forEach(x -> find(x, out));
    } else if (e instanceof Expression.Tuple t) {
      t.params().forEach(p -> find(p.value(), out));
    } else if (e instanceof Expression.Application a) {
      find(a.function(), out);
      a.params().forEach(p -> find(p.value(), out));
    } else if (e instanceof Expression.Member m) {
      find(m.parent(), out);
    }
  }
}
