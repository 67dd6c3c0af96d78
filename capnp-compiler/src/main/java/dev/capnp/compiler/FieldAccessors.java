package dev.capnp.compiler;

import static dev.capnp.compiler.JavaTypes.RT;

import dev.capnp.compiler.JavaTypes.JType;
import dev.capnp.compiler.Model.Field;
import dev.capnp.compiler.Model.Kind;
import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.Model.Request;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Emits the accessors of struct fields in generated Readers and Builders: getters, setters,
 * initializers, has/disown/adopt, union discriminant handling, defaults (XOR masks for
 * primitives, default segments for pointers) and the factories they use.
 */
final class FieldAccessors {
  private final FileGenerator file;
  private final Request request;
  private final JavaTypes types;
  private final SourceWriter w;

  FieldAccessors(FileGenerator file) {
    this.file = file;
    this.request = file.request;
    this.types = file.types;
    this.w = file.w;
  }

  private String fieldDoc(StructContext ctx, Field f) {
    return file.memberDoc(ctx.node.id(), f.index());
  }

  private static String methodName(String prefix, Field f) {
    return Names.method(prefix + Names.upperCamel(f.name()));
  }

  private String discriminantLine(StructContext ctx, Field f) {
    if (!f.inUnion()) {
      return null;
    }
    return "_setShortField(" + ctx.node.struct().discriminantOffset() + ", (short) "
        + f.discriminantValue() + ");";
  }

  private void emitIs(StructContext ctx, Field f) {
    if (!f.inUnion()) {
      return;
    }
    w.line("");
    w.line("/** True if the union member {@code " + f.name() + "} is set. */");
    w.open("public boolean " + methodName("is", f) + "()");
    w.line("return _getShortField(" + ctx.node.struct().discriminantOffset() + ") == (short) "
        + f.discriminantValue() + ";");
    w.close();
  }

  /** Accessor name of the runtime's primitive field methods, e.g. {@code Int}. */
  private static String accessor(Kind k) {
    return switch (k) {
      case BOOL -> "Boolean";
      case INT8, UINT8 -> "Byte";
      case INT16, UINT16, ENUM -> "Short";
      case INT32, UINT32 -> "Int";
      case INT64, UINT64 -> "Long";
      case FLOAT32 -> "Float";
      case FLOAT64 -> "Double";
      default -> throw new IllegalArgumentException("not a data field: " + k);
    };
  }

  /** The XOR mask argument (with leading comma) for a field's default, or "". */
  private static String mask(Kind k, long bits) {
    if (bits == 0) {
      return "";
    }
    return switch (k) {
      case BOOL -> ", true";
      case INT8, UINT8 -> ", (byte) " + String.format("0x%x", bits & 0xff);
      case INT16, UINT16, ENUM -> ", (short) " + String.format("0x%x", bits & 0xffff);
      case INT32, UINT32, FLOAT32 -> ", " + String.format("0x%x", bits & 0xffffffffL);
      case INT64, UINT64, FLOAT64 -> ", " + String.format("0x%xL", bits);
      default -> "";
    };
  }

  private static long defaultBits(Field f) {
    return f.defaultValue() == null ? 0 : f.defaultValue().bits();
  }

  /** Registers a static field in the struct class; returns its name. */
  private String addStatic(StructContext ctx, String baseName, String type, String init) {
    String name = baseName;
    while (!ctx.staticNames.add(name)) {
      name = name + "_";
    }
    ctx.statics.add("private static final " + type + " " + name + " =");
    for (String line : (init + ";").split("\n", -1)) {
      ctx.statics.add("    " + line);
    }
    return name;
  }

