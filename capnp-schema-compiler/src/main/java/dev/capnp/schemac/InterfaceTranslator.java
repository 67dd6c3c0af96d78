package dev.capnp.schemac;

import dev.capnp.schema.Schema;
import dev.capnp.schemac.Declaration.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compiles an interface: its superclasses, and its methods in ordinal order, each with a
 * parameter and a result struct (a new node for a named list, an existing struct otherwise, or
 * {@code StreamResult} for {@code stream}).
 */
final class InterfaceTranslator {
  /** The id of {@code StreamResult} in {@code /capnp/stream.capnp}. */
  static final long STREAM_RESULT_ID = 0x995f9a3377c0b16eL;

  private final NodeTranslator translator;
  private final Module module;

  InterfaceTranslator(NodeTranslator translator) {
    this.translator = translator;
    this.module = translator.module;
  }

  void translate(Declaration decl, Schema.Node.Builder builder) {
    var interfaceBuilder = builder.initInterface();
    var supers = interfaceBuilder.initSuperclasses(decl.superclasses.size());
    for (int i = 0; i < decl.superclasses.size(); i++) {
      Expression superclass = decl.superclasses.get(i);
      BrandedDecl target = translator.compileDeclExpression(superclass, ImplicitParams.NONE);
      if (target == null) {
        continue;
      }
      if (target.isParameter()) {
        target.addError(module, "'" + target + "' is an unbound generic parameter. Currently we "
            + "don't support extending these.");
      } else if (target.kind() == Kind.INTERFACE) {
        var s = supers.get(i);
        s.setId(target.getIdAndFillBrand(s::initBrand));
      } else {
        target.addError(module, "'" + target + "' is not an interface.");
      }
    }
    List<Declaration> methods = new ArrayList<>();
    for (Declaration member : decl.nested) {
      if (member.kind == Kind.METHOD) {
        methods.add(member);
      }
    }
    List<Integer> order = NodeTranslator.sortedByOrdinal(methods);
    var list = interfaceBuilder.initMethods(methods.size());
    var infos = translator.main.sourceInfo().initMembers(methods.size());
    OrdinalChecker ordinals = new OrdinalChecker(module);
    for (int i = 0; i < order.size(); i++) {
      Declaration method = methods.get(order.get(i));
      ordinals.check(method);
      int ordinal = (int) method.ordinal;
      if (method.docComment != null) {
        infos.get(i).setDocComment(method.docComment);
      }
      var methodBuilder = list.get(i);
      methodBuilder.setName(method.nameText());
      methodBuilder.setCodeOrder((short) (int) order.get(i));
      List<String> implicit = method.parameters.stream().map(Declaration.Name::value).toList();
      var implicitBuilder = methodBuilder.initImplicitParameters(implicit.size());
      for (int j = 0; j < implicit.size(); j++) {
        implicitBuilder.get(j).setName(implicit.get(j));
      }
      if (method.params.stream()) {
        module.error(method.params.start(), method.params.end(),
            "'stream' can only appear after '->', not before.");
      }
      methodBuilder.setParamStructType(compileParamList(method.nameText(), ordinal, false,
          method.params, implicit, methodBuilder::initParamBrand));
      Declaration.ParamList results = method.results != null ? method.results
          : new Declaration.ParamList(List.of(), null, false, 0, 0);
      methodBuilder.setResultStructType(compileParamList(method.nameText(), ordinal, true,
          results, implicit, methodBuilder::initResultBrand));
      translator.compileAnnotations(method.annotations, Declaration.Target.METHOD,
          methodBuilder::initAnnotations);
    }
  }

  private long compileParamList(String methodName, int ordinal, boolean isResults,
      Declaration.ParamList paramList, List<String> implicit,
      Supplier<Schema.Brand.Builder> initBrand) {
    if (paramList.named() != null) {
      NodeTranslator.Output out = NodeTranslator.Output.create();
      var builder = out.node();
      var parent = translator.main.node();
      String typeName = methodName + (isResults ? "$Results" : "$Params");
      long id = TypeIds.methodParamsId(parent.getId(), ordinal, isResults);
      builder.setId(id);
      String displayName = parent.getDisplayName().toString() + "." + typeName;
      builder.setDisplayName(displayName);
      builder.setDisplayNamePrefixLength(displayName.length() - typeName.length());
      builder.setIsGeneric(parent.getIsGeneric() || !implicit.isEmpty());
      builder.setScopeId(0);
      builder.initStruct();
      new StructTranslator(translator, new ImplicitParams(id, implicit))
          .translateParams(paramList.named(), builder, out.sourceInfo());
      translator.paramStructs.add(out);
      // The brand of a parameter struct inherits the interface's parameters; like the C++
      // compiler, it does not bind the method's implicit parameters.
      BrandScope brand = translator.localBrand.push(id, implicit.size());
      if (!implicit.isEmpty()) {
        var implicitBuilder = builder.initParameters(implicit.size());
        for (int i = 0; i < implicit.size(); i++) {
          implicitBuilder.get(i).setName(implicit.get(i));
        }
      }
      brand.compile(initBrand);
      return id;
    }
    if (paramList.type() != null) {
      BrandedDecl target = translator.compileDeclExpression(paramList.type(),
          new ImplicitParams(0, implicit));
      if (target == null) {
        return 0;
      }
      if (target.isParameter()) {
        target.addError(module, "Cannot use generic parameter as whole input or output of a "
            + "method. Instead, use a parameter/result list containing a field with this type.");
        return 0;
      }
      if (target.kind() == Kind.STRUCT) {
        return target.getIdAndFillBrand(initBrand);
      }
      module.error(paramList.type().start(), paramList.type().end(),
          "'" + ExpressionText.of(paramList.type()) + "' is not a struct type.");
      return 0;
    }
    ResolveResult.Decl stream = translator.node.resolveImport("/capnp/stream.capnp");
    if (stream == null) {
      module.error(paramList.start(), paramList.end(), "A method declaration uses streaming, but "
          + "'/capnp/stream.capnp' is not found in the import path. This is a standard file that "
          + "should always be installed with the Cap'n Proto compiler.");
    } else if (stream.node().resolveMember("StreamResult") == null) {
      module.error(paramList.start(), paramList.end(), "The version of '/capnp/stream.capnp' "
          + "found in your import path does not appear to be the official one; it is missing the "
          + "declaration of StreamResult.");
    }
    return STREAM_RESULT_ID;
  }
}
