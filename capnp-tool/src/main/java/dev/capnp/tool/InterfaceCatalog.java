package dev.capnp.tool;

import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The interfaces of a compiled schema, for {@code call}: finds an interface by name and a method
 * by name (declared on the interface or inherited from a superclass), with the struct schemas of
 * its parameters and results.
 */
final class InterfaceCatalog {
  private static final ReaderOptions TRUSTED = new ReaderOptions(Long.MAX_VALUE,
      Integer.MAX_VALUE);

  /**
   * A method to call.
   *
   * @param interfaceId the ID of the interface declaring it (sent in the call)
   * @param ordinal the method's number within that interface
   * @param name "Interface.method", for messages
   * @param params the parameter struct
   * @param results the result struct
   */
  record MethodRef(long interfaceId, int ordinal, String name, StructSchema params,
      StructSchema results) {
  }

  private final SchemaRegistry registry;
  private final long fileId;
  private final Map<Long, Schema.Node.Reader> nodes = new HashMap<>();

  private InterfaceCatalog(SchemaRegistry registry, long fileId) {
    this.registry = registry;
    this.fileId = fileId;
  }

  /** The catalog of a {@code CodeGeneratorRequest} (framed) for its first requested file. */
  static InterfaceCatalog of(byte[] codeGeneratorRequest) {
    SchemaRegistry registry =
        SchemaRegistry.fromCodeGeneratorRequest(ByteBuffer.wrap(codeGeneratorRequest));
    if (registry.requestedFiles().isEmpty()) {
      throw new ToolException("capnp compile returned no requested file");
    }
    InterfaceCatalog catalog =
        new InterfaceCatalog(registry, registry.requestedFiles().values().iterator().next());
    Schema.CodeGeneratorRequest.Reader request =
        Serialize.read(ByteBuffer.wrap(codeGeneratorRequest), TRUSTED)
            .getRoot(Schema.CodeGeneratorRequest.FACTORY);
    for (Schema.Node.Reader node : request.getNodes()) {
      catalog.nodes.put(node.getId(), node);
    }
    return catalog;
  }

  /** The ID of the interface called {@code dottedName} in the schema file. */
  long findInterface(String dottedName) {
    long id;
    try {
      id = registry.findNested(fileId, dottedName);
    } catch (IllegalArgumentException e) {
      throw new ToolException("no interface " + dottedName + " in the schema: " + e.getMessage());
    }
    requireInterface(id, dottedName);
    return id;
  }

  private Schema.Node.Reader requireInterface(long id, String what) {
    Schema.Node.Reader node = nodes.get(id);
    if (node == null || !node.isInterface()) {
      throw new ToolException(what + " is not an interface");
    }
    return node;
  }

  /** The method {@code name} of interface {@code interfaceId} or of one of its superclasses. */
  MethodRef findMethod(long interfaceId, String name) {
    Deque<Long> pending = new ArrayDeque<>(List.of(interfaceId));
    Set<Long> seen = new HashSet<>();
    List<String> known = new ArrayList<>();
    while (!pending.isEmpty()) {
      long id = pending.removeFirst();
      if (!seen.add(id)) {
        continue;
      }
      Schema.Node.Reader node = requireInterface(id, displayName(id));
      int ordinal = 0;
      for (Schema.Method.Reader method : node.getInterface().getMethods()) {
        String methodName = method.getName().toString();
        if (methodName.equals(name)) {
          return new MethodRef(id, ordinal, shortName(id) + "." + methodName,
              registry.getStruct(method.getParamStructType()),
              registry.getStruct(method.getResultStructType()));
        }
        known.add(methodName);
        ordinal++;
      }
      for (Schema.Superclass.Reader superclass : node.getInterface().getSuperclasses()) {
        pending.addLast(superclass.getId());
      }
    }
    throw new ToolException(shortName(interfaceId) + " has no method " + name
        + (known.isEmpty() ? "" : " (its methods: " + String.join(", ", known) + ")"));
  }

  /** The interface's name without the file prefix, e.g. {@code Calculator.Value}. */
  String shortName(long id) {
    Schema.Node.Reader node = nodes.get(id);
    if (node == null) {
      return String.format("interface @0x%016x", id);
    }
    String display = node.getDisplayName().toString();
    return display.substring(display.indexOf(':') + 1);
  }

  private String displayName(long id) {
    Schema.Node.Reader node = nodes.get(id);
    return node == null ? String.format("@0x%016x", id) : node.getDisplayName().toString();
  }
}
