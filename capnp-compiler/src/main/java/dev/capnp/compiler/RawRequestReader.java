package dev.capnp.compiler;

import dev.capnp.compiler.Model.Annotation;
import dev.capnp.compiler.Model.AnyPointerKind;
import dev.capnp.compiler.Model.Brand;
import dev.capnp.compiler.Model.Field;
import dev.capnp.compiler.Model.Import;
import dev.capnp.compiler.Model.Kind;
import dev.capnp.compiler.Model.Method;
import dev.capnp.compiler.Model.NestedNode;
import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.Model.NodeKind;
import dev.capnp.compiler.Model.Request;
import dev.capnp.compiler.Model.RequestedFile;
import dev.capnp.compiler.Model.Scope;
import dev.capnp.compiler.Model.SourceInfo;
import dev.capnp.compiler.Model.StructInfo;
import dev.capnp.compiler.Model.Type;
import dev.capnp.compiler.Model.Value;
import dev.capnp.compiler.RawMessage.Struct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a {@code CodeGeneratorRequest} into the {@link Model} straight from the wire layout of
 * {@code schema.capnp} (offsets as printed by {@code capnp compile -ocapnp schema.capnp}).
 */
final class RawRequestReader {
  private RawRequestReader() {}

  /** Reads the request from its bytes in standard framing. */
  static Request read(byte[] bytes) {
    RawMessage msg = RawMessage.parse(bytes);
    Struct root = msg.root();
    Map<Long, Node> nodes = new LinkedHashMap<>();
    Map<Long, Struct> raw = new LinkedHashMap<>();
    for (Struct n : root.structList(0)) {
      Node node = node(n);
      nodes.put(node.id(), node);
      raw.put(node.id(), n);
    }
    List<RequestedFile> files = new ArrayList<>();
    for (Struct f : root.structList(1)) {
      List<Import> imports = new ArrayList<>();
      for (Struct i : f.structList(1)) {
        imports.add(new Import(i.u64(0), i.text(0)));
      }
      files.add(new RequestedFile(f.u64(0), f.text(0), imports));
    }
    Map<Long, SourceInfo> info = new LinkedHashMap<>();
    for (Struct s : root.structList(3)) {
      List<String> members = new ArrayList<>();
      for (Struct m : s.structList(1)) {
        members.add(m.text(0));
      }
      info.put(s.u64(0), new SourceInfo(s.text(0), members));
    }
    return new Request(nodes, files, info, ids -> encodeNodes(ids, raw));
  }

