package dev.capnp.schemac;

import dev.capnp.schema.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The generic arguments in force at each lexical level of a declaration (C++: {@code BrandScope}).
 * A level either has explicit arguments, inherits those of the scope being compiled, or (when
 * the declaration is not generic there) has none.
 */
final class BrandScope {
  private final Module module;
  private BrandScope parent;
  private final long leafId;
  private int leafParamCount;
  private boolean inherited;
  private List<BrandedDecl> params = List.of();

  private BrandScope(Module module, BrandScope parent, long leafId, int leafParamCount,
      boolean inherited) {
    this.module = module;
    this.parent = parent;
    this.leafId = leafId;
    this.leafParamCount = leafParamCount;
    this.inherited = inherited;
  }

  /** The scope of a declaration being compiled: every level inherits its own parameters. */
  static BrandScope forDeclaration(Module module, long id, int paramCount, Resolver scope) {
    BrandScope result = new BrandScope(module, null, id, paramCount, true);
    ResolveResult.Decl p = scope.parent();
    if (p != null) {
      result.parent = forDeclaration(module, p.id(), p.genericParamCount(), p.node());
    }
    return result;
  }

  private static BrandScope unbound(Module module, long scopeId) {
    return new BrandScope(module, null, scopeId, 0, false);
  }

  long scopeId() {
    return leafId;
  }

  boolean isGeneric() {
    if (leafParamCount > 0) {
      return true;
    }
    return parent != null && parent.isGeneric();
  }

  BrandScope push(long typeId, int paramCount) {
    return new BrandScope(module, this, typeId, paramCount, false);
  }

  BrandScope setParams(List<BrandedDecl> newParams, boolean isList, Expression source) {
    if (!params.isEmpty()) {
      module.error(source.start(), source.end(), "Double-application of generic parameters.");
      return null;
    } else if (newParams.size() > leafParamCount) {
      module.error(source.start(), source.end(), leafParamCount == 0
          ? "Declaration does not accept generic parameters." : "Too many generic parameters.");
      return null;
    } else if (newParams.size() < leafParamCount) {
      module.error(source.start(), source.end(), "Not enough generic parameters.");
      return null;
    }
    if (!isList) {
      for (BrandedDecl param : newParams) {
        if (param.isParameter()) {
          continue;
        }
        Builtin b = param.builtin();
        Declaration.Kind k = param.kind();
        boolean pointer = b == Builtin.LIST || b == Builtin.TEXT || b == Builtin.DATA
            || b == Builtin.ANY_POINTER || k == Declaration.Kind.STRUCT
            || k == Declaration.Kind.INTERFACE;
        if (!pointer) {
          param.addError(module, "Sorry, only pointer types can be used as generic parameters.");
        }
      }
    }
    BrandScope result = new BrandScope(module, parent, leafId, leafParamCount, false);
    result.params = List.copyOf(newParams);
    return result;
  }

  BrandScope pop(long newLeafId) {
    if (leafId == newLeafId) {
      return this;
    }
    if (parent != null) {
      return parent.pop(newLeafId);
    }
    return unbound(module, newLeafId);
  }

  BrandedDecl lookupParameter(Resolver resolver, long scopeId, int index) {
    if (scopeId == leafId) {
      if (index < params.size()) {
        return params.get(index);
      } else if (inherited) {
        return null;
      }
      ResolveResult.Decl any = ResolveResult.Decl.of(Builtin.ANY_POINTER);
      return new BrandedDecl(any, evaluateBrand(resolver, any, List.of(), 0), null);
    } else if (parent != null) {
      return parent.lookupParameter(resolver, scopeId, index);
    }
    throw new IllegalStateException("scope is not a parent");
  }

  /** The arguments bound at {@code scopeId}, or null when inherited. */
  List<BrandedDecl> getParams(long scopeId) {
    if (scopeId == leafId) {
      return inherited ? null : params;
    } else if (parent != null) {
      return parent.getParams(scopeId);
    }
    throw new IllegalStateException("scope is not a parent");
  }

