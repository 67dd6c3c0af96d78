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
import dev.capnp.compiler.Model.Superclass;
import dev.capnp.compiler.Model.Type;
import dev.capnp.compiler.Model.Value;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.PointerFactory;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import dev.capnp.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a {@code CodeGeneratorRequest} into the {@link Model} through the generated
 * {@code dev.capnp.schema} classes (which this generator produced itself).
 */
final class RequestReader {
  private RequestReader() {}

  /** Reads the request from its bytes in standard framing. */
  static Request read(byte[] bytes) {
    try {
      long words = bytes.length / 8 + 1;
      MessageReader message = Serialize.read(ByteBuffer.wrap(bytes),
          new ReaderOptions(Math.max(ReaderOptions.DEFAULT_TRAVERSAL_LIMIT_IN_WORDS, words * 4),
              ReaderOptions.DEFAULT_NESTING_LIMIT));
      return read(message.getRoot(Schema.CodeGeneratorRequest.FACTORY));
    } catch (DecodeException e) {
      throw new IllegalArgumentException("malformed CodeGeneratorRequest: " + e.getMessage(), e);
    }
  }

  private static Request read(Schema.CodeGeneratorRequest.Reader root) {
    Map<Long, Node> nodes = new LinkedHashMap<>();
    Map<Long, Schema.Node.Reader> raw = new LinkedHashMap<>();
    for (Schema.Node.Reader n : root.getNodes()) {
      Node node = node(n);
      nodes.put(node.id(), node);
      raw.put(node.id(), n);
    }
    List<RequestedFile> files = new ArrayList<>();
    for (Schema.CodeGeneratorRequest.RequestedFile.Reader f : root.getRequestedFiles()) {
      List<Import> imports = new ArrayList<>();
      for (Schema.CodeGeneratorRequest.RequestedFile.Import.Reader i : f.getImports()) {
        imports.add(new Import(i.getId(), i.getName().toString()));
      }
      files.add(new RequestedFile(f.getId(), f.getFilename().toString(), imports));
    }
    Map<Long, SourceInfo> info = new LinkedHashMap<>();
    for (Schema.Node.SourceInfo.Reader s : root.getSourceInfo()) {
      List<String> members = new ArrayList<>();
      for (Schema.Node.SourceInfo.Member.Reader m : s.getMembers()) {
        members.add(m.hasDocComment() ? m.getDocComment().toString() : null);
      }
      info.put(s.getId(), new SourceInfo(
          s.hasDocComment() ? s.getDocComment().toString() : null, members));
    }
    return new Request(nodes, files, info, ids -> encodeNodes(ids, raw));
  }

