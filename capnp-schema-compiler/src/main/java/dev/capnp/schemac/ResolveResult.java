package dev.capnp.schemac;

import dev.capnp.schema.Schema;

/** What a name resolves to: a declaration (maybe branded by an alias) or a generic parameter. */
sealed interface ResolveResult {

  /**
   * A declaration: a schema node or a builtin. {@code scopeId} is the id of its lexical parent
   * (0 for files and builtins); {@code brand} is non-null when it came through an alias whose
   * target had generic arguments.
   */
  record Decl(long id, int genericParamCount, long scopeId, Declaration.Kind kind,
      Builtin builtin, DeclNode node, Schema.Brand.Reader brand) implements ResolveResult {

    Decl withBrand(long newScopeId, Schema.Brand.Reader newBrand) {
      return new Decl(id, genericParamCount, newScopeId, kind, builtin, node, newBrand);
    }

    static Decl of(Builtin b) {
      return new Decl(b.pseudoId(), b.parameterCount(), 0, null, b, null, null);
    }
  }

  /** Generic parameter {@code index} of scope {@code id} (0: an implicit method parameter). */
  record Parameter(long id, int index) implements ResolveResult {}
}