  private static byte[] encodeNodes(List<Long> ids, Map<Long, Struct> raw) {
    int dataWords = 0;
    int ptrs = 0;
    for (long id : ids) {
      Struct s = raw.get(id);
      dataWords = Math.max(dataWords, s.dataSize / 8);
      ptrs = Math.max(ptrs, s.pointerCount);
    }
    RawMessage.WordWriter w = new RawMessage.WordWriter();
    w.alloc(3);
    w.set(0, RawMessage.structPointer(0, 1, 0, 1));
    int per = dataWords + ptrs;
    int at = w.alloc(per * ids.size());
    w.set(1, RawMessage.listPointer(1, 2, 7, per * ids.size()));
    w.set(2, ((long) ids.size() << 2) | ((long) dataWords << 32) | ((long) ptrs << 48));
    for (int i = 0; i < ids.size(); i++) {
      raw.get(ids.get(i)).copyBody(w, at + i * per, dataWords);
    }
    long[] words = w.toArray();
    ByteBuffer out = ByteBuffer.allocate(8 + words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(0).putInt(words.length);
    for (long word : words) {
      out.putLong(word);
    }
    return out.array();
  }

  private static Node node(Struct n) {
    List<NestedNode> nested = new ArrayList<>();
    for (Struct s : n.structList(1)) {
      nested.add(new NestedNode(s.text(0), s.u64(0)));
    }
    List<String> params = new ArrayList<>();
    for (Struct p : n.structList(5)) {
      params.add(p.text(0));
    }
    int which = n.u16(6);
    NodeKind kind = switch (which) {
      case 0 -> NodeKind.FILE;
      case 1 -> NodeKind.STRUCT;
      case 2 -> NodeKind.ENUM;
      case 3 -> NodeKind.INTERFACE;
      case 4 -> NodeKind.CONST;
      case 5 -> NodeKind.ANNOTATION;
      default -> throw new IllegalArgumentException(
          "node " + n.text(0) + " has unknown kind " + which);
    };
    StructInfo struct = null;
    List<String> enumerants = List.of();
    List<Method> methods = List.of();
    Type constType = null;
    Value constValue = null;
    switch (kind) {
      case STRUCT -> {
        List<Field> fields = new ArrayList<>();
        int index = 0;
        for (Struct f : n.structList(3)) {
          fields.add(field(f, index++));
        }
        struct = new StructInfo(n.u16(7), n.u16(12), n.bit(224), n.u16(15), n.u32(8), fields);
      }
      case ENUM -> {
        enumerants = new ArrayList<>();
        for (Struct e : n.structList(3)) {
          enumerants.add(e.text(0));
        }
      }
      case INTERFACE -> {
        methods = new ArrayList<>();
        int index = 0;
        for (Struct m : n.structList(3)) {
          List<String> implicit = new ArrayList<>();
          for (Struct p : m.structList(4)) {
            implicit.add(p.text(0));
          }
          methods.add(new Method(m.text(0), index++, m.u64(1), brand(m.struct(2)), m.u64(2),
              brand(m.struct(3)), implicit));
        }
      }
      case CONST -> {
        constType = type(n.struct(3));
        constValue = value(n.struct(4));
      }
      default -> { }
    }
    return new Node(n.u64(0), n.text(0), n.u32(2), n.u64(2), nested, annotations(n.structList(2)),
        params, kind, struct, enumerants, methods, constType, constValue);
  }

  private static List<Annotation> annotations(List<Struct> list) {
    List<Annotation> out = new ArrayList<>();
    for (Struct a : list) {
      out.add(new Annotation(a.u64(0), value(a.struct(0))));
    }
    return out;
  }

  private static Field field(Struct f, int index) {
    int discriminant = f.u16(1) ^ 0xffff;
    boolean group = f.u16(4) == 1;
    if (group) {
      return new Field(f.text(0), index, f.u16(0), discriminant, true, f.u64(2), 0, null, null,
          false);
    }
    return new Field(f.text(0), index, f.u16(0), discriminant, false, 0, f.u32(1),
        type(f.struct(2)), value(f.struct(3)), f.bit(128));
  }

  static Type type(Struct t) {
    if (t == null) {
      return Type.primitive(Kind.VOID);
    }
    Kind kind = Kind.ofTag(t.u16(0));
    return switch (kind) {
      case LIST -> new Type(kind, type(t.struct(0)), 0, null, null, 0, 0);
      case ENUM, STRUCT, INTERFACE -> new Type(kind, null, t.u64(1), brand(t.struct(0)), null, 0, 0);
      case ANY_POINTER -> switch (t.u16(4)) {
        case 0 -> new Type(kind, null, t.u16(5), null, AnyPointerKind.UNCONSTRAINED, 0, 0);
        case 1 -> new Type(kind, null, 0, null, AnyPointerKind.PARAMETER, t.u64(2), t.u16(5));
        case 2 -> new Type(kind, null, 0, null, AnyPointerKind.IMPLICIT_METHOD_PARAMETER, 0,
            t.u16(5));
        default -> throw new IllegalArgumentException("unknown AnyPointer kind " + t.u16(4));
      };
      default -> Type.primitive(kind);
    };
  }

  private static Brand brand(Struct b) {
    if (b == null) {
      return Brand.EMPTY;
    }
    List<Scope> scopes = new ArrayList<>();
    for (Struct s : b.structList(0)) {
      if (s.u16(4) == 1) {
        scopes.add(new Scope(s.u64(0), true, List.of()));
      } else {
        List<Type> bindings = new ArrayList<>();
        for (Struct bind : s.structList(0)) {
          bindings.add(bind.u16(0) == 1 ? type(bind.struct(0)) : null);
        }
        scopes.add(new Scope(s.u64(0), false, bindings));
      }
    }
    return new Brand(scopes);
  }

  static Value value(Struct v) {
    if (v == null) {
      return new Value(Kind.VOID, 0, null, null);
    }
    Kind kind = Kind.ofTag(v.u16(0));
    return switch (kind) {
      case VOID, INTERFACE -> new Value(kind, 0, null, null);
      case BOOL -> new Value(kind, v.bit(16) ? 1 : 0, null, null);
      case INT8, UINT8 -> new Value(kind, v.u8(2), null, null);
      case INT16, UINT16, ENUM -> new Value(kind, v.u16(1), null, null);
      case INT32, UINT32, FLOAT32 -> new Value(kind, v.u32(1) & 0xffffffffL, null, null);
      case INT64, UINT64, FLOAT64 -> new Value(kind, v.u64(1), null, null);
      case TEXT -> new Value(kind, 0, v.text(0), v.copyPointer(0));
      default -> new Value(kind, 0, null, v.copyPointer(0));
    };
  }
}
