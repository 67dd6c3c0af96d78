package dev.capnp.dynamic;

import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schema nodes loaded from a {@code CodeGeneratorRequest} (as written by {@code capnp compile
 * -o-}) or from generated {@link SchemaFile}s, with lookup by id and by name, and resolution of
 * types (including generic brands) into {@link StructSchema}s, {@link EnumSchema}s and
 * {@link DynamicType}s.
 */
public final class SchemaRegistry {
  /** Schema messages are trusted: no traversal or nesting limits. */
  static final ReaderOptions TRUSTED = new ReaderOptions(Long.MAX_VALUE, Integer.MAX_VALUE);

  private final Map<Long, RawStruct> nodes;
  private final Map<String, Long> requestedFiles;
  private final Map<StructKey, StructSchema> structs = new ConcurrentHashMap<>();
  private final Map<Long, EnumSchema> enums = new ConcurrentHashMap<>();

  private record StructKey(long id, Map<Long, List<DynamicType>> bindings) {}

  private SchemaRegistry(Map<Long, RawStruct> nodes, Map<String, Long> requestedFiles) {
    this.nodes = nodes;
    this.requestedFiles = requestedFiles;
  }

  /**
   * Loads a framed (standard serialization) {@code CodeGeneratorRequest} message.
   *
   * @param framedMessage the request in standard framing
   * @return a registry holding the request's nodes
   */
  public static SchemaRegistry fromCodeGeneratorRequest(ByteBuffer framedMessage) {
    MessageReader message = Serialize.read(framedMessage, TRUSTED);
    return fromCodeGeneratorRequest(message.getRoot(RawStruct.FACTORY));
  }

  /**
   * Loads the nodes of a {@code CodeGeneratorRequest} reader (any reader of that struct, such as
   * a generated {@code Schema.CodeGeneratorRequest.Reader}).
   *
   * @param request a reader of the {@code CodeGeneratorRequest} struct
   * @return a registry holding the request's nodes
   */
  public static SchemaRegistry fromCodeGeneratorRequest(StructReader request) {
    Map<Long, RawStruct> nodes = new HashMap<>();
    Map<String, Long> files = new LinkedHashMap<>();
    addRequest(new RawStruct(request), nodes, files);
    return new SchemaRegistry(nodes, files);
  }

  /**
   * The registry of a generated schema file and (transitively) the files it imports.
   *
   * @param file the generated file's {@code SCHEMA}
   * @return the registry of a generated schema file and (transitively) the files it imports
   */
  public static SchemaRegistry of(SchemaFile file) {
    return file.registry();
  }

  static SchemaRegistry load(SchemaFile root) {
    Map<Long, RawStruct> nodes = new HashMap<>();
    Map<String, Long> files = new LinkedHashMap<>();
    List<SchemaFile> pending = new ArrayList<>(List.of(root));
    java.util.Set<SchemaFile> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    while (!pending.isEmpty()) {
      SchemaFile f = pending.remove(pending.size() - 1);
      if (!seen.add(f)) {
        continue;
      }
      MessageReader message = Serialize.read(ByteBuffer.wrap(f.encodedNodes()), TRUSTED);
      addRequest(message.getRoot(RawStruct.FACTORY), nodes, files);
      pending.addAll(f.imports());
    }
    return new SchemaRegistry(nodes, files);
  }

  private static void addRequest(RawStruct request, Map<Long, RawStruct> nodes,
      Map<String, Long> files) {
    for (RawStruct node : request.list(0)) {
      nodes.put(node.i64(0), node);
    }
    for (RawStruct file : request.list(1)) {
      files.put(file.text(0), file.i64(0));
    }
  }

  /**
   * Ids of the files named in the request's {@code requestedFiles}, by file name.
   *
   * @return the file ids, keyed by file name
   */
  public Map<String, Long> requestedFiles() {
    return Collections.unmodifiableMap(requestedFiles);
  }

  /**
   * Whether a node with this id is loaded.
   *
   * @param id the node id
   * @return {@code true} if a node with this id is loaded
   */
  public boolean contains(long id) {
    return nodes.containsKey(id);
  }

