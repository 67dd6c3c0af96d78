package dev.capnp.schemac;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.StructList;
import dev.capnp.schema.Schema;
import dev.capnp.schemac.Declaration.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Compiles one {@link DeclNode} into its schema node, plus the group nodes of a struct or the
 * parameter structs of an interface's methods, with their source info (C++:
 * {@code NodeTranslator}). Values of pointer type (struct, list, AnyPointer) are compiled in
 * {@link #finish()}, once every node they may depend on has its layout.
 */
final class NodeTranslator {
  /** A node with the source info that goes with it. */
  record Output(MessageBuilder message, Schema.Node.Builder node,
      Schema.Node.SourceInfo.Builder sourceInfo) {
    static Output create() {
      MessageBuilder message = new MessageBuilder(256);
      Schema.Node.Builder node = message.initRoot(Schema.Node.FACTORY);
      Schema.Node.SourceInfo.Builder info = new MessageBuilder(64)
          .initRoot(Schema.Node.SourceInfo.FACTORY);
      return new Output(message, node, info);
    }
  }

  /** A value of pointer type to compile in {@link #finish()}. */
  private record UnfinishedValue(Expression source, Schema.Type.Reader type,
      Schema.Value.Builder target) {}

  final DeclNode node;
  final Module module;
  final BrandScope localBrand;
  final Output main = Output.create();
  final List<Output> groups = new ArrayList<>();
  final List<Output> paramStructs = new ArrayList<>();
  private final List<UnfinishedValue> unfinished = new ArrayList<>();

  NodeTranslator(DeclNode node) {
    this.node = node;
    this.module = node.module;
    this.localBrand = BrandScope.forDeclaration(module, node.id, node.genericParamCount, node);
  }

  /** The nodes (main first, then groups or parameter structs). */
  List<Output> outputs() {
    List<Output> all = new ArrayList<>();
    all.add(main);
    all.addAll(groups);
    all.addAll(paramStructs);
    return all;
  }

  void bootstrap() {
    Schema.Node.Builder builder = main.node();
    builder.setId(node.id);
    String displayName = node.displayName;
    builder.setDisplayName(displayName);
    int prefix = displayName.lastIndexOf('.') + 1;
    int colon = displayName.lastIndexOf(':');
    if (colon + 1 > prefix) {
      prefix = colon + 1;
    }
    builder.setDisplayNamePrefixLength(prefix);
    if (node.parent != null) {
      builder.setScopeId(node.parent.id);
    }
    var nested = builder.initNestedNodes(node.orderedNested.size());
    for (int i = 0; i < node.orderedNested.size(); i++) {
      DeclNode child = node.orderedNested.get(i);
      nested.get(i).setName(child.decl.nameText());
      nested.get(i).setId(child.id);
    }
    compileNode(node.decl, builder);
  }

  void finish() {
    ValueTranslator values = new ValueTranslator(this);
    for (UnfinishedValue value : unfinished) {
      values.compile(value.source(), value.type(), value.target(), false);
    }
    unfinished.clear();
  }

  private void compileNode(Declaration decl, Schema.Node.Builder builder) {
    new NameChecker(module).check(decl.nested, decl.kind);
    if (!decl.parameters.isEmpty()) {
      var params = builder.initParameters(decl.parameters.size());
      for (int i = 0; i < decl.parameters.size(); i++) {
        params.get(i).setName(decl.parameters.get(i).value());
      }
    }
    builder.setIsGeneric(localBrand.isGeneric());
    Declaration.Target target;
    switch (decl.kind) {
      case FILE -> target = Declaration.Target.FILE;
      case CONST -> {
        var c = builder.initConst();
        var type = c.initType();
        if (compileType(decl.target, type, ImplicitParams.NONE)) {
          compileBootstrapValue(decl.value, type.asReader(), c.initValue());
        }
        target = Declaration.Target.CONST;
      }
      case ANNOTATION -> {
        var a = builder.initAnnotation();
        compileType(decl.target, a.initType(), ImplicitParams.NONE);
        setTargets(a, decl.targets);
        target = Declaration.Target.ANNOTATION;
      }
      case ENUM -> {
        compileEnum(decl, builder);
        target = Declaration.Target.ENUM;
      }
      case STRUCT -> {
        new StructTranslator(this, ImplicitParams.NONE).translate(decl.nested, builder,
            main.sourceInfo(), decl);
        target = Declaration.Target.STRUCT;
      }
      case INTERFACE -> {
        new InterfaceTranslator(this).translate(decl, builder);
        target = Declaration.Target.INTERFACE;
      }
      default -> throw new IllegalStateException("not a node: " + decl.kind);
    }
    compileAnnotations(decl.annotations, target, builder::initAnnotations);
    main.sourceInfo().setId(node.id);
    if (decl.docComment != null) {
      main.sourceInfo().setDocComment(decl.docComment);
    }
  }

  private static void setTargets(Schema.Node.Annotation.Builder a,
      java.util.EnumSet<Declaration.Target> targets) {
    a.setTargetsFile(targets.contains(Declaration.Target.FILE));
    a.setTargetsConst(targets.contains(Declaration.Target.CONST));
    a.setTargetsEnum(targets.contains(Declaration.Target.ENUM));
    a.setTargetsEnumerant(targets.contains(Declaration.Target.ENUMERANT));
    a.setTargetsStruct(targets.contains(Declaration.Target.STRUCT));
    a.setTargetsField(targets.contains(Declaration.Target.FIELD));
    a.setTargetsUnion(targets.contains(Declaration.Target.UNION));
    a.setTargetsGroup(targets.contains(Declaration.Target.GROUP));
    a.setTargetsInterface(targets.contains(Declaration.Target.INTERFACE));
    a.setTargetsMethod(targets.contains(Declaration.Target.METHOD));
    a.setTargetsParam(targets.contains(Declaration.Target.PARAM));
    a.setTargetsAnnotation(targets.contains(Declaration.Target.ANNOTATION));
  }

  static boolean targets(Schema.Node.Annotation.Reader a, Declaration.Target target) {
    return switch (target) {
      case FILE -> a.getTargetsFile();
      case CONST -> a.getTargetsConst();
      case ENUM -> a.getTargetsEnum();
      case ENUMERANT -> a.getTargetsEnumerant();
      case STRUCT -> a.getTargetsStruct();
      case FIELD -> a.getTargetsField();
      case UNION -> a.getTargetsUnion();
      case GROUP -> a.getTargetsGroup();
      case INTERFACE -> a.getTargetsInterface();
      case METHOD -> a.getTargetsMethod();
      case PARAM -> a.getTargetsParam();
      case ANNOTATION -> a.getTargetsAnnotation();
    };
  }

  private void compileEnum(Declaration decl, Schema.Node.Builder builder) {
    List<Declaration> enumerants = new ArrayList<>();
    List<Integer> codeOrders = new ArrayList<>();
    for (Declaration member : decl.nested) {
      if (member.kind == Kind.ENUMERANT) {
        codeOrders.add(enumerants.size());
        enumerants.add(member);
      }
    }
    List<Integer> order = sortedByOrdinal(enumerants);
    var list = builder.initEnum().initEnumerants(enumerants.size());
    var infos = main.sourceInfo().initMembers(enumerants.size());
    OrdinalChecker ordinals = new OrdinalChecker(module);
    for (int i = 0; i < order.size(); i++) {
      Declaration e = enumerants.get(order.get(i));
      ordinals.check(e);
      if (e.docComment != null) {
        infos.get(i).setDocComment(e.docComment);
      }
      var b = list.get(i);
      b.setName(e.nameText());
      b.setCodeOrder((short) (int) order.get(i));
      compileAnnotations(e.annotations, Declaration.Target.ENUMERANT, b::initAnnotations);
    }
  }

  /** Indexes of {@code decls} sorted by ordinal (stable, like a multimap). */
  static List<Integer> sortedByOrdinal(List<Declaration> decls) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < decls.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong(i -> decls.get(i).ordinal));
    return order;
  }

  // ---- types, values and annotations ----

  BrandedDecl compileDeclExpression(Expression source, ImplicitParams implicitParams) {
    return localBrand.compileDeclExpression(source, node, implicitParams);
  }

  boolean compileType(Expression source, Schema.Type.Builder target, ImplicitParams implicit) {
    BrandedDecl decl = compileDeclExpression(source, implicit);
    return decl != null && decl.compileAsType(module, target);
  }

  static void compileDefaultDefaultValue(Schema.Type.Reader type, Schema.Value.Builder target) {
    switch (type.which()) {
      case VOID -> target.setVoid();
      case BOOL -> target.setBool(false);
      case INT8 -> target.setInt8((byte) 0);
      case INT16 -> target.setInt16((short) 0);
      case INT32 -> target.setInt32(0);
      case INT64 -> target.setInt64(0);
      case UINT8 -> target.setUint8((byte) 0);
      case UINT16 -> target.setUint16((short) 0);
      case UINT32 -> target.setUint32(0);
      case UINT64 -> target.setUint64(0);
      case FLOAT32 -> target.setFloat32(0);
      case FLOAT64 -> target.setFloat64(0);
      case ENUM -> target.setEnum((short) 0);
      case INTERFACE -> target.setInterface();
      case TEXT -> {
        target.setText("");
        target.disownText();
      }
      case DATA -> {
        target.setData(new byte[0]);
        target.disownData();
      }
      case STRUCT -> target.initStruct();
      case LIST -> target.initList();
      case ANY_POINTER -> target.initAnyPointer();
      default -> throw new IllegalStateException("unknown type " + type.which());
    }
  }

  void compileBootstrapValue(Expression source, Schema.Type.Reader type,
      Schema.Value.Builder target) {
    compileDefaultDefaultValue(type, target);
    switch (type.which()) {
      case LIST, STRUCT, INTERFACE, ANY_POINTER ->
          unfinished.add(new UnfinishedValue(source, type, target));
      default -> new ValueTranslator(this).compile(source, type, target, true);
    }
  }

  void compileAnnotations(List<Declaration.AnnotationUse> uses, Declaration.Target target,
      IntFunction<StructList.Builder<Schema.Annotation.Builder>> init) {
    if (uses.isEmpty()) {
      return;
    }
    var list = init.apply(uses.size());
    for (int i = 0; i < uses.size(); i++) {
      Declaration.AnnotationUse use = uses.get(i);
      Schema.Annotation.Builder ab = list.get(i);
      ab.initValue().setVoid();
      Expression name = use.name();
      BrandedDecl decl = compileDeclExpression(name, ImplicitParams.NONE);
      if (decl == null) {
        continue;
      }
      String text = ExpressionText.of(name);
      if (decl.kind() != Kind.ANNOTATION) {
        module.error(name.start(), name.end(), "'" + text + "' is not an annotation.");
        continue;
      }
      ab.setId(decl.getIdAndFillBrand(ab::initBrand));
      if (!ab.hasBrand()) {
        ab.initBrand();
      }
      DeclNode annotationNode = node.workspace.findNode(ab.getId());
      NodeTranslator annotation = annotationNode.translator(DeclNode.State.BOOTSTRAP);
      if (annotation == null) {
        continue;
      }
      Schema.Node.Annotation.Reader proto = annotation.main.node().asReader().getAnnotation();
      if (!targets(proto, target)) {
        module.error(name.start(), name.end(),
            "'" + text + "' cannot be applied to this kind of declaration.");
      }
      if (use.value() == null) {
        if (proto.getType().isVoid()) {
          ab.getValue().setVoid();
        } else {
          module.error(name.start(), name.end(), "'" + text + "' requires a value.");
          compileDefaultDefaultValue(proto.getType(), ab.getValue());
        }
      } else {
        Schema.Type.Reader valueType = Generics.substitute(proto.getType(), ab.getBrand().asReader());
        compileBootstrapValue(use.value(), valueType != null ? valueType : proto.getType(),
            ab.getValue());
      }
    }
  }
}
