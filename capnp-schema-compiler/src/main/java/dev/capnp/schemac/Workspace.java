package dev.capnp.schemac;

import java.util.HashMap;
import java.util.Map;

/** State shared by one compilation: the nodes by id, the module loader and the errors. */
final class Workspace {
  final ModuleLoader loader;
  final ErrorReporter errors;
  private final Map<Long, DeclNode> nodesById = new HashMap<>();
  private long nextBogusId = 1000;
  private ValueRegistry valueRegistry;

  Workspace(ModuleLoader loader, ErrorReporter errors) {
    this.loader = loader;
    this.errors = errors;
  }

  /** Registers a node under {@code desiredId}, reporting a duplicate id; returns its id. */
  long addNode(long desiredId, DeclNode node) {
    while (true) {
      DeclNode existing = nodesById.putIfAbsent(desiredId, node);
      if (existing == null) {
        return desiredId;
      }
      if (desiredId < 0) {
        node.addError("Duplicate ID @0x" + Long.toHexString(desiredId) + ".");
        existing.addError("ID @0x" + Long.toHexString(desiredId) + " originally used here.");
      }
      desiredId = nextBogusId++;
    }
  }

  java.util.Collection<DeclNode> allNodes() {
    return nodesById.values();
  }

  DeclNode findNode(long id) {
    return nodesById.get(id);
  }

  ValueRegistry valueRegistry() {
    if (valueRegistry == null) {
      valueRegistry = new ValueRegistry(this);
    }
    return valueRegistry;
  }
}
