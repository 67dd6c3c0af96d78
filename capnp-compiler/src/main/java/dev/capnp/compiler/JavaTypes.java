package dev.capnp.compiler;

import dev.capnp.compiler.Model.Brand;
import dev.capnp.compiler.Model.Kind;
import dev.capnp.compiler.Model.Scope;
import dev.capnp.compiler.Model.Type;
import dev.capnp.compiler.NodeNaming.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps schema types to Java: reader and builder types, and the expression of the
 * {@code PointerFactory} that reads and builds them, resolving generic brands against the type
 * parameters visible where the type is used.
 */
final class JavaTypes {
  static final String RT = "dev.capnp.runtime.";

  /**
   * A pointer type in Java. {@code constant} is false when the factory depends on the type
   * parameters of the class using it (and so cannot live in a static field).
   */
  record JType(String reader, String builder, String factory, boolean constant) {
    /** True when the factory is a plain static constant such as {@code Foo.FACTORY}. */
    boolean simpleFactory() {
      return constant && factory.indexOf('(') < 0;
    }
  }

  static final JType ANY_POINTER = new JType(RT + "AnyPointer.Reader", RT + "AnyPointer.Builder",
      RT + "AnyPointer.FACTORY", true);
  static final JType ANY_STRUCT = new JType(RT + "AnyStruct.Reader", RT + "AnyStruct.Builder",
      RT + "AnyStruct.FACTORY", true);
  static final JType ANY_LIST = new JType(RT + "AnyList.Reader", RT + "AnyList.Builder",
      RT + "AnyList.FACTORY", true);
  static final JType TEXT =
      new JType(RT + "Text.Reader", RT + "Text.Builder", RT + "Text.FACTORY", true);
  static final JType DATA =
      new JType(RT + "Data.Reader", RT + "Data.Builder", RT + "Data.FACTORY", true);

  private final NodeNaming naming;
  private final long currentFile;
  /** Files (other than the current one) whose classes were referenced. */
  private final Set<Long> referencedFiles = new TreeSet<>();

  JavaTypes(NodeNaming naming, long currentFile) {
    this.naming = naming;
    this.currentFile = currentFile;
  }

  Set<Long> referencedFiles() {
    return referencedFiles;
  }

  /** The qualified Java name of a node's class, as usable from the current file. */
  String className(long id) {
    NodeNaming.ClassName c = naming.className(id);
    String base = outerRef(c.fileId());
    return base + "." + String.join(".", c.path());
  }

  /** How code in the current file refers to the outer class of {@code fileId}. */
  String outerRef(long fileId) {
    NodeNaming.FileNames f = naming.file(fileId);
    if (fileId != currentFile) {
      referencedFiles.add(fileId);
    } else if (!naming.outerShadowed(fileId)) {
      return f.outerClass();
    }
    return naming.javaPackage(fileId) + "." + f.outerClass();
  }

  /** The Java type of an enum node. */
  String enumType(long id) {
    return className(id);
  }

  /** Resolves a pointer type (anything but primitives and enums) in context {@code ctx}. */
  JType pointer(Type t, List<Param> ctx) {
    return switch (t.kind()) {
      case TEXT -> TEXT;
      case DATA -> DATA;
      case STRUCT -> struct(t.typeId(), t.brand(), ctx);
      case LIST -> list(t.elementType(), ctx);
      case ANY_POINTER -> anyPointer(t, ctx);
      case INTERFACE -> clientPointer(t, ctx);
      default -> throw new IllegalArgumentException("not a pointer type: " + t.kind());
    };
  }

  /** Unconstrained {@code AnyPointer} kinds (union tags of {@code Type.anyPointer.unconstrained}). */
  private static final int ANY_STRUCT_KIND = 1;
  private static final int ANY_LIST_KIND = 2;
  private static final int CAPABILITY_KIND = 3;

  /** True for interface types and the unconstrained {@code Capability} type. */
  static boolean isCapability(Type t) {
    return t.kind() == Kind.INTERFACE || (t.kind() == Kind.ANY_POINTER
        && t.anyKind() == Model.AnyPointerKind.UNCONSTRAINED && t.typeId() == CAPABILITY_KIND);
  }