  /** The factory expression for a pointer field, hoisted into a static field when constant. */
  private String fieldFactory(StructContext ctx, Field f, JType jt, boolean builderSide) {
    if (jt.factory().indexOf('(') < 0) {
      return jt.factory(); // a constant like Foo.FACTORY or a type-parameter factory field
    }
    if (!jt.constant()) {
      // Depends on this instance's type-parameter factories: create once per instance, lazily.
      String name = "_" + Names.lowerCamel(Names.upperCamel(f.name())) + "Factory";
      if (ctx.instanceNames.add(name)) {
        String type = RT + "PointerFactory<" + (builderSide ? jt.builder() : "?") + ", "
            + jt.reader() + ">";
        List<String> m = ctx.instanceMembers;
        m.add("");
        m.add("private " + type + " " + name + ";");
        m.add("");
        m.add("private " + type + " " + name + "() {");
        m.add("  " + type + " f = " + name + ";");
        m.add("  if (f == null) {");
        m.add("    f = " + jt.factory() + ";");
        m.add("    " + name + " = f;");
        m.add("  }");
        m.add("  return f;");
        m.add("}");
      }
      return name + "()";
    }
    String name = "_" + Names.upperSnake(f.name()) + "_FACTORY";
    if (!ctx.staticNames.contains(name)) {
      addStatic(ctx, name,
          RT + "PointerFactory<" + jt.builder() + ", " + jt.reader() + ">", jt.factory());
    }
    return name;
  }

  /**
   * The start of a reader getter's pointer read, up to the pointer index: the runtime's read
   * specific to the field's kind ({@code _getTextField}, {@code _getStructField}, ...), which
   * the JIT can inline into the getter (so that the reader object is removed by escape
   * analysis), else the generic {@code _getPointerField}.
   */
  private static String typedPointerRead(Kind k, String factory) {
    return switch (k) {
      case TEXT -> "_getTextField(";
      case DATA -> "_getDataField(";
      case STRUCT -> "_getStructField(" + factory + ", ";
      case LIST -> "_getListField(" + factory + ", ";
      default -> "_getPointerField(" + factory + ", ";
    };
  }

  /**
   * A builder's {@code initX()} call: the runtime's init specific to the field's kind
   * ({@code _initStructField}, {@code _initListField}, {@code _initTextField},
   * {@code _initDataField}), which the JIT can inline into the generated method, else the
   * generic {@code _initPointerField} (type parameters, {@code AnyPointer}). {@code size} is the
   * element count argument, or null for none.
   */
  private static String typedInit(Kind k, String factory, int offset, boolean param,
      String size) {
    String n = size == null ? "0" : size;
    if (param) {
      return "_initPointerField(" + factory + ", " + offset + ", " + n + ")";
    }
    return switch (k) {
      case STRUCT -> size == null ? "_initStructField(" + factory + ", " + offset + ")"
          : "_initPointerField(" + factory + ", " + offset + ", " + n + ")";
      case LIST -> "_initListField(" + factory + ", " + offset + ", " + n + ")";
      case TEXT -> "_initTextField(" + offset + ", " + n + ")";
      case DATA -> "_initDataField(" + offset + ", " + n + ")";
      default -> "_initPointerField(" + factory + ", " + offset + ", " + n + ")";
    };
  }

  /** The default-value arguments (with leading comma) of a pointer field, or "". */
  private String pointerDefault(StructContext ctx, Field f) {
    if (!f.hadExplicitDefault() || f.defaultValue() == null
        || f.defaultValue().pointerWords() == null) {
      return "";
    }
    String name = "_" + Names.upperSnake(f.name()) + "_DEFAULT";
    if (!ctx.staticNames.contains(name)) {
      addStatic(ctx, name, RT + "SegmentReader", file.wordsSegment(f.defaultValue().pointerWords()));
    }
    return ", " + name + ", 0";
  }

