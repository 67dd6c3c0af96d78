package dev.capnp.compiler;

import static dev.capnp.compiler.JavaTypes.RT;

import dev.capnp.compiler.Model.Field;
import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.Model.Request;
import dev.capnp.compiler.NodeNaming.Param;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Emits the class of a struct or group: type id, size, factory (or generic {@code factory(...)}),
 * {@code Which}, nested declarations, and the {@code Reader} and {@code Builder} classes.
 */
final class StructGenerator {
  private final FileGenerator file;
  private final Request request;
  private final NodeNaming naming;
  private final JavaTypes types;
  private final SourceWriter w;
  private final FieldAccessors fields;

  StructGenerator(FileGenerator file) {
    this.file = file;
    this.request = file.request;
    this.naming = file.naming;
    this.types = file.types;
    this.w = file.w;
    this.fields = new FieldAccessors(file);
  }



  /** Emits the class of struct or group {@code n}. */
  void emit(Node n, String doc) {
    StructContext ctx = new StructContext(n, types, naming);
    String name = naming.className(n.id()).simpleName();
    Model.StructInfo s = n.struct();
    w.javadoc(doc != null ? doc : (s.isGroup() ? "Group {@code " : "Struct {@code ")
        + n.shortName() + "}.");
    w.open("public static final class " + name);
    w.line("private " + name + "() {}");
    w.line("");
    w.line("/** The " + (s.isGroup() ? "group" : "struct") + "'s type id. */");
    w.line("public static final long TYPE_ID = " + FileGenerator.hex(n.id()) + ";");
    w.line("");
    if (!s.isGroup()) {
      emitFactory(ctx, s);
      if (!ctx.generic()) {
        emitListReader(ctx);
      }
    }
    if (s.discriminantCount() > 0) {
      emitWhich(n);
    }
    file.emitMembers(n, n.id());
    for (Field f : s.fields()) {
      if (f.isGroup()) {
        emit(request.node(f.groupId()), file.memberDoc(n.id(), f.index()));
      }
    }
    emitReader(ctx);
    emitBuilder(ctx);
    if (file.rpc && !n.displayName().endsWith("$Params")) {
      emitPipeline(ctx);
    }
    if (!ctx.statics.isEmpty()) {
      w.line("");
    }
    for (String st : ctx.statics) {
      w.line(st);
    }
    w.close();
    w.line("");
  }

