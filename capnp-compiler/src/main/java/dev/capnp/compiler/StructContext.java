package dev.capnp.compiler;

import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.NodeNaming.Param;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the struct and field emitters need to know about the struct or group being generated. */
final class StructContext {
  final Node node;
  final String self;
  final List<Param> chain;
  final List<String> statics = new ArrayList<>();
  final Set<String> staticNames = new HashSet<>();
  /** Per-instance lazily created factories of the Reader / Builder being generated. */
  final List<String> instanceMembers = new ArrayList<>();
  final Set<String> instanceNames = new HashSet<>();

  StructContext(Node node, JavaTypes types, NodeNaming naming) {
    this.node = node;
    this.self = types.className(node.id());
    this.chain = naming.chain(node.id());
  }

  boolean generic() {
    return !chain.isEmpty();
  }

  String readerVars() {
    return join(chain, false);
  }

  String builderVars() {
    return join(chain, true);
  }

  String readerType(String className, List<Param> params) {
    return className + ".Reader" + (params.isEmpty() ? "" : "<" + join(params, false) + ">");
  }

  String builderType(String className, List<Param> params) {
    return className + ".Builder" + (params.isEmpty() ? "" : "<" + join(params, true) + ">");
  }

  String factoryArgs() {
    StringBuilder sb = new StringBuilder();
    for (Param p : chain) {
      sb.append(p.factoryField()).append(", ");
    }
    return sb.toString();
  }

  String diamond() {
    return generic() ? "<>" : "";
  }

  static String join(List<Param> params, boolean builder) {
    StringBuilder sb = new StringBuilder();
    for (Param p : params) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      if (builder) {
        sb.append(p.builderVar()).append(", ");
      }
      sb.append(p.readerVar());
    }
    return sb.toString();
  }
}