  /** Emits the Reader accessors of one field. */
  void readerField(StructContext ctx, Field f) {
    String doc = fieldDoc(ctx, f);
    emitIs(ctx, f);
    if (f.isGroup()) {
      String g = types.className(f.groupId());
      w.line("");
      w.javadoc(doc);
      w.open("public " + ctx.readerType(g, ctx.chain) + " " + methodName("get", f) + "()");
      w.line("return new " + g + ".Reader" + ctx.diamond() + "(" + ctx.factoryArgs() + "this);");
      w.close();
      emitReuseDoc(f);
      w.open("public " + ctx.readerType(g, ctx.chain) + " " + methodName("get", f) + "("
          + ctx.readerType(g, ctx.chain) + " reuse)");
      w.line("return reuse == null ? new " + g + ".Reader" + ctx.diamond() + "("
          + ctx.factoryArgs() + "this) : _group(reuse);");
      w.close();
      return;
    }
    Kind k = f.type().kind();
    if (JavaTypes.isCapability(f.type())) {
      if (!file.rpc) {
        emitHas(ctx, f, doc);
        return;
      }
      emitHas(ctx, f, null);
      emitCapabilityGetter(ctx, f, doc, "");
      return;
    }
    switch (k) {
      case VOID:
        emitVoidGetter(f, doc);
        return;
      case ENUM: {
        String e = types.enumType(f.type().typeId());
        w.line("");
        w.javadoc(doc);
        w.open("public " + e + " " + methodName("get", f) + "()");
        w.line("return " + e + ".fromValue(_getShortField(" + f.offset() + mask(k, defaultBits(f))
            + ") & 0xffff);");
        w.close();
        return;
      }
      default:
        break;
    }
    if (!k.isPointer()) {
      w.line("");
      w.javadoc(doc);
      w.open("public " + FileGenerator.primitiveJavaType(k) + " " + methodName("get", f) + "()");
      w.line("return _get" + accessor(k) + "Field(" + f.offset() + mask(k, defaultBits(f)) + ");");
      w.close();
      return;
    }
    JType jt = types.pointer(f.type(), ctx.chain);
    emitHas(ctx, f, null);
    w.line("");
    w.javadoc(doc);
    w.open("public " + jt.reader() + " " + methodName("get", f) + "()");
    w.line("return " + typedPointerRead(k, fieldFactory(ctx, f, jt, false)) + f.offset()
        + pointerDefault(ctx, f) + ");");
    w.close();
    if (k == Kind.TEXT || k == Kind.DATA || k == Kind.STRUCT || k == Kind.LIST) {
      emitReuseDoc(f);
      w.open("public " + jt.reader() + " " + methodName("get", f) + "(" + jt.reader()
          + " reuse)");
      w.line("return " + typedPointerRead(k, fieldFactory(ctx, f, jt, false)) + f.offset()
          + pointerDefault(ctx, f) + ", reuse);");
      w.close();
    }
  }

  /**
   * The comment of a Reader's {@code getX(reuse)}: the getter that moves a reader of the
   * field's type to the value instead of making a new one, so that a walk of a message can
   * read it with the same few readers (allocating nothing, with or without escape analysis).
   */
  private void emitReuseDoc(Field f) {
    w.line("");
    w.line("/** {@code " + methodName("get", f) + "()} read into {@code reuse}, moved to the"
        + " value and returned (a new reader if {@code reuse} is null). */");
  }

  /**
   * A {@code Void} field holds nothing: its getter exists for parity with the other fields (and
   * C++) and returns {@code null}, the value of {@code PrimitiveList.Void} elements.
   */
  private void emitVoidGetter(Field f, String doc) {
    w.line("");
    String what = "The {@code Void} value of {@code " + f.name() + "}: always {@code null}"
        + (f.inUnion() ? " (whether it is the union's member says {@code "
            + methodName("is", f) + "()})." : ".");
    w.javadoc(doc != null ? doc.strip() + "\n\n" + what : what);
    w.open("public java.lang.Void " + methodName("get", f) + "()");
    w.line("return null;");
    w.close();
  }

  private void emitHas(StructContext ctx, Field f, String doc) {
    w.line("");
    w.javadoc(doc != null ? doc : "True if {@code " + f.name() + "} is set (non-null).");
    w.open("public boolean " + methodName("has", f) + "()");
    w.line("return !_pointerFieldIsNull(" + f.offset() + ");");
    w.close();
  }