  private JType anyPointer(Type t, List<Param> ctx) {
    if (t.anyKind() == Model.AnyPointerKind.UNCONSTRAINED) {
      if (t.typeId() == ANY_STRUCT_KIND) {
        return ANY_STRUCT;
      }
      if (t.typeId() == ANY_LIST_KIND) {
        return ANY_LIST;
      }
    }
    if (t.anyKind() == Model.AnyPointerKind.PARAMETER) {
      Param p = find(ctx, t.parameterScopeId(), t.parameterIndex());
      if (p != null) {
        return new JType(p.readerVar(), p.builderVar(), p.factoryField(), p.constant());
      }
    }
    return ANY_POINTER;
  }

  private static Param find(List<Param> ctx, long scopeId, int index) {
    for (Param p : ctx) {
      if (p.scopeId() == scopeId && p.index() == index) {
        return p;
      }
    }
    return null;
  }

  /** A struct type with its brand resolved. */
  JType struct(long id, Brand brand, List<Param> ctx) {
    String name = className(id);
    List<Param> params = naming.chain(id);
    if (params.isEmpty()) {
      return new JType(name + ".Reader", name + ".Builder", name + ".FACTORY", true);
    }
    List<JType> args = new ArrayList<>();
    for (Param p : params) {
      args.add(binding(p, brand, ctx));
    }
    return generic(name, args);
  }

  /** A generic struct's Java type for the given type arguments. */
  static JType generic(String name, List<JType> args) {
    StringBuilder r = new StringBuilder(name).append(".Reader<");
    StringBuilder b = new StringBuilder(name).append(".Builder<");
    StringBuilder f = new StringBuilder(name).append(".factory(");
    boolean constant = true;
    for (int i = 0; i < args.size(); i++) {
      JType a = args.get(i);
      String sep = i == 0 ? "" : ", ";
      r.append(sep).append(a.reader());
      b.append(sep).append(a.builder()).append(", ").append(a.reader());
      f.append(sep).append(a.factory());
      constant &= a.constant();
    }
    return new JType(r.append('>').toString(), b.append('>').toString(),
        f.append(')').toString(), constant);
  }

  /**
   * A method's param or result struct as seen by a client: the struct's own parameters (the
   * method's implicit ones) are {@code implicitArgs}; the others come from {@code brand}.
   */
  JType methodStruct(long id, Brand brand, List<Param> ctx, List<JType> implicitArgs) {
    List<Param> params = naming.chain(id);
    if (params.isEmpty()) {
      return struct(id, brand, ctx);
    }
    List<JType> args = new ArrayList<>();
    for (Param p : params) {
      args.add(p.scopeId() == id && p.index() < implicitArgs.size()
          ? implicitArgs.get(p.index()) : binding(p, brand, ctx));
    }
    return generic(className(id), args);
  }

  /** A context entry standing for generic parameter {@code p} bound to {@code type}. */
  static Param bound(Param p, JType type) {
    return new Param(p.scopeId(), p.index(), p.name(), type.builder(), type.reader(),
        type.factory(), type.constant());
  }

  /** The type bound to generic parameter {@code p} by {@code brand}, resolved in {@code ctx}. */
  JType binding(Param p, Brand brand, List<Param> ctx) {
    Scope s = brand == null ? null : brand.scope(p.scopeId());
    if (s == null) {
      return ANY_POINTER;
    }
    if (s.inherit()) {
      Param own = find(ctx, p.scopeId(), p.index());
      return own == null ? ANY_POINTER
          : new JType(own.readerVar(), own.builderVar(), own.factoryField(), own.constant());
    }
    if (p.index() >= s.bindings().size() || s.bindings().get(p.index()) == null) {
      return ANY_POINTER;
    }
    Type bound = s.bindings().get(p.index());
    if (!bound.kind().isPointer()) {
      throw new IllegalArgumentException("generic parameter " + p.name()
          + " bound to non-pointer type " + bound.kind());
    }
    return pointer(bound, ctx);
  }

  /**
   * The typed client of an interface type: its Java type and the factories of its type
   * arguments ({@code constant} false when they depend on type variables in scope).
   */
  record ClientType(String type, List<String> factories, boolean constant) {
    /** An expression wrapping the {@code Capability} expression {@code capability}. */
    String wrap(String capability) {
      StringBuilder sb = new StringBuilder("new ").append(type).append('(').append(capability);
      for (String f : factories) {
        sb.append(", ").append(f);
      }
      return sb.append(')').toString();
    }
  }

