package dev.capnp.schemac;

import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.schema.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link SchemaRegistry} over the nodes compiled so far (at least to bootstrap: layouts are
 * known), used to build struct and list values; rebuilt after new nodes are compiled.
 */
final class ValueRegistry {
  private final Workspace workspace;
  private SchemaRegistry registry;
  private final java.util.Map<Long, Schema.Node.Reader> nodes = new java.util.HashMap<>();

  ValueRegistry(Workspace workspace) {
    this.workspace = workspace;
  }

  void invalidate() {
    registry = null;
  }

  /** The type of values of {@code type}, compiling the nodes it needs; null if one failed. */
  DynamicType dynamicType(Schema.Type.Reader type) {
    if (!prepare(type, new HashSet<>())) {
      return null;
    }
    return convert(type);
  }

  /** The compiled node with this id (including groups and parameter structs), or null. */
  Schema.Node.Reader node(long id) {
    registry();
    return nodes.get(id);
  }

  private SchemaRegistry registry() {
    if (registry == null) {
      nodes.clear();
      List<NodeTranslator.Output> outputs = new ArrayList<>();
      for (DeclNode node : workspace.allNodes()) {
        NodeTranslator t = node.translatorIfBootstrapped();
        if (t != null) {
          outputs.addAll(t.outputs());
        }
      }
      MessageBuilder message = new MessageBuilder(1024);
      var request = message.initRoot(Schema.CodeGeneratorRequest.FACTORY);
      var nodes = request.initNodes(outputs.size());
      for (int i = 0; i < outputs.size(); i++) {
        nodes.setWithCaveats(i, outputs.get(i).node().asReader());
        this.nodes.put(outputs.get(i).node().getId(), outputs.get(i).node().asReader());
      }
      request.initRequestedFiles(0);
      registry = SchemaRegistry.fromCodeGeneratorRequest(request.asReader());
    }
    return registry;
  }

  private DynamicType convert(Schema.Type.Reader type) {
    return switch (type.which()) {
      case VOID -> DynamicType.of(DynamicType.Kind.VOID);
      case BOOL -> DynamicType.of(DynamicType.Kind.BOOL);
      case INT8 -> DynamicType.of(DynamicType.Kind.INT8);
      case INT16 -> DynamicType.of(DynamicType.Kind.INT16);
      case INT32 -> DynamicType.of(DynamicType.Kind.INT32);
      case INT64 -> DynamicType.of(DynamicType.Kind.INT64);
      case UINT8 -> DynamicType.of(DynamicType.Kind.UINT8);
      case UINT16 -> DynamicType.of(DynamicType.Kind.UINT16);
      case UINT32 -> DynamicType.of(DynamicType.Kind.UINT32);
      case UINT64 -> DynamicType.of(DynamicType.Kind.UINT64);
      case FLOAT32 -> DynamicType.of(DynamicType.Kind.FLOAT32);
      case FLOAT64 -> DynamicType.of(DynamicType.Kind.FLOAT64);
      case TEXT -> DynamicType.of(DynamicType.Kind.TEXT);
      case DATA -> DynamicType.of(DynamicType.Kind.DATA);
      case LIST -> DynamicType.listOf(convert(type.getList().getElementType()));
      case ENUM -> DynamicType.enumType(registry().getEnum(type.getEnum().getTypeId()));
      case STRUCT -> DynamicType.struct(registry().getStruct(type.getStruct().getTypeId()));
      case INTERFACE -> DynamicType.interfaceType(type.getInterface().getTypeId());
      default -> DynamicType.of(DynamicType.Kind.ANY_POINTER);
    };
  }

  private boolean prepare(Schema.Type.Reader type, Set<Long> seen) {
    switch (type.which()) {
      case LIST:
        return prepare(type.getList().getElementType(), seen);
      case ENUM:
        return prepareNode(type.getEnum().getTypeId(), seen);
      case STRUCT:
        return prepareNode(type.getStruct().getTypeId(), seen);
      default:
        return true;
    }
  }

  private boolean prepareNode(long id, Set<Long> seen) {
    if (!seen.add(id)) {
      return true;
    }
    DeclNode node = workspace.findNode(id);
    if (node == null) {
      return true;
    }
    NodeTranslator t = node.translator(DeclNode.State.BOOTSTRAP);
    if (t == null) {
      return false;
    }
    for (NodeTranslator.Output out : t.outputs()) {
      var n = out.node().asReader();
      if (n.isStruct() && out != null) {
        for (var field : Lists.of(n.getStruct().getFields())) {
          if (field.isSlot() && !prepare(field.getSlot().getType(), seen)) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