  /** Emits the Builder accessors of one field. */
  void builderField(StructContext ctx, Field f) {
    String doc = fieldDoc(ctx, f);
    String disc = discriminantLine(ctx, f);
    emitIs(ctx, f);
    if (f.isGroup()) {
      String g = types.className(f.groupId());
      String bt = ctx.builderType(g, ctx.chain);
      String make = "new " + g + ".Builder" + ctx.diamond() + "(" + ctx.factoryArgs() + "this)";
      w.line("");
      w.javadoc(doc);
      w.open("public " + bt + " " + methodName("get", f) + "()");
      w.line("return " + make + ";");
      w.close();
      w.line("");
      w.line("/** Clears the group {@code " + f.name() + "}"
          + (f.inUnion() ? " and makes it the union's member" : "") + "; returns it. */");
      w.open("public " + bt + " " + methodName("init", f) + "()");
      if (disc != null) {
        w.line(disc);
      }
      for (String line : clearGroup(request.node(f.groupId()))) {
        w.line(line);
      }
      w.line("return " + make + ";");
      w.close();
      return;
    }
    Kind k = f.type().kind();
    if (k == Kind.VOID) {
      emitVoidGetter(f, doc);
      if (disc != null) {
        w.line("");
        w.line("/** Makes {@code " + f.name() + "} the union's member. */");
        w.open("public void " + methodName("set", f) + "()");
        w.line(disc);
        w.close();
      }
      return;
    }
    if (JavaTypes.isCapability(f.type()) && file.rpc) {
      String client = capabilityType(ctx, f);
      emitHas(ctx, f, null);
      emitCapabilityGetter(ctx, f, doc, ".asReader()");
      emitCapabilitySetter(f, disc, client,
          client.equals(CAPABILITY) ? "value" : "value.capability()");
      if (!client.equals(CAPABILITY)) {
        emitCapabilitySetter(f, disc, CAPABILITY, "value");
      }
    }
    if (JavaTypes.isCapability(f.type())) {
      if (!file.rpc) {
        emitHas(ctx, f, doc);
      }
      w.line("");
      w.line("/** Clears the capability {@code " + f.name() + "}. */");
      w.open("public void " + methodName("clear", f) + "()");
      if (disc != null) {
        w.line(disc);
      }
      w.line("_clearPointerField(" + f.offset() + ");");
      w.close();
      return;
    }
    if (k == Kind.ENUM) {
      String e = types.enumType(f.type().typeId());
      String m = mask(k, defaultBits(f));
      w.line("");
      w.javadoc(doc);
      w.open("public " + e + " " + methodName("get", f) + "()");
      w.line("return " + e + ".fromValue(_getShortField(" + f.offset() + m + ") & 0xffff);");
      w.close();
      w.line("");
      w.javadoc(doc);
      w.open("public void " + methodName("set", f) + "(" + e + " value)");
      if (disc != null) {
        w.line(disc);
      }
      w.line("_setShortField(" + f.offset() + ", (short) value.value()" + m + ");");
      w.close();
      return;
    }
    if (!k.isPointer()) {
      String jt = FileGenerator.primitiveJavaType(k);
      String m = mask(k, defaultBits(f));
      w.line("");
      w.javadoc(doc);
      w.open("public " + jt + " " + methodName("get", f) + "()");
      w.line("return _get" + accessor(k) + "Field(" + f.offset() + m + ");");
      w.close();
      w.line("");
      w.javadoc(doc);
      w.open("public void " + methodName("set", f) + "(" + jt + " value)");
      if (disc != null) {
        w.line(disc);
      }
      w.line("_set" + accessor(k) + "Field(" + f.offset() + ", value" + m + ");");
      w.close();
      return;
    }
    JType jt = types.pointer(f.type(), ctx.chain);
    String factory = fieldFactory(ctx, f, jt, true);
    emitHas(ctx, f, null);
    w.line("");
    w.javadoc(doc);
    w.open("public " + jt.builder() + " " + methodName("get", f) + "()");
    w.line("return _getPointerField(" + factory + ", " + f.offset() + pointerDefault(ctx, f)
        + ");");
    w.close();
    w.line("");
    w.line("/** Sets {@code " + f.name() + "} to a deep copy of {@code value}. */");
    w.open("public void " + methodName("set", f) + "(" + jt.reader() + " value)");
    if (disc != null) {
      w.line(disc);
    }
    w.line("_setPointerField(" + factory + ", " + f.offset() + ", value);");
    w.close();
    if (k == Kind.TEXT) {
      w.line("");
      w.line("/** Sets {@code " + f.name() + "} to the UTF-8 encoding of {@code value}. */");
      w.open("public void " + methodName("set", f) + "(java.lang.String value)");
      if (disc != null) {
        w.line(disc);
      }
      w.line("_setTextField(" + f.offset() + ", value);");
      w.close();
    }
    if (k == Kind.DATA) {
      w.line("");
      w.line("/** Sets {@code " + f.name() + "} to a copy of {@code value}. */");
      w.open("public void " + methodName("set", f) + "(byte[] value)");
      if (disc != null) {
        w.line(disc);
      }
      w.line("_setPointerField(" + factory + ", " + f.offset() + ", new " + RT
          + "Data.Reader(value));");
      w.close();
    }
    boolean sized = k == Kind.TEXT || k == Kind.DATA || k == Kind.LIST;
    boolean param = k == Kind.ANY_POINTER && !jt.constant();
    // AnyStruct/AnyList have no size to initialise with: use get/set/adopt instead.
    boolean noInit = jt == JavaTypes.ANY_STRUCT || jt == JavaTypes.ANY_LIST;
    if ((!sized || param) && !noInit) {
      w.line("");
      w.line("/** Replaces {@code " + f.name() + "} with a new, empty value and returns it. */");
      w.open("public " + jt.builder() + " " + methodName("init", f) + "()");
      if (disc != null) {
        w.line(disc);
      }
      w.line("return " + typedInit(k, factory, f.offset(), param, null) + ";");
      w.close();
      if (k == Kind.STRUCT && !param && jt.builder().indexOf('<') < 0) {
        emitInitReuse(f, jt, factory, disc);
      }
    }
    if (sized || param) {
      w.line("");
      w.line("/** Replaces {@code " + f.name() + "} with a new value of {@code size} elements"
          + " (bytes for Text/Data) and returns it. */");
      w.open("public " + jt.builder() + " " + methodName("init", f) + "(int size)");
      if (disc != null) {
        w.line(disc);
      }
      w.line("return " + typedInit(k, factory, f.offset(), param, "size") + ";");
      w.close();
    }
    w.line("");
    w.line("/** Detaches {@code " + f.name() + "} from the message, leaving it null. */");
    w.open("public " + RT + "Orphan<" + jt.builder() + "> " + methodName("disown", f) + "()");
    w.line("return _disownPointerField(" + factory + ", " + f.offset() + ");");
    w.close();
    w.line("");
    w.line("/** Moves {@code value} into {@code " + f.name() + "}. */");
    w.open("public void " + methodName("adopt", f) + "(" + RT + "Orphan<" + jt.builder()
        + "> value)");
    if (disc != null) {
      w.line(disc);
    }
    w.line("_adoptPointerField(" + f.offset() + ", value);");
    w.close();
  }