  private void emitFactory(StructContext ctx, Model.StructInfo s) {
    w.line("/** Data and pointer section sizes of new instances. */");
    w.line("public static final " + RT + "StructSize SIZE = new " + RT + "StructSize("
        + s.dataWordCount() + ", " + s.pointerCount() + ");");
    w.line("");
    String bv = ctx.generic() ? "<" + ctx.builderVars() + ">" : "";
    String readerT = ctx.readerType(ctx.self, ctx.chain);
    String builderT = ctx.builderType(ctx.self, ctx.chain);
    if (ctx.generic()) {
      w.line("/** A factory for this struct with the given type arguments. */");
      List<String> params = new ArrayList<>();
      StringBuilder args = new StringBuilder();
      for (Param p : ctx.chain) {
        if (args.length() > 0) {
          args.append(", ");
        }
        params.add(RT + "PointerFactory<" + p.builderVar() + ", " + p.readerVar() + "> "
            + p.factoryField() + (params.size() == ctx.chain.size() - 1 ? ")" : ","));
        args.append(p.factoryField());
      }
      w.openWrapped("public static " + bv + " " + ctx.self + ".Factory" + bv + " factory(",
          params.toArray(new String[0]));
      w.line("return new " + ctx.self + ".Factory<>(" + args + ");");
      w.close();
    } else {
      w.line("/** Creates readers and builders of this struct. */");
      w.line("public static final " + ctx.self + ".Factory FACTORY = new " + ctx.self
          + ".Factory();");
    }
    w.line("");
    w.line("/** Creates readers and builders of this struct (used by the runtime). */");
    w.openWrapped("public static final class Factory" + bv,
        "extends " + RT + "StructFactory<" + builderT + ", " + readerT + ">",
        file.emitToString ? "implements " + SCHEMA_TYPED : "");
    for (Param p : ctx.chain) {
      w.line("private final " + RT + "PointerFactory<" + p.builderVar() + ", " + p.readerVar()
          + "> " + p.factoryField() + ";");
    }
    if (ctx.generic()) {
      w.line("");
    }
    StringBuilder ctorParams = new StringBuilder();
    for (Param p : ctx.chain) {
      if (ctorParams.length() > 0) {
        ctorParams.append(", ");
      }
      ctorParams.append(RT + "PointerFactory<").append(p.builderVar()).append(", ")
          .append(p.readerVar()).append("> ").append(p.factoryField());
    }
    w.open("private Factory(" + ctorParams + ")");
    w.line("super(SIZE);");
    for (Param p : ctx.chain) {
      w.line("this." + p.factoryField() + " = " + p.factoryField() + ";");
    }
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.openWrapped("public " + readerT + " constructReader(",
        RT + "SegmentReader segment, " + RT + "CapTableReader capTable, int dataOffset,",
        "int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit)");
    w.line("return new " + ctx.self + ".Reader" + ctx.diamond() + "(" + ctx.factoryArgs()
        + "segment, capTable, dataOffset, dataSizeBits, pointerOffset,");
    w.line("    pointerCount, nestingLimit);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.openWrapped("public " + builderT + " constructBuilder(",
        RT + "SegmentBuilder segment, " + RT + "CapTableBuilder capTable, int dataOffset,",
        "int dataSizeBits, int pointerOffset, int pointerCount)");
    w.line("return new " + ctx.self + ".Builder" + ctx.diamond() + "(" + ctx.factoryArgs()
        + "segment, capTable, dataOffset, dataSizeBits, pointerOffset,");
    w.line("    pointerCount);");
    w.close();
    if (file.emitToString) {
      w.line("");
      w.line("@java.lang.Override");
      w.open("public " + DYNAMIC + "DynamicType schemaType()");
      w.line("return " + DYNAMIC + "TypeArguments.structType(" + schemaArgs(ctx) + ");");
      w.close();
    }
    w.close();
    w.line("");
  }

  /**
   * Emits {@code ListReader}, {@code _ListIterator}, {@code ListBuilder}, {@code _ListFactory}
   * and {@code _LIST_FACTORY}: the reader and builder of a {@code List(ThisStruct)} whose element
   * access and iterator are this struct's own code. Iterating through runtime code shared by
   * every struct type would construct element readers (and builders) at one call site that the
   * JIT sees with many types, which keeps escape analysis from removing them; here each struct
   * type has its own, so a for-each over a list allocates nothing once inlined.
   */
  private void emitListReader(StructContext ctx) {
    String self = ctx.self;
    String reader = self + ".Reader";
    w.line("/** A {@code List(" + self + ")} being read, with this struct's own element access."
        + " */");
    w.openWrapped("public static final class ListReader",
        "extends " + RT + "StructList.Reader<" + reader + ">");
    w.openWrapped("private ListReader(",
        RT + "SegmentReader segment, " + RT + "CapTableReader capTable, int ptr,",
        "int elementCount, int step, int structDataSize, int structPointerCount,",
        RT + "ElementSize elementSize, int nestingLimit)");
    w.line("super(FACTORY, segment, capTable, ptr, elementCount, step, structDataSize,");
    w.line("    structPointerCount, elementSize, nestingLimit);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.open("public " + reader + " get(int index)");
    w.line("return _getStructElement(FACTORY, index);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.open("public java.util.Iterator<" + reader + "> iterator()");
    w.line("return new " + self + "._ListIterator(this);");
    w.close();
    w.close();
    w.line("");
    w.line("/** Iterates over a {@link ListReader}. */");
    w.openWrapped("private static final class _ListIterator",
        "implements java.util.Iterator<" + reader + ">");
    w.line("private final " + self + ".ListReader list;");
    w.line("private int next;");
    w.line("");
    w.open("_ListIterator(" + self + ".ListReader list)");
    w.line("this.list = list;");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.open("public boolean hasNext()");
    w.line("return next < list.size();");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.open("public " + reader + " next()");
    w.open("if (next >= list.size())");
    w.line("throw new java.util.NoSuchElementException();");
    w.close();
    w.line("return list.get(next++);");
    w.close();
    w.close();
    w.line("");
    String builders = RT + "StructList.Builder<" + self + ".Builder>";
    w.line("/** A {@code List(" + self + ")} being built, with this struct's own element access."
        + " */");
    w.openWrapped("public static final class ListBuilder", "extends " + builders);
    w.openWrapped("private ListBuilder(",
        RT + "SegmentBuilder segment, " + RT + "CapTableBuilder capTable, int ptr,",
        "int elementCount, int step, int structDataSize, int structPointerCount,",
        RT + "ElementSize elementSize)");
    w.line("super(FACTORY, segment, capTable, ptr, elementCount, step, structDataSize,");
    w.line("    structPointerCount, elementSize);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.open("public " + self + ".Builder get(int index)");
    w.line("return _getStructElement(FACTORY, index);");
    w.close();
    w.close();
    w.line("");
    w.line("/** Reads and builds {@code List(" + self + ")} as {@link ListReader}s and"
        + " {@link ListBuilder}s. */");
    w.openWrapped("public static final class _ListFactory",
        "extends " + RT + "ListFactory<" + builders + ", " + RT + "StructList.Reader<" + reader
            + ">>");
    w.open("private _ListFactory()");
    w.line("super(SIZE);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.openWrapped("public " + self + ".ListReader constructReader(",
        RT + "SegmentReader segment, " + RT + "CapTableReader capTable, int ptr,",
        "int elementCount, int step, int structDataSize, int structPointerCount,",
        RT + "ElementSize elementSize, int nestingLimit)");
    w.line("return new " + self + ".ListReader(segment, capTable, ptr, elementCount, step,");
    w.line("    structDataSize, structPointerCount, elementSize, nestingLimit);");
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.openWrapped("public " + self + ".ListBuilder constructBuilder(",
        RT + "SegmentBuilder segment, " + RT + "CapTableBuilder capTable, int ptr,",
        "int elementCount, int step, int structDataSize, int structPointerCount,",
        RT + "ElementSize elementSize)");
    w.line("return new " + self + ".ListBuilder(segment, capTable, ptr, elementCount, step,");
    w.line("    structDataSize, structPointerCount, elementSize);");
    w.close();
    w.close();
    w.line("");
    w.line("/** Reads and builds {@code List(" + self + ")} (used by generated code). */");
    w.line("public static final " + self + "._ListFactory _LIST_FACTORY = new " + self
        + "._ListFactory();");
    w.line("");
  }

  private static final String DYNAMIC = "dev.capnp.dynamic.";
  private static final String SCHEMA_TYPED = DYNAMIC + "SchemaTyped";

  /**
   * Arguments locating this struct's schema with its type parameters bound: the outer class's
   * {@code SCHEMA}, {@code TYPE_ID}, then (generic) the scope of each parameter and the
   * factories bound to them.
   */
  private String schemaArgs(StructContext ctx) {
    StringBuilder sb = new StringBuilder(types.outerRef(file.fileId) + ".SCHEMA, TYPE_ID, ");
    StringBuilder scopes = new StringBuilder();
    StringBuilder factories = new StringBuilder();
    for (Param p : ctx.chain) {
      scopes.append(scopes.length() > 0 ? ", " : "").append(FileGenerator.hex(p.scopeId()));
      factories.append(", ").append(p.factoryField());
    }
    return sb.append("new long[] {").append(scopes).append('}').append(factories).toString();
  }

  private static List<Field> unionMembers(Node n) {
    List<Field> members = new ArrayList<>();
    for (Field f : n.struct().fields()) {
      if (f.inUnion()) {
        members.add(f);
      }
    }
    members.sort(Comparator.comparingInt(Field::discriminantValue));
    return members;
  }

  private static List<String> whichConstants(Node n) {
    Set<String> used = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (Field f : unionMembers(n)) {
      String c = Names.upperSnake(f.name());
      while (!used.add(c)) {
        c = c + "_";
      }
      out.add(c);
    }
    return out;
  }

  private void emitWhich(Node n) {
    w.line("/** Which member of the union is set. */");
    w.open("public enum Which");
    List<Field> members = unionMembers(n);
    List<String> constants = whichConstants(n);
    for (int i = 0; i < members.size(); i++) {
      w.line("/** {@code " + members.get(i).name() + "}. */");
      w.line(constants.get(i) + ",");
    }
    w.line("/** A member not defined in the schema this code was generated from. */");
    w.line("_NOT_IN_SCHEMA");
    w.close();
    w.line("");
  }


  private static List<Field> byCodeOrder(Node n) {
    List<Field> fields = new ArrayList<>(n.struct().fields());
    fields.sort(Comparator.comparingInt(Field::codeOrder));
    return fields;
  }

  private void emitReader(StructContext ctx) {
    Node n = ctx.node;
    String rv = ctx.generic() ? "<" + ctx.readerVars() + ">" : "";
    w.javadoc("Reader for {@code " + n.shortName() + "}.");
    w.open("public static final class Reader" + rv + " extends " + RT + "StructReader");
    for (Param p : ctx.chain) {
      w.line("private final " + RT + "PointerFactory<?, " + p.readerVar() + "> "
          + p.factoryField() + ";");
    }
    if (ctx.generic()) {
      w.line("");
    }
    String fp = factoryParams(ctx, false);
    w.openWrapped("private Reader(", fp.strip(),
        RT + "SegmentReader segment, " + RT + "CapTableReader capTable, int dataOffset,",
        "int dataSizeBits, int pointerOffset, int pointerCount, int nestingLimit)");
    w.line("super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount, "
        + "nestingLimit);");
    assignFactories(ctx);
    w.close();
    emitGroupConstructor(ctx, "Reader", fp);
    emitMembers(ctx, false);
    w.close();
    w.line("");
  }

  /** A group's Reader or Builder is constructed from its parent's (sharing its location). */
  private void emitGroupConstructor(StructContext ctx, String kind, String factoryParams) {
    if (ctx.node.struct().isGroup()) {
      w.line("");
      w.open("private " + kind + "(" + factoryParams + RT + "Struct" + kind + " parent)");
      w.line("super(parent);");
      assignFactories(ctx);
      w.close();
    }
  }

  /**
   * The members of a Reader or Builder after its constructors: {@code which()}, the field
   * accessors, the lazily created factories they use, and {@code toString()}.
   */
  private void emitMembers(StructContext ctx, boolean builder) {
    Node n = ctx.node;
    if (n.struct().discriminantCount() > 0) {
      emitWhichMethod(n, ctx);
    }
    ctx.instanceMembers.clear();
    ctx.instanceNames.clear();
    for (Field f : byCodeOrder(n)) {
      if (builder) {
        fields.builderField(ctx, f);
      } else {
        fields.readerField(ctx, f);
      }
    }
    for (String line : ctx.instanceMembers) {
      w.line(line);
    }
    if (file.emitToString) {
      w.line("");
      w.line("@java.lang.Override");
      w.open("public java.lang.String toString()");
      w.line(builder ? "return asReader().toString();"
          : "return " + DYNAMIC + "TextFormat.toString(this, " + (ctx.generic()
              ? schemaArgs(ctx) : types.outerRef(file.fileId) + ".SCHEMA, TYPE_ID") + ");");
      w.close();
    }
  }

  private static final String RPC_PIPELINE = InterfaceGenerator.RPC + "Pipeline";

  /**
   * Emits {@code Pipeline}: typed access to the capabilities of a promised struct (in results
   * not yet received). Type parameters are not tracked: their fields give untyped pipelines.
   */
  private void emitPipeline(StructContext ctx) {
    Node n = ctx.node;
    w.line("");
    w.javadoc("Pipelined access to a promised {@code " + n.shortName() + "} (in call results not"
        + " yet received):\nits capabilities can be called at once.");
    w.open("public static final class Pipeline");
    w.line("private final " + RPC_PIPELINE + " _pipeline;");
    w.line("");
    w.line("/** Wraps an untyped pipeline that points at a {@code " + n.shortName() + "}. */");
    w.open("public Pipeline(" + RPC_PIPELINE + " pipeline)");
    w.line("this._pipeline = pipeline;");
    w.close();
    w.line("");
    w.line("/** The untyped pipeline. */");
    w.open("public " + RPC_PIPELINE + " untyped()");
    w.line("return _pipeline;");
    w.close();
    for (Field f : byCodeOrder(n)) {
      pipelineField(n, f);
    }
    w.close();
  }

  private void pipelineField(Node n, Field f) {
    String getter = Names.method("get" + Names.upperCamel(f.name()));
    String doc = file.memberDoc(n.id(), f.index());
    String type;
    String expr;
    if (f.isGroup()) {
      type = types.className(f.groupId()) + ".Pipeline";
      expr = "new " + type + "(_pipeline)";
    } else {
      Model.Type t = f.type();
      String pointer = "_pipeline.getPointerField(" + f.offset() + ")";
      if (t.kind() == Model.Kind.INTERFACE) {
        JavaTypes.ClientType ct = types.client(t.typeId(), t.brand(), List.of());
        type = ct.type();
        expr = ct.wrap(pointer + ".asCapability()");
      } else if (JavaTypes.isCapability(t)) {
        type = InterfaceGenerator.RPC + "Capability";
        expr = pointer + ".asCapability()";
      } else if (t.kind() == Model.Kind.STRUCT && naming.hasRpc(naming.fileOf(t.typeId()))) {
        type = types.className(t.typeId()) + ".Pipeline";
        expr = "new " + type + "(" + pointer + ")";
      } else if (t.kind() == Model.Kind.ANY_POINTER
          && (t.anyKind() != Model.AnyPointerKind.UNCONSTRAINED || t.typeId() == 0)) {
        type = RPC_PIPELINE;
        expr = pointer;
      } else {
        return;
      }
    }
    w.line("");
    String what = type.equals(RPC_PIPELINE) ? "The pipeline of {@code " + f.name() + "}."
        : type.endsWith(".Pipeline") ? "The pipeline of {@code " + f.name() + "}."
        : "The promised capability {@code " + f.name() + "}, callable at once (a new reference;"
          + " close it).";
    w.javadoc(doc != null ? doc.strip() + "\n\n" + what : what);
    w.open("public " + type + " " + getter + "()");
    w.line("return " + expr + ";");
    w.close();
  }

  private String factoryParams(StructContext ctx, boolean builder) {
    StringBuilder sb = new StringBuilder();
    for (Param p : ctx.chain) {
      sb.append(RT + "PointerFactory<").append(builder ? p.builderVar() : "?").append(", ")
          .append(p.readerVar()).append("> ").append(p.factoryField()).append(", ");
    }
    return sb.toString();
  }

  private void assignFactories(StructContext ctx) {
    for (Param p : ctx.chain) {
      w.line("this." + p.factoryField() + " = " + p.factoryField() + ";");
    }
  }

  private void emitWhichMethod(Node n, StructContext ctx) {
    w.line("");
    w.line("/** Which member of the union is set. */");
    w.open("public " + ctx.self + ".Which which()");
    w.line("return switch (_getShortField(" + n.struct().discriminantOffset() + ") & 0xffff) {");
    List<Field> members = unionMembers(n);
    List<String> constants = whichConstants(n);
    for (int i = 0; i < members.size(); i++) {
      w.line("  case " + members.get(i).discriminantValue() + " -> " + ctx.self + ".Which."
          + constants.get(i) + ";");
    }
    w.line("  default -> " + ctx.self + ".Which._NOT_IN_SCHEMA;");
    w.line("};");
    w.close();
  }

  private void emitBuilder(StructContext ctx) {
    Node n = ctx.node;
    String bv = ctx.generic() ? "<" + ctx.builderVars() + ">" : "";
    w.javadoc("Builder for {@code " + n.shortName() + "}.");
    w.open("public static final class Builder" + bv + " extends " + RT + "StructBuilder");
    for (Param p : ctx.chain) {
      w.line("private final " + RT + "PointerFactory<" + p.builderVar() + ", " + p.readerVar()
          + "> " + p.factoryField() + ";");
    }
    if (ctx.generic()) {
      w.line("");
    }
    String fp = factoryParams(ctx, true);
    w.openWrapped("private Builder(", fp.strip(),
        RT + "SegmentBuilder segment, " + RT + "CapTableBuilder capTable, int dataOffset,",
        "int dataSizeBits, int pointerOffset, int pointerCount)");
    w.line("super(segment, capTable, dataOffset, dataSizeBits, pointerOffset, pointerCount);");
    assignFactories(ctx);
    w.close();
    emitGroupConstructor(ctx, "Builder", fp);
    w.line("");
    w.line("/** A reader of the same struct. */");
    w.open("public " + ctx.readerType(ctx.self, ctx.chain) + " asReader()");
    w.line("return new " + ctx.self + ".Reader" + ctx.diamond() + "(" + ctx.factoryArgs()
        + "_segment(), _capTable(), _dataOffset(), _dataSizeBits(),");
    w.line("    _pointerOffset(), _pointerCount(), java.lang.Integer.MAX_VALUE);");
    w.close();
    emitMembers(ctx, true);
    w.close();
  }
}
