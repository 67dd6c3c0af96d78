package dev.capnp.schemac;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A declaration that becomes a schema node (file, struct, enum, interface, const, annotation):
 * its id, display name and nested scopes, compiled to a node on demand (C++:
 * {@code Compiler::Node}).
 */
final class DeclNode implements Resolver {
  /** How far compilation has got. */
  enum State { STUB, EXPANDED, BOOTSTRAP, FINISHED }

  final Workspace workspace;
  final Module module;
  final DeclNode parent;
  final Declaration decl;
  final long id;
  final String displayName;
  final int genericParamCount;
  private final int startByte;
  private final int endByte;

  private State state = State.STUB;
  private boolean inProgress;
  private final Map<String, DeclNode> nestedByName = new HashMap<>();
  final List<DeclNode> orderedNested = new ArrayList<>();
  final Map<String, Alias> aliases = new LinkedHashMap<>();
  private NodeTranslator translator;

  DeclNode(Workspace workspace, Module module, DeclNode parent, Declaration decl) {
    this.workspace = workspace;
    this.module = module;
    this.parent = parent;
    this.decl = decl;
    long desired = decl.hasUid() ? decl.uid
        : TypeIds.childId(parent == null ? 0 : parent.id, decl.nameText());
    this.displayName = parent == null ? module.file().name()
        : parent.displayName + (parent.parent == null ? ":" : ".") + decl.nameText();
    this.genericParamCount = decl.parameters.size();
    if (!decl.nameText().isEmpty()) {
      startByte = decl.name.start();
      endByte = decl.name.end();
    } else {
      startByte = decl.start;
      endByte = decl.end;
    }
    this.id = workspace.addNode(desired, this);
  }

  Declaration.Kind kind() {
    return decl.kind;
  }

  void addError(String message) {
    module.error(startByte, endByte, message);
  }

  ResolveResult.Decl asDecl() {
    return new ResolveResult.Decl(id, genericParamCount, parent == null ? 0 : parent.id,
        decl.kind, null, this, null);
  }

  /** Compiles up to {@code minimum}; false after a recursion error. */
  boolean advanceTo(State minimum) {
    if (state.compareTo(minimum) >= 0) {
      return true;
    }
    if (inProgress) {
      addError("Declaration recursively depends on itself.");
      return false;
    }
    inProgress = true;
    try {
      if (state == State.STUB) {
        expand();
        state = State.EXPANDED;
      }
      if (minimum.compareTo(State.EXPANDED) <= 0) {
        return true;
      }
      if (state == State.EXPANDED) {
        translator = new NodeTranslator(this);
        translator.bootstrap();
        state = State.BOOTSTRAP;
        workspace.valueRegistry().invalidate();
      }
      if (minimum.compareTo(State.BOOTSTRAP) <= 0) {
        return true;
      }
      if (state == State.BOOTSTRAP) {
        state = State.FINISHED;
        translator.finish();
      }
      return true;
    } finally {
      inProgress = false;
    }
  }

  private void expand() {
    for (Declaration nested : decl.nested) {
      switch (nested.kind) {
        case CONST, ANNOTATION, ENUM, STRUCT, INTERFACE, FILE -> {
          DeclNode child = new DeclNode(workspace, module, this, nested);
          orderedNested.add(child);
          nestedByName.putIfAbsent(nested.nameText(), child);
        }
        case USING -> aliases.putIfAbsent(nested.nameText(), new Alias(this, nested.target));
        default -> { }
      }
    }
  }

  /** The translated node (bootstrap or final), or null when compilation failed. */
  NodeTranslator translator(State minimum) {
    return advanceTo(minimum) ? translator : null;
  }

  /** The translator if this node is compiled at least to bootstrap, else null. */
  NodeTranslator translatorIfBootstrapped() {
    return state.compareTo(State.BOOTSTRAP) >= 0 ? translator : null;
  }

  // ---- Resolver ----

  @Override
  public ResolveResult resolve(String name) {
    ResolveResult member = resolveMember(name);
    if (member != null) {
      return member;
    }
    for (int i = 0; i < decl.parameters.size(); i++) {
      if (decl.parameters.get(i).value().equals(name)) {
        return new ResolveResult.Parameter(id, i);
      }
    }
    if (parent != null) {
      return parent.resolve(name);
    }
    Builtin b = Builtin.named(name);
    return b == null ? null : ResolveResult.Decl.of(b);
  }

  @Override
  public ResolveResult resolveMember(String name) {
    if (!advanceTo(State.EXPANDED)) {
      return null;
    }
    DeclNode node = nestedByName.get(name);
    if (node != null) {
      return node.asDecl();
    }
    Alias alias = aliases.get(name);
    return alias == null ? null : alias.compile();
  }

  @Override
  public ResolveResult.Decl parent() {
    return parent == null ? null : parent.asDecl();
  }

  @Override
  public ResolveResult.Decl topScope() {
    DeclNode root = module.rootNode(workspace);
    return new ResolveResult.Decl(root.id, 0, 0, root.decl.kind, null, root, null);
  }

  @Override
  public ResolveResult.Decl resolveImport(String name) {
    Module imported = module.importRelative(name);
    if (imported == null) {
      return null;
    }
    DeclNode root = imported.rootNode(workspace);
    return new ResolveResult.Decl(root.id, 0, 0, root.decl.kind, null, root, null);
  }

  @Override
  public ResolveResult.Decl resolveId(long typeId) {
    DeclNode node = workspace.findNode(typeId);
    if (node == null) {
      throw new IllegalStateException("unknown id " + Long.toHexString(typeId));
    }
    return node.asDecl();
  }
}