  /**
   * A Builder's {@code initX(reuse)} for a struct field: {@code initX()} that moves
   * {@code reuse}, a builder of the field's type, to the new struct instead of making a new
   * builder (the twin of the Readers' {@code getX(reuse)}), so that code writing many messages
   * of the same shape (the RPC core's Call targets) can do it with the same few builders,
   * allocating nothing, with or without escape analysis. Only for structs without type
   * parameters: a generic struct's builder also holds the factories of its brand, which two
   * brands with the same Java types (e.g. {@code List(Int8)} and {@code List(UInt8)}) may not
   * share.
   */
  private void emitInitReuse(Field f, JType jt, String factory, String disc) {
    w.line("");
    w.line("/** {@code " + methodName("init", f) + "()} into {@code reuse}, moved to the new"
        + " value and returned (a new builder if {@code reuse} is null). */");
    w.open("public " + jt.builder() + " " + methodName("init", f) + "(" + jt.builder()
        + " reuse)");
    if (disc != null) {
      w.line(disc);
    }
    w.line("return _initStructField(" + factory + ", " + f.offset() + ", reuse);");
    w.close();
  }

  private static final String CAPABILITY = InterfaceGenerator.RPC + "Capability";

  /**
   * The Java type of a capability field: the typed client of its interface, or the untyped
   * {@code Capability} (for {@code Capability} fields, and for generic interfaces whose type
   * arguments depend on type variables the Reader does not have).
   */
  private String capabilityType(StructContext ctx, Field f) {
    if (f.type().kind() != Kind.INTERFACE) {
      return CAPABILITY;
    }
    JavaTypes.ClientType ct = types.client(f.type().typeId(), f.type().brand(), ctx.chain);
    return ct.constant() ? ct.type() : CAPABILITY;
  }

