package dev.capnp.compiler;

import java.util.List;
import java.util.Map;

/**
 * The parts of a {@code CodeGeneratorRequest} the generator uses, as plain immutable values.
 *
 * <p>Keeping the generator independent of how the request was decoded lets the request be read
 * through the generated {@code dev.capnp.schema} classes while still being easy to test.
 */
final class Model {
  private Model() {}

  /** Type and value kinds; ordinals equal the union tags of {@code Type} and {@code Value}. */
  enum Kind {
    VOID, BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT32, FLOAT64,
    TEXT, DATA, LIST, ENUM, STRUCT, INTERFACE, ANY_POINTER;

    static Kind ofTag(int tag) {
      Kind[] all = values();
      if (tag < 0 || tag >= all.length) {
        throw new IllegalArgumentException("unknown type/value kind " + tag);
      }
      return all[tag];
    }

    boolean isPointer() {
      return ordinal() >= TEXT.ordinal() && this != ENUM;
    }
  }

  /** Node kinds (union tags of {@code Node}). */
  enum NodeKind { FILE, STRUCT, ENUM, INTERFACE, CONST, ANNOTATION }

  /** The whole request. */
  record Request(Map<Long, Node> nodes, List<RequestedFile> requestedFiles,
      Map<Long, SourceInfo> sourceInfo, NodeEncoder encoder) {
    Node node(long id) {
      Node n = nodes.get(id);
      if (n == null) {
        throw new IllegalArgumentException(
            "CodeGeneratorRequest refers to unknown node @0x" + Long.toHexString(id));
      }
      return n;
    }
  }

  /** Encodes nodes of the request as a {@code CodeGeneratorRequest} holding only them. */
  interface NodeEncoder {
    /** The message in standard framing. */
    byte[] encode(List<Long> nodeIds);
  }

  /** A file the schema compiler asked us to generate. */
  record RequestedFile(long id, String filename, List<Import> imports) {}

  /** One import of a requested file. */
  record Import(long id, String name) {}

  /** Doc comments of a node and of its members (fields, enumerants or methods, by index). */
  record SourceInfo(String docComment, List<String> memberDocs) {
    String memberDoc(int index) {
      return index < memberDocs.size() ? memberDocs.get(index) : null;
    }
  }

  /** A schema node; the kind-specific parts are null/empty for other kinds. */
  record Node(long id, String displayName, int displayNamePrefixLength, long scopeId,
      List<NestedNode> nestedNodes, List<Annotation> annotations, List<String> parameters,
      NodeKind kind, StructInfo struct, List<String> enumerants, List<Method> methods,
      List<Superclass> superclasses, Type constType, Value constValue) {
    String shortName() {
      return displayName.substring(displayNamePrefixLength);
    }
  }

  /** A named child of a node. */
  record NestedNode(String name, long id) {}

  /** Layout and members of a struct or group. */
  record StructInfo(int dataWordCount, int pointerCount, boolean isGroup, int discriminantCount,
      int discriminantOffset, List<Field> fields) {}

  /** A struct field: a slot or a group. */
  record Field(String name, int index, int codeOrder, int discriminantValue, boolean isGroup,
      long groupId, int offset, Type type, Value defaultValue, boolean hadExplicitDefault) {
    static final int NO_DISCRIMINANT = 0xffff;

    boolean inUnion() {
      return discriminantValue != NO_DISCRIMINANT;
    }
  }

  /** An interface method. */
  record Method(String name, int index, long paramStructType, Brand paramBrand,
      long resultStructType, Brand resultBrand, List<String> implicitParameters) {}

  /** A superclass of an interface, with the brand binding its generic parameters. */
  record Superclass(long id, Brand brand) {}

  /** What an {@code AnyPointer} type is. */
  enum AnyPointerKind { UNCONSTRAINED, PARAMETER, IMPLICIT_METHOD_PARAMETER }

  /**
   * A type; {@code elementType} for lists, {@code typeId}/{@code brand} for named types. For an
   * unconstrained AnyPointer, {@code typeId} holds the unconstrained kind (0 any, 1 struct,
   * 2 list, 3 capability).
   */
  record Type(Kind kind, Type elementType, long typeId, Brand brand, AnyPointerKind anyKind,
      long parameterScopeId, int parameterIndex) {
    static Type primitive(Kind kind) {
      return new Type(kind, null, 0, null, null, 0, 0);
    }
  }

  /** Generic parameter bindings of a type reference. */
  record Brand(List<Scope> scopes) {
    static final Brand EMPTY = new Brand(List.of());

    Scope scope(long scopeId) {
      for (Scope s : scopes) {
        if (s.scopeId() == scopeId) {
          return s;
        }
      }
      return null;
    }
  }

  /** The bindings of one generic scope; {@code bindings} entries are null when unbound. */
  record Scope(long scopeId, boolean inherit, List<Type> bindings) {}

  /**
   * A value: {@code bits} holds primitives (raw bits), {@code text} Text values, and
   * {@code pointerWords} a pointer value copied into one segment whose word 0 is the root pointer
   * (null when the pointer is null).
   */
  record Value(Kind kind, long bits, String text, long[] pointerWords) {}

  /** An annotation application. */
  record Annotation(long id, Value value) {}
}
