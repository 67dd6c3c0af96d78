package dev.capnp.schemac;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.schema.Schema;

/** A {@code using} declaration, resolved in its parent's scope on first use. */
final class Alias {
  private final DeclNode parent;
  private final Expression target;
  private boolean initialized;
  private ResolveResult result;

  Alias(DeclNode parent, Expression target) {
    this.parent = parent;
    this.target = target;
  }

  ResolveResult compile() {
    if (!initialized) {
      initialized = true;
      BrandScope scope = BrandScope.forDeclaration(parent.module, parent.id,
          parent.genericParamCount, parent);
      BrandedDecl decl = scope.compileDeclExpression(target, parent, ImplicitParams.NONE);
      if (decl != null) {
        Schema.Brand.Builder brand = new MessageBuilder(64).initRoot(Schema.Brand.FACTORY);
        result = decl.asResolveResult(scope.scopeId(), brand);
      }
    }
    return result;
  }
}
