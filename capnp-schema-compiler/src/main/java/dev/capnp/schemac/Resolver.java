package dev.capnp.schemac;

/** Name lookup from one declaration's point of view (C++: {@code Resolver}). */
interface Resolver {
  /** Looks {@code name} up in this scope, its generic parameters, then outer scopes. */
  ResolveResult resolve(String name);

  /** Looks up a member (nested declaration or alias) of this declaration only. */
  ResolveResult resolveMember(String name);

  /** The enclosing declaration, or null for a file or builtin. */
  ResolveResult.Decl parent();

  /** The file declaration. */
  ResolveResult.Decl topScope();

  /** The root of an imported file, or null. */
  ResolveResult.Decl resolveImport(String name);

  /** The declaration with id {@code id} (it must exist). */
  ResolveResult.Decl resolveId(long id);
}
