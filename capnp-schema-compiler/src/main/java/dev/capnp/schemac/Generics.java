package dev.capnp.schemac;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.schema.Schema;

/** Substitutes the generic parameters a brand binds into a type (for values of such types). */
final class Generics {
  private Generics() {}

  /**
   * {@code type} with the parameters bound by {@code brand} replaced by their bindings
   * (unbound ones by {@code AnyPointer}), or null when {@code type} mentions no parameter.
   */
  static Schema.Type.Reader substitute(Schema.Type.Reader type, Schema.Brand.Reader brand) {
    if (!mentionsParameter(type)) {
      return null;
    }
    return rewrite(type, brand);
  }

  private static boolean mentionsParameter(Schema.Type.Reader type) {
    switch (type.which()) {
      case ANY_POINTER:
        return type.getAnyPointer().isParameter();
      case LIST:
        return mentionsParameter(type.getList().getElementType());
      case STRUCT:
        return brandMentionsParameter(type.getStruct().getBrand());
      case INTERFACE:
        return brandMentionsParameter(type.getInterface().getBrand());
      default:
        return false;
    }
  }

  private static boolean brandMentionsParameter(Schema.Brand.Reader brand) {
    for (var scope : Lists.of(brand.getScopes())) {
      if (scope.isInherit()) {
        return true;
      }
      for (var binding : Lists.of(scope.getBind())) {
        if (binding.isType() && mentionsParameter(binding.getType())) {
          return true;
        }
      }
    }
    return false;
  }

  private static Schema.Type.Reader rewrite(Schema.Type.Reader type, Schema.Brand.Reader brand) {
    MessageBuilder message = new MessageBuilder(64);
    switch (type.which()) {
      case ANY_POINTER -> {
        if (type.getAnyPointer().isParameter()) {
          var param = type.getAnyPointer().getParameter();
          Schema.Type.Reader bound = binding(brand, param.getScopeId(),
              param.getParameterIndex() & 0xffff);
          if (bound != null) {
            return bound;
          }
          Schema.Type.Builder out = message.initRoot(Schema.Type.FACTORY);
          out.initAnyPointer().initUnconstrained().setAnyKind();
          return out.asReader();
        }
        message.setRoot(Schema.Type.FACTORY, type);
      }
      case LIST -> {
        Schema.Type.Builder out = message.initRoot(Schema.Type.FACTORY);
        out.initList().setElementType(rewrite(type.getList().getElementType(), brand));
        return out.asReader();
      }
      case STRUCT -> {
        Schema.Type.Builder out = message.initRoot(Schema.Type.FACTORY);
        var s = out.initStruct();
        s.setTypeId(type.getStruct().getTypeId());
        rewriteBrand(type.getStruct().getBrand(), brand, s.initBrand());
        return out.asReader();
      }
      case INTERFACE -> {
        Schema.Type.Builder out = message.initRoot(Schema.Type.FACTORY);
        var s = out.initInterface();
        s.setTypeId(type.getInterface().getTypeId());
        rewriteBrand(type.getInterface().getBrand(), brand, s.initBrand());
        return out.asReader();
      }
      default -> message.setRoot(Schema.Type.FACTORY, type);
    }
    return message.getRoot(Schema.Type.FACTORY).asReader();
  }

  private static void rewriteBrand(Schema.Brand.Reader in, Schema.Brand.Reader context,
      Schema.Brand.Builder out) {
    var scopes = Lists.of(in.getScopes());
    var outScopes = out.initScopes(scopes.size());
    for (int i = 0; i < scopes.size(); i++) {
      var scope = scopes.get(i);
      var o = outScopes.get(i);
      o.setScopeId(scope.getScopeId());
      var bindings = scope.isInherit() ? contextBindings(context, scope.getScopeId()) : null;
      if (scope.isInherit() && bindings == null) {
        o.setInherit();
        continue;
      }
      if (bindings == null) {
        bindings = Lists.of(scope.getBind());
      }
      var outBindings = o.initBind(bindings.size());
      for (int j = 0; j < bindings.size(); j++) {
        if (bindings.get(j).isType()) {
          outBindings.get(j).setType(rewrite(bindings.get(j).getType(), context));
        } else {
          outBindings.get(j).setUnbound();
        }
      }
    }
  }

  private static java.util.List<Schema.Brand.Binding.Reader> contextBindings(
      Schema.Brand.Reader context, long scopeId) {
    for (var scope : Lists.of(context.getScopes())) {
      if (scope.getScopeId() == scopeId && scope.isBind()) {
        return Lists.of(scope.getBind());
      }
    }
    return null;
  }

  private static Schema.Type.Reader binding(Schema.Brand.Reader brand, long scopeId, int index) {
    for (var scope : Lists.of(brand.getScopes())) {
      if (scope.getScopeId() == scopeId && scope.isBind()) {
        var bindings = Lists.of(scope.getBind());
        if (index < bindings.size() && bindings.get(index).isType()) {
          return bindings.get(index).getType();
        }
      }
    }
    return null;
  }
}