  private RawStruct node(long id) {
    RawStruct n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException(String.format("no schema node with id 0x%016x", id));
    }
    return n;
  }

  /** Node kind: 0 file, 1 struct, 2 enum, 3 interface, 4 const, 5 annotation. */
  int nodeKind(long id) {
    return node(id).u16(6);
  }

  /**
   * Whether the node with this id is a struct.
   *
   * @param id the node id
   * @return {@code true} if the node with this id is a struct
   */
  public boolean isStruct(long id) {
    return nodeKind(id) == 1;
  }

  /**
   * Whether the node with this id is an enum.
   *
   * @param id the node id
   * @return {@code true} if the node with this id is an enum
   */
  public boolean isEnum(long id) {
    return nodeKind(id) == 2;
  }

  /**
   * Whether the node with this id is a constant.
   *
   * @param id the node id
   * @return {@code true} if the node with this id is a constant
   */
  public boolean isConst(long id) {
    return nodeKind(id) == 4;
  }

  /**
   * The id of the node called {@code name} directly inside {@code scopeId}, if any.
   *
   * @param scopeId the id of the enclosing node
   * @param name the simple name of the nested node
   * @return the id of the node called {@code name} directly inside {@code scopeId}, if any
   */
  public java.util.OptionalLong lookupNested(long scopeId, String name) {
    for (RawStruct nested : node(scopeId).list(1)) {
      if (nested.text(0).equals(name)) {
        return java.util.OptionalLong.of(nested.i64(0));
      }
    }
    return java.util.OptionalLong.empty();
  }

  /**
   * The type of a constant.
   *
   * @param id the node id
   * @return the type of a constant
   */
  public DynamicType constType(long id) {
    RawStruct n = node(id);
    if (n.u16(6) != 4) {
      throw new IllegalArgumentException(n.text(0) + " is not a constant");
    }
    return resolveType(n.struct(3), Map.of());
  }

  /**
   * The value of a constant, with the Java types described in {@link DynamicValue}.
   *
   * @param id the node id
   * @return the value of a constant, with the Java types described in {@link DynamicValue}
   */
  public Object constValue(long id) {
    DynamicType type = constType(id);
    RawStruct v = node(id).struct(4);
    return switch (type.kind()) {
      case VOID -> DynamicValue.VOID;
      case BOOL -> v.bool(16);
      case INT8, UINT8 -> v.i8(2);
      case INT16, UINT16 -> v.i16(1);
      case INT32, UINT32 -> v.i32(1);
      case INT64, UINT64 -> v.i64(1);
      case FLOAT32 -> Float.intBitsToFloat(v.i32(1));
      case FLOAT64 -> Double.longBitsToDouble(v.i64(1));
      case ENUM -> new DynamicEnum(type.enumSchema(), v.u16(1));
      default -> v.pointer(DynamicStruct.pointerFactory(type), 0);
    };
  }

  /**
   * The display name of a node.
   *
   * @param id the node id
   * @return the display name of a node
   */
  public String displayName(long id) {
    return node(id).text(0);
  }

  /**
   * Finds a node by a dotted path of nested names ({@code Outer.Inner}) starting at
   * {@code scopeId} (usually a file id); returns its id or throws if absent.
   *
   * @param scopeId the id of the node to start at
   * @param dottedName the nested names, separated by dots
   * @return the found node's id
   */
  public long findNested(long scopeId, String dottedName) {
    long current = scopeId;
    for (String part : dottedName.split("\\.", -1)) {
      long next = 0;
      boolean found = false;
      for (RawStruct nested : node(current).list(1)) {
        if (nested.text(0).equals(part)) {
          next = nested.i64(0);
          found = true;
          break;
        }
      }
      if (!found) {
        throw new IllegalArgumentException("no type named '" + part + "' in "
            + node(current).text(0));
      }
      current = next;
    }
    return current;
  }

  /**
   * Resolves a struct type expression relative to {@code scopeId} (usually a file id): a dotted
   * name such as {@code Outer.Inner}, optionally with generic parameters bound, such as
   * {@code Box(Text)} or {@code Pair(Text, List(Int32))}.
   *
   * @param scopeId the id of the node names are resolved in
   * @param typeExpression the type expression
   * @return the struct type, with its parameters bound if given
   * @throws IllegalArgumentException if the name is malformed, unknown or not a struct
   */
  public StructSchema findStruct(long scopeId, String typeExpression) {
    DynamicType type = new TypeNameParser(this, scopeId, typeExpression).parseAll();
    if (type.kind() != DynamicType.Kind.STRUCT) {
      throw new IllegalArgumentException("'" + typeExpression + "' is not a struct type");
    }
    return type.structSchema();
  }

  /** Number of generic parameters the node declares. */
  int parameterCount(long id) {
    return node(id).isNull(5) ? 0 : node(id).list(5).size();
  }

  /**
   * The struct with this id, generic parameters unbound.
   *
   * @param id the node id
   * @return the struct with this id, generic parameters unbound
   */
  public StructSchema getStruct(long id) {
    return structSchema(id, Map.of());
  }

  /**
   * The enum with this id.
   *
   * @param id the node id
   * @return the enum with this id
   */
  public EnumSchema getEnum(long id) {
    return enums.computeIfAbsent(id, k -> {
      RawStruct n = node(k);
      if (n.u16(6) != 2) {
        throw new IllegalArgumentException(n.text(0) + " is not an enum");
      }
      List<String> names = new ArrayList<>();
      for (RawStruct e : n.list(3)) {
        names.add(e.text(0));
      }
      return new EnumSchema(k, n.text(0), n.i32(2), names);
    });
  }

  StructSchema structSchema(long id, Map<Long, List<DynamicType>> bindings) {
    StructKey key = new StructKey(id, bindings);
    StructSchema s = structs.get(key);
    if (s == null) {
      RawStruct n = node(id);
      if (n.u16(6) != 1) {
        throw new IllegalArgumentException(n.text(0) + " is not a struct");
      }
      s = structs.computeIfAbsent(key, k -> new StructSchema(this, n, bindings));
    }
    return s;
  }

  /** Resolves a {@code schema.capnp Type} in the context of the given parameter bindings. */
  DynamicType resolveType(RawStruct type, Map<Long, List<DynamicType>> context) {
    int which = type.u16(0);
    DynamicType.Kind kind = DynamicType.Kind.values()[Math.min(which, 18)];
    return switch (kind) {
      case LIST -> DynamicType.listOf(resolveType(type.struct(0), context));
      case ENUM -> DynamicType.enumType(getEnum(type.i64(1)));
      case STRUCT -> DynamicType.struct(
          structSchema(type.i64(1), resolveBrand(type.struct(0), context)));
      case INTERFACE -> DynamicType.interfaceType(type.i64(1));
      case ANY_POINTER -> {
        if (type.u16(4) == 1) { // parameter
          List<DynamicType> bound = context.get(type.i64(2));
          int index = type.u16(5);
          if (bound != null && index < bound.size() && bound.get(index) != null) {
            yield bound.get(index);
          }
        }
        yield DynamicType.of(DynamicType.Kind.ANY_POINTER);
      }
      default -> DynamicType.of(kind);
    };
  }

  private Map<Long, List<DynamicType>> resolveBrand(RawStruct brand,
      Map<Long, List<DynamicType>> context) {
    if (brand.isNull(0)) {
      return Map.of();
    }
    Map<Long, List<DynamicType>> result = new HashMap<>();
    for (RawStruct scope : brand.list(0)) {
      long scopeId = scope.i64(0);
      if (scope.u16(4) == 1) { // inherit
        List<DynamicType> inherited = context.get(scopeId);
        if (inherited != null) {
          result.put(scopeId, inherited);
        }
      } else {
        List<DynamicType> bound = new ArrayList<>();
        for (RawStruct binding : scope.list(0)) {
          bound.add(binding.u16(0) == 1 ? resolveType(binding.struct(0), context) : null);
        }
        result.put(scopeId, Collections.unmodifiableList(bound));
      }
    }
    return result.isEmpty() ? Map.of() : Map.copyOf(result);
  }
}
