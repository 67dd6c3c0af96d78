package dev.capnp.schemac;

import dev.capnp.schema.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which {@code capnp compile} lists nodes: the order its schema loader first saw
 * each id. Loading a node first records, as placeholders, the types it refers to that are not
 * known yet (in the order the loader's validation visits them), then the node itself; a
 * placeholder loaded later keeps its place, and placeholders never loaded are not listed.
 * Reproducing it makes the request, and the Java generated from it, byte-identical.
 */
final class LoadOrder {
  private final Map<Long, Schema.Node.Reader> slots = new LinkedHashMap<>();

  /** Loads {@code node} unless already loaded (C++: {@code SchemaLoader::loadOnce}). */
  void loadOnce(Schema.Node.Reader node) {
    long id = node.getId();
    if (slots.get(id) != null) {
      return;
    }
    List<Long> deps = new ArrayList<>();
    dependencies(node, deps);
    for (long dep : deps) {
      slots.putIfAbsent(dep, null);
    }
    slots.put(id, node);
  }

  /** The loaded nodes, in order. */
  List<Schema.Node.Reader> nodes() {
    List<Schema.Node.Reader> out = new ArrayList<>();
    for (Schema.Node.Reader n : slots.values()) {
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  private static void dependencies(Schema.Node.Reader node, List<Long> out) {
    switch (node.which()) {
      case STRUCT -> {
        var struct = node.getStruct();
        for (var field : Lists.of(struct.getFields())) {
          if (field.isSlot()) {
            type(field.getSlot().getType(), out);
          } else if (field.isGroup()) {
            out.add(field.getGroup().getTypeId());
          }
        }
        if (struct.getIsGroup()) {
          out.add(node.getScopeId());
        }
      }
      case INTERFACE -> {
        var iface = node.getInterface();
        for (var superclass : Lists.of(iface.getSuperclasses())) {
          out.add(superclass.getId());
          brand(superclass.getBrand(), out);
        }
        for (var method : Lists.of(iface.getMethods())) {
          out.add(method.getParamStructType());
          brand(method.getParamBrand(), out);
          out.add(method.getResultStructType());
          brand(method.getResultBrand(), out);
        }
      }
      case CONST -> type(node.getConst().getType(), out);
      case ANNOTATION -> type(node.getAnnotation().getType(), out);
      default -> { }
    }
  }

  private static void type(Schema.Type.Reader type, List<Long> out) {
    switch (type.which()) {
      case STRUCT -> {
        out.add(type.getStruct().getTypeId());
        brand(type.getStruct().getBrand(), out);
      }
      case ENUM -> {
        out.add(type.getEnum().getTypeId());
        brand(type.getEnum().getBrand(), out);
      }
      case INTERFACE -> {
        out.add(type.getInterface().getTypeId());
        brand(type.getInterface().getBrand(), out);
      }
      case LIST -> type(type.getList().getElementType(), out);
      default -> { }
    }
  }

  private static void brand(Schema.Brand.Reader brand, List<Long> out) {
    for (var scope : Lists.of(brand.getScopes())) {
      if (scope.isBind()) {
        for (var binding : Lists.of(scope.getBind())) {
          if (binding.isType()) {
            type(binding.getType(), out);
          }
        }
      }
    }
  }
}
