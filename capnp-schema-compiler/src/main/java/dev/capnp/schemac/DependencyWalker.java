package dev.capnp.schemac;

import dev.capnp.runtime.StructList;
import dev.capnp.schema.Schema;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which nodes go into the request, as the C++ compiler does: every node of a requested
 * file, plus, transitively, the nodes they depend on (field, parameter, constant and annotation
 * types, superclasses, annotations) and the lexical parents of those, but not their children.
 */
final class DependencyWalker {
  static final int NODE = 1;
  static final int PARENTS = 1 << 1;
  static final int CHILDREN = 1 << 2;
  static final int DEPENDENCIES = NODE << 15;
  static final int DEPENDENCY_PARENTS = PARENTS * DEPENDENCIES;
  /** What {@code capnp compile} asks for each file named on its command line. */
  static final int DEFAULT = NODE | CHILDREN | DEPENDENCIES | DEPENDENCY_PARENTS;

  private final Workspace workspace;
  final LoadOrder loadOrder = new LoadOrder();
  final Map<Long, Schema.Node.SourceInfo.Reader> sourceInfo = new LinkedHashMap<>();

  DependencyWalker(Workspace workspace) {
    this.workspace = workspace;
  }

  /** Walks from a requested file's node. */
  void walkFile(DeclNode root) {
    traverse(root, DEFAULT, new HashMap<>());
  }

  private void traverse(DeclNode node, int eagerness, Map<DeclNode, Integer> seen) {
    int slot = seen.getOrDefault(node, 0);
    if ((slot & eagerness) == eagerness) {
      return;
    }
    seen.put(node, slot | eagerness);
    NodeTranslator translator = node.translator(DeclNode.State.FINISHED);
    if (translator != null) {
      List<NodeTranslator.Output> outputs = translator.outputs();
      for (NodeTranslator.Output aux : outputs.subList(1, outputs.size())) {
        loadOrder.loadOnce(aux.node().asReader());
      }
      loadOrder.loadOnce(translator.main.node().asReader());
      if (eagerness / DEPENDENCIES != 0) {
        int next = (eagerness & ~(DEPENDENCIES - 1)) | (eagerness / DEPENDENCIES);
        for (NodeTranslator.Output out : translator.outputs()) {
          dependencies(out.node().asReader(), next, seen);
        }
      }
      for (NodeTranslator.Output out : translator.outputs()) {
        Schema.Node.SourceInfo.Reader info = out.sourceInfo().asReader();
        sourceInfo.putIfAbsent(info.getId(), info);
      }
    }
    if ((eagerness & PARENTS) != 0 && node.parent != null) {
      traverse(node.parent, eagerness, seen);
    }
    if ((eagerness & CHILDREN) != 0 && node.advanceTo(DeclNode.State.EXPANDED)) {
      for (DeclNode child : node.orderedNested) {
        traverse(child, eagerness, seen);
      }
      for (Alias alias : node.aliases.values()) {
        alias.compile();
      }
    }
  }

  private void dependencies(Schema.Node.Reader node, int eagerness, Map<DeclNode, Integer> seen) {
    switch (node.which()) {
      case STRUCT -> {
        for (var field : Lists.of(node.getStruct().getFields())) {
          if (field.isSlot()) {
            type(field.getSlot().getType(), eagerness, seen);
          }
          annotations(field.getAnnotations(), eagerness, seen);
        }
      }
      case ENUM -> {
        for (var enumerant : Lists.of(node.getEnum().getEnumerants())) {
          annotations(enumerant.getAnnotations(), eagerness, seen);
        }
      }
      case INTERFACE -> {
        var iface = node.getInterface();
        for (var superclass : Lists.of(iface.getSuperclasses())) {
          if (superclass.getId() != 0) {
            dependency(superclass.getId(), eagerness, seen);
          }
          brand(superclass.getBrand(), eagerness, seen);
        }
        for (var method : Lists.of(iface.getMethods())) {
          dependency(method.getParamStructType(), eagerness, seen);
          brand(method.getParamBrand(), eagerness, seen);
          dependency(method.getResultStructType(), eagerness, seen);
          brand(method.getResultBrand(), eagerness, seen);
          annotations(method.getAnnotations(), eagerness, seen);
        }
      }
      case CONST -> type(node.getConst().getType(), eagerness, seen);
      case ANNOTATION -> type(node.getAnnotation().getType(), eagerness, seen);
      default -> { }
    }
    annotations(node.getAnnotations(), eagerness, seen);
  }

  private void type(Schema.Type.Reader type, int eagerness, Map<DeclNode, Integer> seen) {
    switch (type.which()) {
      case STRUCT -> {
        dependency(type.getStruct().getTypeId(), eagerness, seen);
        brand(type.getStruct().getBrand(), eagerness, seen);
      }
      case ENUM -> {
        dependency(type.getEnum().getTypeId(), eagerness, seen);
        brand(type.getEnum().getBrand(), eagerness, seen);
      }
      case INTERFACE -> {
        dependency(type.getInterface().getTypeId(), eagerness, seen);
        brand(type.getInterface().getBrand(), eagerness, seen);
      }
      case LIST -> type(type.getList().getElementType(), eagerness, seen);
      default -> { }
    }
  }

  private void brand(Schema.Brand.Reader brand, int eagerness, Map<DeclNode, Integer> seen) {
    for (var scope : Lists.of(brand.getScopes())) {
      if (scope.isBind()) {
        for (var binding : Lists.of(scope.getBind())) {
          if (binding.isType()) {
            type(binding.getType(), eagerness, seen);
          }
        }
      }
    }
  }

  private void dependency(long id, int eagerness, Map<DeclNode, Integer> seen) {
    DeclNode node = workspace.findNode(id);
    if (node != null) {
      traverse(node, eagerness, seen);
    }
  }

  private void annotations(StructList.Reader<Schema.Annotation.Reader> annotations,
      int eagerness, Map<DeclNode, Integer> seen) {
    for (var annotation : Lists.of(annotations)) {
      dependency(annotation.getId(), eagerness, seen);
    }
  }
}