  BrandedDecl interpretResolve(Resolver resolver, ResolveResult result, Expression source) {
    if (result instanceof ResolveResult.Decl decl) {
      BrandScope scope = pop(decl.scopeId());
      if (decl.brand() != null) {
        scope = scope.evaluateBrand(resolver, decl, Lists.of(decl.brand().getScopes()), 0);
      } else {
        scope = scope.push(decl.id(), decl.genericParamCount());
      }
      return new BrandedDecl(decl, scope, source);
    }
    ResolveResult.Parameter param = (ResolveResult.Parameter) result;
    BrandedDecl bound = lookupParameter(resolver, param.id(), param.index());
    return bound != null ? bound : new BrandedDecl(param, source);
  }

  private BrandScope evaluateBrand(Resolver resolver, ResolveResult.Decl decl,
      List<Schema.Brand.Scope.Reader> brand, int index) {
    BrandScope result = unbound(module, decl.id());
    result.leafParamCount = decl.genericParamCount();
    if (index < brand.size()) {
      Schema.Brand.Scope.Reader next = brand.get(index);
      if (decl.id() == next.getScopeId()) {
        if (next.isBind()) {
          List<BrandedDecl> bound = new ArrayList<>();
          for (Schema.Brand.Binding.Reader binding : next.getBind()) {
            if (binding.isUnbound()) {
              ResolveResult.Decl any = ResolveResult.Decl.of(Builtin.ANY_POINTER);
              bound.add(new BrandedDecl(any, unbound(module, any.scopeId()), null));
            } else {
              bound.add(decompileType(resolver, binding.getType()));
            }
          }
          result.params = bound;
        } else {
          List<BrandedDecl> p = getParams(decl.id());
          if (p != null) {
            result.params = List.copyOf(p);
          } else {
            result.inherited = true;
          }
        }
        index++;
      }
    }
    ResolveResult.Decl p = decl.node() == null ? null : decl.node().parent();
    if (p != null) {
      result.parent = evaluateBrand(resolver, p, brand, index);
    }
    return result;
  }

  private BrandedDecl builtin(Resolver resolver, Builtin b) {
    ResolveResult.Decl decl = ResolveResult.Decl.of(b);
    return new BrandedDecl(decl, evaluateBrand(resolver, decl, List.of(), 0), null);
  }

  private BrandedDecl decompileType(Resolver resolver, Schema.Type.Reader type) {
    switch (type.which()) {
      case VOID: return builtin(resolver, Builtin.VOID);
      case BOOL: return builtin(resolver, Builtin.BOOL);
      case INT8: return builtin(resolver, Builtin.INT8);
      case INT16: return builtin(resolver, Builtin.INT16);
      case INT32: return builtin(resolver, Builtin.INT32);
      case INT64: return builtin(resolver, Builtin.INT64);
      case UINT8: return builtin(resolver, Builtin.UINT8);
      case UINT16: return builtin(resolver, Builtin.UINT16);
      case UINT32: return builtin(resolver, Builtin.UINT32);
      case UINT64: return builtin(resolver, Builtin.UINT64);
      case FLOAT32: return builtin(resolver, Builtin.FLOAT32);
      case FLOAT64: return builtin(resolver, Builtin.FLOAT64);
      case TEXT: return builtin(resolver, Builtin.TEXT);
      case DATA: return builtin(resolver, Builtin.DATA);
      case ENUM: {
        ResolveResult.Decl d = resolver.resolveId(type.getEnum().getTypeId());
        return new BrandedDecl(d, evaluateBrand(resolver, d,
            Lists.of(type.getEnum().getBrand().getScopes()), 0), null);
      }
      case INTERFACE: {
        ResolveResult.Decl d = resolver.resolveId(type.getInterface().getTypeId());
        return new BrandedDecl(d, evaluateBrand(resolver, d,
            Lists.of(type.getInterface().getBrand().getScopes()), 0), null);
      }
      case STRUCT: {
        ResolveResult.Decl d = resolver.resolveId(type.getStruct().getTypeId());
        return new BrandedDecl(d, evaluateBrand(resolver, d,
            Lists.of(type.getStruct().getBrand().getScopes()), 0), null);
      }
      case LIST: {
        BrandedDecl element = decompileType(resolver, type.getList().getElementType());
        return builtin(resolver, Builtin.LIST).applyParams(List.of(element), null);
      }
      case ANY_POINTER: {
        var any = type.getAnyPointer();
        if (any.isParameter()) {
          long id = any.getParameter().getScopeId();
          int index = any.getParameter().getParameterIndex() & 0xffff;
          BrandedDecl bound = lookupParameter(resolver, id, index);
          return bound != null ? bound
              : new BrandedDecl(new ResolveResult.Parameter(id, index), null);
        } else if (any.isImplicitMethodParameter()) {
          throw new IllegalStateException("Alias pointed to implicit method type parameter?");
        }
        return builtin(resolver, Builtin.ANY_POINTER);
      }
      default:
        throw new IllegalStateException("unknown type " + type.which());
    }
  }