  /** The typed client of interface {@code id} with {@code brand}, resolved in {@code ctx}. */
  ClientType client(long id, Brand brand, List<Param> ctx) {
    String name = className(id) + ".Client";
    List<Param> params = naming.chain(id);
    if (params.isEmpty()) {
      return new ClientType(name, List.of(), true);
    }
    StringBuilder t = new StringBuilder(name).append('<');
    List<String> factories = new ArrayList<>();
    boolean constant = true;
    for (Param p : params) {
      JType a = binding(p, brand, ctx);
      t.append(factories.isEmpty() ? "" : ", ").append(a.builder()).append(", ").append(a.reader());
      factories.add(a.factory());
      constant &= a.constant();
    }
    return new ClientType(t.append('>').toString(), factories, constant);
  }

  /**
   * An interface type used as a type argument or list element: its typed client, read and
   * written by the interface's {@code FACTORY} / {@code factory(...)}.
   */
  private JType clientPointer(Type t, List<Param> ctx) {
    ClientType ct = client(t.typeId(), t.brand(), ctx);
    if (!ct.constant()) {
      // A Reader has no builder type variables to name the client type with: stay untyped.
      return ANY_POINTER;
    }
    String holder = className(t.typeId());
    String factory = ct.factories().isEmpty() ? holder + ".FACTORY"
        : holder + ".factory(" + String.join(", ", ct.factories()) + ")";
    return new JType(ct.type(), ct.type(), factory, ct.constant());
  }

  /** A list type. */
  JType list(Type element, List<Param> ctx) {
    Kind k = element.kind();
    String prim = switch (k) {
      case VOID -> "Void";
      case BOOL -> "Boolean";
      case INT8, UINT8 -> "Byte";
      case INT16, UINT16 -> "Short";
      case INT32, UINT32 -> "Int";
      case INT64, UINT64 -> "Long";
      case FLOAT32 -> "Float";
      case FLOAT64 -> "Double";
      default -> null;
    };
    if (prim != null) {
      String n = RT + "PrimitiveList." + prim;
      return new JType(n + ".Reader", n + ".Builder", n + ".FACTORY", true);
    }
    switch (k) {
      case TEXT:
        return fixed("TextList");
      case DATA:
        return fixed("DataList");
      case ENUM: {
        String e = enumType(element.typeId());
        return new JType(RT + "EnumList.Reader<" + e + ">", RT + "EnumList.Builder<" + e + ">",
            RT + "EnumList.factory(" + e + ".values(), " + e + "._NOT_IN_SCHEMA)", true);
      }
      case STRUCT: {
        JType s = pointer(element, ctx);
        // A struct without type parameters has its own list factory, whose readers read and
        // iterate with code specific to the struct (see StructGenerator.emitListReader).
        String listFactory = s.factory().endsWith(".FACTORY") && s.factory().indexOf('(') < 0
            ? s.factory().substring(0, s.factory().length() - ".FACTORY".length())
                + "._LIST_FACTORY"
            : RT + "StructList.factory(" + s.factory() + ")";
        return new JType(RT + "StructList.Reader<" + s.reader() + ">",
            RT + "StructList.Builder<" + s.builder() + ">", listFactory, s.constant());
      }
      case LIST: {
        JType l = pointer(element, ctx);
        return new JType(RT + "ListList.Reader<" + l.reader() + ">",
            RT + "ListList.Builder<" + l.builder() + ", " + l.reader() + ">",
            RT + "ListList.factory(" + l.factory() + ")", l.constant());
      }
      case ANY_POINTER: {
        JType a = anyPointer(element, ctx);
        if (a.constant()) {
          return fixed("AnyPointerList");
        }
        // List(T) for a type parameter T: a list of pointers read with T's factory.
        return new JType(RT + "ListList.Reader<" + a.reader() + ">",
            RT + "ListList.Builder<" + a.builder() + ", " + a.reader() + ">",
            RT + "ListList.factory(" + a.factory() + ")", a.constant());
      }
      case INTERFACE: {
        JType c = clientPointer(element, ctx);
        if (c == ANY_POINTER) {
          return fixed("AnyPointerList");
        }
        return new JType(RT + "ListList.Reader<" + c.reader() + ">",
            RT + "ListList.Builder<" + c.builder() + ", " + c.reader() + ">",
            RT + "ListList.factory(" + c.factory() + ")", c.constant());
      }
      default:
        throw new IllegalArgumentException("unsupported list element type " + k);
    }
  }

  private static JType fixed(String listClass) {
    String n = RT + listClass;
    return new JType(n + ".Reader", n + ".Builder", n + ".FACTORY", true);
  }
}
