package dev.capnp.schemac;

import dev.capnp.schema.Schema;
import java.util.List;
import java.util.function.Supplier;

/**
 * A resolved declaration together with the generic arguments bound at each of its scopes, or an
 * unbound generic parameter (C++: {@code BrandedDecl}).
 */
final class BrandedDecl {
  final ResolveResult body;
  final BrandScope brand;
  final Expression source;

  BrandedDecl(ResolveResult.Decl decl, BrandScope brand, Expression source) {
    this.body = decl;
    this.brand = brand;
    this.source = source;
  }

  BrandedDecl(ResolveResult.Parameter parameter, Expression source) {
    this.body = parameter;
    this.brand = null;
    this.source = source;
  }

  static BrandedDecl implicitMethodParam(int index) {
    return new BrandedDecl(new ResolveResult.Parameter(0, index), null);
  }

  boolean isParameter() {
    return body instanceof ResolveResult.Parameter;
  }

  ResolveResult.Decl decl() {
    return (ResolveResult.Decl) body;
  }

  /** The kind, or null for a generic parameter; builtins report via {@link #builtin()}. */
  Declaration.Kind kind() {
    return isParameter() ? null : decl().kind();
  }

  Builtin builtin() {
    return isParameter() ? null : decl().builtin();
  }

  BrandedDecl applyParams(List<BrandedDecl> params, Expression subSource) {
    if (isParameter()) {
      return null;
    }
    BrandScope scope = brand.setParams(params, decl().builtin() == Builtin.LIST, subSource);
    return scope == null ? null : new BrandedDecl(decl(), scope, subSource);
  }

  BrandedDecl getMember(String name, Expression subSource) {
    if (isParameter() || decl().node() == null) {
      return null;
    }
    ResolveResult r = decl().node().resolveMember(name);
    return r == null ? null : brand.interpretResolve(decl().node(), r, subSource);
  }

  long getIdAndFillBrand(Supplier<Schema.Brand.Builder> initBrand) {
    brand.compile(initBrand);
    return decl().id();
  }

  BrandedDecl listParam() {
    List<BrandedDecl> params = brand.getParams(decl().id());
    return params == null || params.size() != 1 ? null : params.get(0);
  }

  void addError(Module module, String message) {
    if (source != null) {
      module.error(source.start(), source.end(), message);
    }
  }

  /** Writes this declaration as a type; false (after reporting) when it is not one. */
  boolean compileAsType(Module module, Schema.Type.Builder target) {
    if (isParameter()) {
      ResolveResult.Parameter p = (ResolveResult.Parameter) body;
      if (p.id() == 0) {
        target.initAnyPointer().initImplicitMethodParameter().setParameterIndex((short) p.index());
      } else {
        var param = target.initAnyPointer().initParameter();
        param.setScopeId(p.id());
        param.setParameterIndex((short) p.index());
      }
      return true;
    }
    Builtin b = builtin();
    if (b != null) {
      return compileBuiltin(b, module, target);
    }
    switch (kind()) {
      case ENUM -> {
        var t = target.initEnum();
        t.setTypeId(getIdAndFillBrand(t::initBrand));
        return true;
      }
      case STRUCT -> {
        var t = target.initStruct();
        t.setTypeId(getIdAndFillBrand(t::initBrand));
        return true;
      }
      case INTERFACE -> {
        var t = target.initInterface();
        t.setTypeId(getIdAndFillBrand(t::initBrand));
        return true;
      }
      default -> {
        addError(module, "'" + this + "' is not a type.");
        return false;
      }
    }
  }

  private boolean compileBuiltin(Builtin b, Module module, Schema.Type.Builder target) {
    switch (b) {
      case VOID -> target.setVoid();
      case BOOL -> target.setBool();
      case INT8 -> target.setInt8();
      case INT16 -> target.setInt16();
      case INT32 -> target.setInt32();
      case INT64 -> target.setInt64();
      case UINT8 -> target.setUint8();
      case UINT16 -> target.setUint16();
      case UINT32 -> target.setUint32();
      case UINT64 -> target.setUint64();
      case FLOAT32 -> target.setFloat32();
      case FLOAT64 -> target.setFloat64();
      case TEXT -> target.setText();
      case DATA -> target.setData();
      case OBJECT -> {
        addError(module, "As of Cap'n Proto 0.4, 'Object' has been renamed to 'AnyPointer'.  "
            + "Sorry for the inconvenience, and thanks for being an early adopter.  :)");
        target.initAnyPointer().initUnconstrained().setAnyKind();
      }
      case ANY_POINTER -> target.initAnyPointer().initUnconstrained().setAnyKind();
      case ANY_STRUCT -> target.initAnyPointer().initUnconstrained().setStruct();
      case ANY_LIST -> target.initAnyPointer().initUnconstrained().setList();
      case CAPABILITY -> target.initAnyPointer().initUnconstrained().setCapability();
      case LIST -> {
        var elementType = target.initList().initElementType();
        BrandedDecl param = listParam();
        if (param == null) {
          addError(module, "'List' requires exactly one parameter.");
          return false;
        }
        if (!param.compileAsType(module, elementType)) {
          return false;
        }
        if (elementType.isAnyPointer() && elementType.getAnyPointer().isUnconstrained()) {
          var unconstrained = elementType.getAnyPointer().getUnconstrained();
          if (unconstrained.isAnyKind()) {
            addError(module, "'List(AnyPointer)' is not supported.");
            elementType.setVoid();
            return false;
          } else if (unconstrained.isStruct()) {
            addError(module, "'List(AnyStruct)' is not supported.");
            elementType.setVoid();
            return false;
          }
        }
      }
      default -> throw new IllegalStateException();
    }
    return true;
  }

  /** This declaration as an alias target, its brand written to {@code brandBuilder}. */
  ResolveResult asResolveResult(long scopeId, Schema.Brand.Builder brandBuilder) {
    if (isParameter()) {
      return body;
    }
    boolean[] filled = {false};
    getIdAndFillBrand(() -> {
      filled[0] = true;
      return brandBuilder;
    });
    return decl().withBrand(scopeId, filled[0] ? brandBuilder.asReader() : decl().brand());
  }

  @Override
  public String toString() {
    return ExpressionText.of(source);
  }
}