  /** A message whose root is a CodeGeneratorRequest holding copies of the given nodes. */
  private static byte[] encodeNodes(List<Long> ids, Map<Long, Schema.Node.Reader> raw) {
    MessageBuilder message = new MessageBuilder(8192);
    Schema.CodeGeneratorRequest.Builder request =
        message.initRoot(Schema.CodeGeneratorRequest.FACTORY);
    StructList.Builder<Schema.Node.Builder> list = request.initNodes(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      list.setWithCaveats(i, raw.get(ids.get(i)));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Serialize.write(out, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String text(Text.Reader t) {
    return t.toString();
  }

  private static Node node(Schema.Node.Reader n) {
    List<NestedNode> nested = new ArrayList<>();
    for (Schema.Node.NestedNode.Reader s : n.getNestedNodes()) {
      nested.add(new NestedNode(text(s.getName()), s.getId()));
    }
    List<String> params = new ArrayList<>();
    for (Schema.Node.Parameter.Reader p : n.getParameters()) {
      params.add(text(p.getName()));
    }
    NodeKind kind = switch (n.which()) {
      case FILE -> NodeKind.FILE;
      case STRUCT -> NodeKind.STRUCT;
      case ENUM -> NodeKind.ENUM;
      case INTERFACE -> NodeKind.INTERFACE;
      case CONST -> NodeKind.CONST;
      case ANNOTATION -> NodeKind.ANNOTATION;
      case _NOT_IN_SCHEMA -> throw new IllegalArgumentException(
          "node " + n.getDisplayName() + " has a kind unknown to this generator");
    };
    StructInfo struct = null;
    List<String> enumerants = List.of();
    List<Method> methods = List.of();
    List<Superclass> superclasses = List.of();
    Type constType = null;
    Value constValue = null;
    switch (kind) {
      case STRUCT -> {
        Schema.Node.Struct.Reader s = n.getStruct();
        List<Field> fields = new ArrayList<>();
        int index = 0;
        for (Schema.Field.Reader f : s.getFields()) {
          fields.add(field(f, index++));
        }
        struct = new StructInfo(s.getDataWordCount() & 0xffff, s.getPointerCount() & 0xffff,
            s.getIsGroup(), s.getDiscriminantCount() & 0xffff, s.getDiscriminantOffset(), fields);
      }
      case ENUM -> {
        enumerants = new ArrayList<>();
        for (Schema.Enumerant.Reader e : n.getEnum().getEnumerants()) {
          enumerants.add(text(e.getName()));
        }
      }
      case INTERFACE -> {
        methods = new ArrayList<>();
        int index = 0;
        for (Schema.Method.Reader m : n.getInterface().getMethods()) {
          List<String> implicit = new ArrayList<>();
          for (Schema.Node.Parameter.Reader p : m.getImplicitParameters()) {
            implicit.add(text(p.getName()));
          }
          methods.add(new Method(text(m.getName()), index++, m.getParamStructType(),
              brand(m.hasParamBrand() ? m.getParamBrand() : null), m.getResultStructType(),
              brand(m.hasResultBrand() ? m.getResultBrand() : null), implicit));
        }
        superclasses = new ArrayList<>();
        for (Schema.Superclass.Reader sc : n.getInterface().getSuperclasses()) {
          superclasses.add(new Superclass(sc.getId(), brand(sc.hasBrand() ? sc.getBrand() : null)));
        }
      }
      case CONST -> {
        constType = type(n.getConst().getType());
        constValue = value(n.getConst().getValue());
      }
      default -> { }
    }
    List<Annotation> annotations = new ArrayList<>();
    for (Schema.Annotation.Reader a : n.getAnnotations()) {
      annotations.add(new Annotation(a.getId(), value(a.getValue())));
    }
    return new Node(n.getId(), text(n.getDisplayName()), n.getDisplayNamePrefixLength(),
        n.getScopeId(), nested, annotations, params, kind, struct, enumerants, methods,
        superclasses, constType, constValue);
  }

  private static Field field(Schema.Field.Reader f, int index) {
    int discriminant = f.getDiscriminantValue() & 0xffff;
    String name = text(f.getName());
    int codeOrder = f.getCodeOrder() & 0xffff;
    if (f.isGroup()) {
      return new Field(name, index, codeOrder, discriminant, true, f.getGroup().getTypeId(), 0,
          null, null, false);
    }
    Schema.Field.Slot.Reader slot = f.getSlot();
    return new Field(name, index, codeOrder, discriminant, false, 0, slot.getOffset(),
        type(slot.getType()), value(slot.getDefaultValue()), slot.getHadExplicitDefault());
  }

  private static Type type(Schema.Type.Reader t) {
    Schema.Type.Which which = t.which();
    if (which == Schema.Type.Which._NOT_IN_SCHEMA) {
      throw new IllegalArgumentException("a type kind unknown to this generator");
    }
    Kind kind = Kind.ofTag(which.ordinal());
    return switch (kind) {
      case LIST -> new Type(kind, type(t.getList().getElementType()), 0, null, null, 0, 0);
      case ENUM -> new Type(kind, null, t.getEnum().getTypeId(), null, null, 0, 0);
      case STRUCT -> new Type(kind, null, t.getStruct().getTypeId(),
          brand(t.getStruct().hasBrand() ? t.getStruct().getBrand() : null), null, 0, 0);
      case INTERFACE -> new Type(kind, null, t.getInterface().getTypeId(),
          brand(t.getInterface().hasBrand() ? t.getInterface().getBrand() : null), null, 0, 0);
      case ANY_POINTER -> anyPointer(t.getAnyPointer());
      default -> Type.primitive(kind);
    };
  }

  private static Type anyPointer(Schema.Type.AnyPointer.Reader a) {
    return switch (a.which()) {
      case UNCONSTRAINED -> new Type(Kind.ANY_POINTER, null,
          a.getUnconstrained().which().ordinal(), null, AnyPointerKind.UNCONSTRAINED, 0, 0);
      case PARAMETER -> new Type(Kind.ANY_POINTER, null, 0, null, AnyPointerKind.PARAMETER,
          a.getParameter().getScopeId(), a.getParameter().getParameterIndex() & 0xffff);
      case IMPLICIT_METHOD_PARAMETER -> new Type(Kind.ANY_POINTER, null, 0, null,
          AnyPointerKind.IMPLICIT_METHOD_PARAMETER, 0,
          a.getImplicitMethodParameter().getParameterIndex() & 0xffff);
      case _NOT_IN_SCHEMA -> throw new IllegalArgumentException(
          "an AnyPointer kind unknown to this generator");
    };
  }

  private static Brand brand(Schema.Brand.Reader b) {
    if (b == null) {
      return Brand.EMPTY;
    }
    List<Scope> scopes = new ArrayList<>();
    for (Schema.Brand.Scope.Reader s : b.getScopes()) {
      if (s.isInherit()) {
        scopes.add(new Scope(s.getScopeId(), true, List.of()));
      } else {
        List<Type> bindings = new ArrayList<>();
        for (Schema.Brand.Binding.Reader bind : s.getBind()) {
          bindings.add(bind.isType() ? type(bind.getType()) : null);
        }
        scopes.add(new Scope(s.getScopeId(), false, bindings));
      }
    }
    return new Brand(scopes);
  }

  private static Value value(Schema.Value.Reader v) {
    Schema.Value.Which which = v.which();
    if (which == Schema.Value.Which._NOT_IN_SCHEMA) {
      throw new IllegalArgumentException("a value kind unknown to this generator");
    }
    Kind kind = Kind.ofTag(which.ordinal());
    return switch (kind) {
      case VOID, INTERFACE -> new Value(kind, 0, null, null);
      case BOOL -> new Value(kind, v.getBool() ? 1 : 0, null, null);
      case INT8 -> new Value(kind, v.getInt8() & 0xff, null, null);
      case UINT8 -> new Value(kind, v.getUint8() & 0xff, null, null);
      case INT16 -> new Value(kind, v.getInt16() & 0xffff, null, null);
      case UINT16 -> new Value(kind, v.getUint16() & 0xffff, null, null);
      case ENUM -> new Value(kind, v.getEnum() & 0xffff, null, null);
      case INT32 -> new Value(kind, v.getInt32() & 0xffffffffL, null, null);
      case UINT32 -> new Value(kind, v.getUint32() & 0xffffffffL, null, null);
      case FLOAT32 -> new Value(kind, Float.floatToRawIntBits(v.getFloat32()) & 0xffffffffL,
          null, null);
      case INT64 -> new Value(kind, v.getInt64(), null, null);
      case UINT64 -> new Value(kind, v.getUint64(), null, null);
      case FLOAT64 -> new Value(kind, Double.doubleToRawLongBits(v.getFloat64()), null, null);
      case TEXT -> v.hasText()
          ? new Value(kind, 0, v.getText().toString(),
              words(Text.FACTORY, v.getText(), v.getText().size() + 1))
          : new Value(kind, 0, null, null);
      case DATA -> new Value(kind, 0, null,
          v.hasData() ? words(Data.FACTORY, v.getData(), v.getData().size()) : null);
      case LIST -> new Value(kind, 0, null, v.hasList() ? words(v.getList()) : null);
      case STRUCT -> new Value(kind, 0, null, v.hasStruct() ? words(v.getStruct()) : null);
      case ANY_POINTER -> new Value(kind, 0, null,
          v.hasAnyPointer() ? words(v.getAnyPointer()) : null);
      default -> throw new IllegalArgumentException("unexpected value kind " + kind);
    };
  }

  /** Copies a pointer value into a single segment whose word 0 is its root pointer. */
  private static long[] words(AnyPointer.Reader value) {
    long size = value.targetSizeInWords() + 1;
    if (size > Integer.MAX_VALUE / 8) {
      throw new IllegalArgumentException("default value too large: " + size + " words");
    }
    MessageBuilder message = new MessageBuilder((int) size);
    message.getRootAnyPointer().set(value);
    return flatten(message);
  }

  private static <R> long[] words(PointerFactory<?, R> factory, R value, int bytes) {
    MessageBuilder message = new MessageBuilder(bytes / 8 + 2);
    message.getRootAnyPointer().setAs(factory, value);
    return flatten(message);
  }

  private static long[] flatten(MessageBuilder message) {
    ByteBuffer[] segments = message.getSegmentsForOutput();
    if (segments.length != 1) {
      throw new IllegalStateException("value copy spans " + segments.length + " segments");
    }
    ByteBuffer b = segments[0].duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[b.remaining() / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getLong(b.position() + i * 8);
    }
    return out;
  }
}