  private String wrapCapability(StructContext ctx, Field f, String pointer) {
    String cap = CAPABILITY + ".fromPointer(" + pointer + ")";
    if (capabilityType(ctx, f).equals(CAPABILITY)) {
      return cap;
    }
    return types.client(f.type().typeId(), f.type().brand(), ctx.chain).wrap(cap);
  }

  private void emitCapabilityGetter(StructContext ctx, Field f, String doc, String asReader) {
    w.line("");
    w.javadoc(capabilityDoc(doc, f));
    w.open("public " + capabilityType(ctx, f) + " " + methodName("get", f) + "()");
    String pointer = "_getPointerField(" + RT + "AnyPointer.FACTORY, " + f.offset() + ")" + asReader;
    String expr = wrapCapability(ctx, f, "\n" + pointer);
    String[] parts = ("return " + expr + ";").split("\n");
    w.line(parts[0]);
    w.line("    " + parts[1]);
    w.close();
  }

  private void emitCapabilitySetter(Field f, String disc, String type, String capability) {
    w.line("");
    w.line("/** Sets {@code " + f.name() + "} to {@code value} (the message takes its own"
        + " reference); null clears it. */");
    w.open("public void " + methodName("set", f) + "(" + type + " value)");
    if (disc != null) {
      w.line(disc);
    }
    w.line("_clearPointerField(" + f.offset() + ");");
    w.open("if (value != null)");
    w.line(capability + ".writeTo(_getPointerField(" + RT + "AnyPointer.FACTORY, " + f.offset()
        + "));");
    w.close();
    w.close();
  }

  private static String capabilityDoc(String doc, Field f) {
    return (doc != null ? doc.strip() + "\n\n" : "The capability {@code " + f.name() + "}. ")
        + "Each call returns a new reference (close it); a null pointer gives a broken"
        + " capability.";
  }

  /** Statements zeroing every field of a group (recursively), as {@code initGroup()} does. */
  private List<String> clearGroup(Node group) {
    Set<String> out = new LinkedHashSet<>();
    clearGroup(group, out);
    return new ArrayList<>(out);
  }

  private void clearGroup(Node group, Set<String> out) {
    Model.StructInfo s = group.struct();
    if (s.discriminantCount() > 0) {
      out.add("_setShortField(" + s.discriminantOffset() + ", (short) 0);");
    }
    for (Field f : s.fields()) {
      if (f.isGroup()) {
        clearGroup(request.node(f.groupId()), out);
        continue;
      }
      Kind k = f.type().kind();
      String o = Integer.toString(f.offset());
      switch (k) {
        case VOID -> { }
        case BOOL -> out.add("_setBooleanField(" + o + ", false);");
        case INT8, UINT8 -> out.add("_setByteField(" + o + ", (byte) 0);");
        case INT16, UINT16, ENUM -> out.add("_setShortField(" + o + ", (short) 0);");
        case INT32, UINT32 -> out.add("_setIntField(" + o + ", 0);");
        case INT64, UINT64 -> out.add("_setLongField(" + o + ", 0L);");
        case FLOAT32 -> out.add("_setFloatField(" + o + ", 0f);");
        case FLOAT64 -> out.add("_setDoubleField(" + o + ", 0d);");
        default -> out.add("_clearPointerField(" + o + ");");
      }
    }
  }
}