  /** Resolves a name, member, import or application expression in this scope. */
  BrandedDecl compileDeclExpression(Expression source, Resolver resolver,
      ImplicitParams implicitParams) {
    if (source instanceof Expression.Unknown) {
      return null;
    }
    if (source instanceof Expression.RelativeName name) {
      for (int i = 0; i < implicitParams.names().size(); i++) {
        if (implicitParams.names().get(i).equals(name.name())) {
          return implicitParams.scopeId() == 0 ? BrandedDecl.implicitMethodParam(i)
              : new BrandedDecl(new ResolveResult.Parameter(implicitParams.scopeId(), i), null);
        }
      }
      ResolveResult r = resolver.resolve(name.name());
      if (r == null) {
        module.error(name.start(), name.end(), "Not defined: " + name.name());
        return null;
      }
      return interpretResolve(resolver, r, source);
    } else if (source instanceof Expression.AbsoluteName name) {
      ResolveResult r = resolver.topScope().node().resolveMember(name.name());
      if (r == null) {
        module.error(name.start() + 1, name.end(), "Not defined: " + name.name());
        return null;
      }
      return interpretResolve(resolver, r, source);
    } else if (source instanceof Expression.Import imp) {
      ResolveResult.Decl decl = resolver.resolveImport(imp.path());
      if (decl == null) {
        module.error(imp.pathStart(), imp.pathEnd(), "Import failed: " + imp.path());
        return null;
      }
      return new BrandedDecl(decl,
          forDeclaration(module, decl.id(), decl.genericParamCount(), decl.node()), source);
    } else if (source instanceof Expression.Application app) {
      BrandedDecl decl = compileDeclExpression(app.function(), resolver, implicitParams);
      if (decl == null) {
        return null;
      }
      List<BrandedDecl> compiled = new ArrayList<>();
      boolean failed = false;
      for (Expression.Param param : app.params()) {
        if (param.name() != null) {
          module.error(param.nameStart(), param.nameEnd(), "Named parameter not allowed here.");
        }
        BrandedDecl d = compileDeclExpression(param.value(), resolver, implicitParams);
        if (d == null) {
          failed = true;
        } else {
          compiled.add(d);
        }
      }
      if (failed) {
        return decl;
      }
      BrandedDecl applied = decl.applyParams(compiled, source);
      return applied != null ? applied : decl;
    } else if (source instanceof Expression.Member member) {
      BrandedDecl decl = compileDeclExpression(member.parent(), resolver, implicitParams);
      if (decl == null) {
        return null;
      }
      BrandedDecl result = decl.getMember(member.name(), source);
      if (result == null) {
        module.error(member.nameStart(), member.nameEnd(), "'" + ExpressionText.of(member.parent())
            + "' has no member named '" + member.name() + "'");
      }
      return result;
    }
    module.error(source.start(), source.end(), "Expected name.");
    return null;
  }

  /** Writes the brand (only the levels that bind or inherit parameters), if any. */
  void compile(Supplier<Schema.Brand.Builder> initBrand) {
    List<BrandScope> levels = new ArrayList<>();
    for (BrandScope s = this; s != null; s = s.parent) {
      if (!s.params.isEmpty() || (s.inherited && s.leafParamCount > 0)) {
        levels.add(s);
      }
    }
    if (levels.isEmpty()) {
      return;
    }
    var scopes = initBrand.get().initScopes(levels.size());
    for (int i = 0; i < levels.size(); i++) {
      BrandScope level = levels.get(i);
      var scope = scopes.get(i);
      scope.setScopeId(level.leafId);
      if (level.inherited) {
        scope.setInherit();
      } else {
        var bindings = scope.initBind(level.params.size());
        for (int j = 0; j < level.params.size(); j++) {
          level.params.get(j).compileAsType(module, bindings.get(j).initType());
        }
      }
    }
  }
}
