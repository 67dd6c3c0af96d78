package dev.capnp.schemac;

import dev.capnp.schemac.Declaration.AnnotationUse;
import dev.capnp.schemac.Declaration.Kind;
import dev.capnp.schemac.Declaration.Name;
import dev.capnp.schemac.Declaration.ParamList;
import dev.capnp.schemac.Declaration.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the lexer's statements into a tree of {@link Declaration}s, following the grammar of the
 * schema language: which declarations may appear at file, struct, enum and interface level, and
 * whether each must end with a block or a semicolon.
 */
final class Parser {
  /** The declarations allowed at one level. */
  private enum Level { FILE, STRUCT, ENUM, INTERFACE }

  private final SourceFile file;
  private final ErrorReporter errors;

  Parser(SourceFile file, ErrorReporter errors) {
    this.file = file;
    this.errors = errors;
  }

  /** Parses a whole file into its FILE declaration. */
  Declaration parseFile(List<Statement> statements) {
    Declaration root = new Declaration(Kind.FILE);
    root.name = new Name("", 0, 0);
    List<AnnotationUse> fileAnnotations = new ArrayList<>();
    for (Statement statement : statements) {
      Declaration decl = parseStatement(statement, Level.FILE);
      if (decl == null) {
        continue;
      }
      if (decl.nakedAnnotation != null) {
        fileAnnotations.add(decl.nakedAnnotation);
      } else if (decl.kind == Kind.FILE) {
        if (root.hasUid()) {
          errors.add(file, statement.start(), statement.end(), "File can only have one ID.");
        } else {
          root.uid = decl.uid;
          root.uidStart = decl.uidStart;
          root.uidEnd = decl.uidEnd;
          if (statement.docComment() != null) {
            root.docComment = statement.docComment();
          }
        }
      } else {
        root.nested.add(decl);
      }
    }
    root.annotations = fileAnnotations;
    if (!root.hasUid() && !errors.hadErrors()) {
      long id = new java.security.SecureRandom().nextLong() | Long.MIN_VALUE;
      errors.add(file, 0, 0, "File does not declare an ID.  I've generated one for you.  Add this "
          + "line to your file: @0x" + Long.toHexString(id) + ";");
    }
    return root;
  }

  private Declaration parseStatement(Statement statement, Level level) {
    TokenCursor in = new TokenCursor(statement.tokens());
    Declaration decl = parseDeclaration(in, level);
    if (decl == null || !in.atEndExactly()) {
      int at;
      Token best = in.best();
      if (best != null) {
        at = best.start();
      } else if (!statement.tokens().isEmpty()) {
        at = statement.tokens().get(statement.tokens().size() - 1).end();
      } else {
        at = statement.start();
      }
      errors.add(file, at, at, "Parse error.");
      return null;
    }
    decl.docComment = statement.docComment();
    decl.start = statement.start();
    decl.end = statement.end();
    Level members = memberLevel(decl.kind);
    if (statement.block() == null) {
      if (members != null) {
        errors.add(file, statement.start(), statement.end(),
            "This statement should end with a block, not a semicolon.");
      }
    } else if (members == null) {
      errors.add(file, statement.start(), statement.end(),
          "This statement should end with a semicolon, not a block.");
    } else {
      for (Statement member : statement.block()) {
        Declaration child = parseStatement(member, members);
        if (child != null) {
          decl.nested.add(child);
        }
      }
    }
    return decl;
  }

  private static Level memberLevel(Kind kind) {
    return switch (kind) {
      case STRUCT, UNION, GROUP -> Level.STRUCT;
      case ENUM -> Level.ENUM;
      case INTERFACE -> Level.INTERFACE;
      default -> null;
    };
  }

  private Declaration parseDeclaration(TokenCursor in, Level level) {
    List<java.util.function.Function<TokenCursor, Declaration>> alternatives = new ArrayList<>();
    switch (level) {
      case ENUM -> alternatives.add(this::enumerantDecl);
      case STRUCT -> {
        alternatives.add(this::unionDecl);
        alternatives.add(this::fieldDecl);
        alternatives.add(this::groupDecl);
      }
      case INTERFACE -> alternatives.add(this::methodDecl);
      default -> { }
    }
    if (level != Level.ENUM) {
      alternatives.add(this::usingDecl);
      alternatives.add(this::constDecl);
      alternatives.add(this::annotationDecl);
      alternatives.add(this::enumDecl);
      alternatives.add(this::structDecl);
      alternatives.add(this::interfaceDecl);
    }
    // Like the C++ parser: the first alternative that parses wins, and must end the statement.
    if (level == Level.FILE) {
      alternatives.add(this::nakedId);
      alternatives.add(this::nakedAnnotation);
    }
    for (var alternative : alternatives) {
      int mark = in.mark();
      Declaration decl = alternative.apply(in);
      if (decl != null) {
        return decl;
      }
      in.reset(mark);
    }
    return null;
  }

  /** {@code @0x...;} at file level: the file's id (a FILE declaration holding it). */
  private Declaration nakedId(TokenCursor in) {
    Declaration decl = new Declaration(Kind.FILE);
    return parseUid(in, decl) ? decl : null;
  }

  /** {@code $annotation;} at file level: an annotation of the file. */
  private Declaration nakedAnnotation(TokenCursor in) {
    AnnotationUse use = parseAnnotation(in);
    if (use == null) {
      return null;
    }
    Declaration decl = new Declaration(Kind.FILE);
    decl.nakedAnnotation = use;
    return decl;
  }

  // ---- declarations ----

  private Declaration usingDecl(TokenCursor in) {
    if (!in.keyword("using")) {
      return null;
    }
    Declaration decl = new Declaration(Kind.USING);
    int mark = in.mark();
    Name name = in.identifier();
    if (name != null && in.operator("=")) {
      decl.name = name;
    } else {
      in.reset(mark);
    }
    decl.target = expression(in);
    if (decl.target == null) {
      return null;
    }
    if (decl.name == null) {
      if (decl.target instanceof Expression.Member m) {
        decl.name = new Name(m.name(), m.nameStart(), m.nameEnd());
      } else {
        errors.add(file, decl.target.start(), decl.target.end(),
            "'using' declaration without '=' must specify a named declaration from a different "
                + "scope.");
        decl.name = new Name("", decl.target.start(), decl.target.end());
      }
    }
    return decl;
  }

  private Declaration constDecl(TokenCursor in) {
    if (!in.keyword("const")) {
      return null;
    }
    Declaration decl = new Declaration(Kind.CONST);
    decl.name = in.identifier();
    if (decl.name == null || !optionalUid(in, decl) || !in.operator(":")) {
      return null;
    }
    decl.target = expression(in);
    if (decl.target == null || !in.operator("=")) {
      return null;
    }
    decl.value = expression(in);
    if (decl.value == null) {
      return null;
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private Declaration enumDecl(TokenCursor in) {
    return typeDecl(in, "enum", Kind.ENUM, false);
  }

  private Declaration structDecl(TokenCursor in) {
    return typeDecl(in, "struct", Kind.STRUCT, true);
  }

  private Declaration typeDecl(TokenCursor in, String keyword, Kind kind, boolean generic) {
    if (!in.keyword(keyword)) {
      return null;
    }
    Declaration decl = new Declaration(kind);
    decl.name = in.identifier();
    if (decl.name == null || !optionalUid(in, decl)) {
      return null;
    }
    if (generic && in.peekKind(Token.Kind.PAREN_LIST)) {
      decl.parameters = identifierList(in.next());
      if (decl.parameters == null) {
        return null;
      }
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private Declaration interfaceDecl(TokenCursor in) {
    Declaration decl = typeDecl(in, "interface", Kind.INTERFACE, true);
    if (decl == null) {
      return null;
    }
    if (decl.annotations.isEmpty() && in.keyword("extends")) {
      if (!in.peekKind(Token.Kind.PAREN_LIST)) {
        return null;
      }
      Token list = in.next();
      List<Expression> supers = new ArrayList<>();
      for (List<Token> item : list.items()) {
        supers.add(wholeExpression(item, list));
      }
      decl.superclasses = supers;
      decl.annotations = annotations(in);
    }
    return decl;
  }

  private Declaration enumerantDecl(TokenCursor in) {
    Declaration decl = new Declaration(Kind.ENUMERANT);
    decl.name = in.identifier();
    if (decl.name == null || !parseOrdinal(in, decl)) {
      return null;
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private Declaration fieldDecl(TokenCursor in) {
    Declaration decl = new Declaration(Kind.FIELD);
    decl.name = in.identifier();
    if (decl.name == null || !parseOrdinal(in, decl) || !in.operator(":")) {
      return null;
    }
    decl.target = expression(in);
    if (decl.target == null) {
      return null;
    }
    if (in.operator("=")) {
      decl.value = expression(in);
      if (decl.value == null) {
        return null;
      }
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private Declaration unionDecl(TokenCursor in) {
    Declaration decl = new Declaration(Kind.UNION);
    if (in.peek() != null && in.peek().isIdentifier("union") && in.remaining() == 1) {
      Token t = in.next();
      decl.name = new Name("", t.start(), t.end());
      return decl;
    }
    decl.name = in.identifier();
    if (decl.name == null) {
      return null;
    }
    boolean missingExclamation = false;
    boolean missingColon = false;
    int mark = in.mark();
    if (parseOrdinal(in, decl)) {
      missingExclamation = !in.operator("!");
      missingColon = !in.operator(":");
    } else {
      in.reset(mark);
      decl.ordinal = -1;
      if (!in.operator(":")) {
        return null;
      }
    }
    if (!in.keyword("union")) {
      return null;
    }
    decl.annotations = annotations(in);
    if (missingExclamation && in.atEnd()) {
      errors.add(file, decl.ordinalStart, decl.ordinalEnd,
          "As of Cap'n Proto v0.3, it is no longer necessary to assign numbers to unions. "
              + "However, removing the number will break binary compatibility. If this is an old "
              + "protocol and you need to retain compatibility, please add an exclamation point "
              + "after the number to indicate that it is really needed, e.g. `foo @1! :union {`. "
              + "If this is a new protocol or compatibility doesn't matter, just remove the @n "
              + "entirely. Sorry for the inconvenience, and thanks for being an early adopter!  :)");
    }
    if (missingColon && in.atEnd()) {
      errors.add(file, decl.ordinalStart, decl.ordinalEnd,
          "As of Cap'n Proto v0.3, the 'union' keyword should be prefixed with a colon for named "
              + "unions, e.g. `foo :union {`.");
    }
    return decl;
  }

  private Declaration groupDecl(TokenCursor in) {
    Declaration decl = new Declaration(Kind.GROUP);
    decl.name = in.identifier();
    if (decl.name == null || !in.operator(":") || !in.keyword("group")) {
      return null;
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private Declaration methodDecl(TokenCursor in) {
    Declaration decl = new Declaration(Kind.METHOD);
    decl.name = in.identifier();
    if (decl.name == null || !parseOrdinal(in, decl)) {
      return null;
    }
    if (in.peekKind(Token.Kind.BRACKET_LIST)) {
      decl.parameters = identifierList(in.next());
      if (decl.parameters == null) {
        return null;
      }
    }
    decl.params = paramList(in);
    if (decl.params == null) {
      return null;
    }
    if (in.operator("->")) {
      decl.results = paramList(in);
      if (decl.results == null) {
        return null;
      }
    }
    decl.annotations = annotations(in);
    return decl;
  }

  private ParamList paramList(TokenCursor in) {
    Token t = in.peek();
    if (t == null) {
      return null;
    }
    if (t.kind() == Token.Kind.PAREN_LIST) {
      in.next();
      List<Declaration.Param> params = new ArrayList<>();
      for (List<Token> item : t.items()) {
        Declaration.Param p = null;
        if (item.isEmpty()) {
          errors.add(file, t.start(), t.end(), "Parse error: Empty list item.");
        } else {
          TokenCursor itemIn = new TokenCursor(item);
          p = param(itemIn);
          if (p == null || !itemIn.atEnd()) {
            reportItemError(itemIn, item);
            p = null;
          }
        }
        if (p == null) {
          // Like the C++ parser, a failed item stays in the list as an empty parameter.
          p = new Declaration.Param(new Name("", t.start(), t.start()),
              new Expression.Unknown(0, 0), null, List.of(), 0, 0);
        }
        params.add(p);
      }
      return new ParamList(params, null, false, t.start(), t.end());
    }
    if (t.isIdentifier("stream")) {
      in.next();
      return new ParamList(null, null, true, t.start(), t.end());
    }
    Expression type = expression(in);
    if (type == null) {
      return null;
    }
    return new ParamList(null, type, false, type.start(), type.end());
  }

  private Declaration.Param param(TokenCursor in) {
    Token first = in.peek();
    Name name = in.identifier();
    if (name == null || !in.operator(":")) {
      return null;
    }
    Expression type = expression(in);
    if (type == null) {
      return null;
    }
    Expression defaultValue = null;
    if (in.operator("=")) {
      defaultValue = expression(in);
      if (defaultValue == null) {
        return null;
      }
    }
    List<AnnotationUse> annotations = annotations(in);
    return new Declaration.Param(name, type, defaultValue, annotations, first.start(),
        in.lastEnd());
  }

  private Declaration annotationDecl(TokenCursor in) {
    if (!in.keyword("annotation")) {
      return null;
    }
    Declaration decl = new Declaration(Kind.ANNOTATION);
    decl.name = in.identifier();
    if (decl.name == null || !optionalUid(in, decl) || !in.peekKind(Token.Kind.PAREN_LIST)) {
      return null;
    }
    Token targets = in.next();
    List<Token> targetTokens = new ArrayList<>();
    for (List<Token> item : targets.items()) {
      if (item.isEmpty()) {
        errors.add(file, targets.start(), targets.end(), "Parse error: Empty list item.");
        continue;
      }
      TokenCursor itemIn = new TokenCursor(item);
      Token first = item.get(0);
      boolean ok = first.kind() == Token.Kind.IDENTIFIER ? itemIn.identifier() != null
          : itemIn.operator("*");
      if (!ok || !itemIn.atEndExactly()) {
        reportItemError(itemIn, item);
        continue;
      }
      targetTokens.add(first);
    }
    if (!in.operator(":")) {
      return null;
    }
    decl.target = expression(in);
    if (decl.target == null) {
      return null;
    }
    decl.annotations = annotations(in);
    for (Token target : targetTokens) {
      if (target.kind() == Token.Kind.OPERATOR) {
        if (targetTokens.size() > 1) {
          errors.add(file, target.start(), target.end(),
              "Wildcard should not be specified together with other targets.");
        }
        decl.targets.addAll(java.util.EnumSet.allOf(Target.class));
        continue;
      }
      Target t = targetNamed(target.text());
      if (t == null) {
        errors.add(file, target.start(), target.end(), "Not a valid annotation target.");
      } else {
        if (decl.targets.contains(t)) {
          errors.add(file, target.start(), target.end(), "Duplicate target specification.");
        }
        decl.targets.add(t);
      }
    }
    return decl;
  }

  private static Target targetNamed(String name) {
    if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
      return null;
    }
    for (Target t : Target.values()) {
      if (t.name().toLowerCase(Locale.ROOT).equals(name)) {
        return t;
      }
    }
    return null;
  }

  // ---- pieces ----

  private boolean optionalUid(TokenCursor in, Declaration decl) {
    int mark = in.mark();
    if (!parseUid(in, decl)) {
      in.reset(mark);
    }
    return true;
  }

  private boolean parseUid(TokenCursor in, Declaration decl) {
    if (!in.operator("@") || !in.peekKind(Token.Kind.INTEGER)) {
      decl.uidStart = -1;
      return false;
    }
    Token t = in.next();
    if (t.integer() >= 0) {
      errors.add(file, t.start(), t.end(),
          "Invalid ID.  Please generate a new one with 'capnpc -i'.");
    }
    decl.uid = t.integer();
    decl.uidStart = t.start();
    decl.uidEnd = t.end();
    return true;
  }

  private boolean parseOrdinal(TokenCursor in, Declaration decl) {
    if (!in.operator("@") || !in.peekKind(Token.Kind.INTEGER)) {
      return false;
    }
    Token t = in.next();
    if (Long.compareUnsigned(t.integer(), 65536) >= 0) {
      errors.add(file, t.start(), t.end(), "Ordinals cannot be greater than 65535.");
    }
    decl.ordinal = t.integer();
    decl.ordinalStart = t.start();
    decl.ordinalEnd = t.end();
    return true;
  }

  private List<Name> identifierList(Token list) {
    List<Name> names = new ArrayList<>();
    for (List<Token> item : list.items()) {
      if (item.isEmpty()) {
        errors.add(file, list.start(), list.end(), "Parse error: Empty list item.");
        names.add(new Name("", list.start(), list.start()));
        continue;
      }
      TokenCursor in = new TokenCursor(item);
      Name name = in.identifier();
      if (name == null || !in.atEndExactly()) {
        reportItemError(in, item);
        names.add(new Name("", list.start(), list.start()));
        continue;
      }
      names.add(name);
    }
    return names;
  }

  private List<AnnotationUse> annotations(TokenCursor in) {
    List<AnnotationUse> result = new ArrayList<>();
    while (in.isOperator("$")) {
      int mark = in.mark();
      AnnotationUse use = parseAnnotation(in);
      if (use == null) {
        in.reset(mark);
        break;
      }
      result.add(use);
    }
    return result;
  }

  private AnnotationUse parseAnnotation(TokenCursor in) {
    if (!in.operator("$")) {
      return null;
    }
    Expression e = expression(in);
    if (e == null) {
      return null;
    }
    if (e instanceof Expression.Application app) {
      List<Expression.Param> params = app.params();
      Expression value;
      if (params.size() == 1 && params.get(0).name() == null) {
        value = params.get(0).value();
      } else {
        // The C++ parser gives this tuple no location (errors on it point at 1:1).
        value = new Expression.Tuple(params, 0, 0);
      }
      return new AnnotationUse(app.function(), value);
    }
    return new AnnotationUse(e, null);
  }

  // ---- expressions ----

  /** An item of a list: an expression, or {@link Expression.Unknown} after reporting. */
  private Expression wholeExpression(List<Token> tokens, Token container) {
    if (tokens.isEmpty()) {
      errors.add(file, container.start(), container.end(), "Parse error: Empty list item.");
      return new Expression.Unknown(0, 0);
    }
    TokenCursor in = new TokenCursor(tokens);
    Expression e = expression(in);
    if (e == null || !in.atEnd()) {
      reportItemError(in, tokens);
      return new Expression.Unknown(0, 0);
    }
    return e;
  }

  /**
   * Reports a list item that failed to parse, as the C++ parser does: from the token where
   * parsing got furthest to the item's end, or the whole item when it got past the end.
   */
  private void reportItemError(TokenCursor in, List<Token> tokens) {
    Token best = in.best();
    int end = tokens.get(tokens.size() - 1).end();
    int start = best != null ? best.start() : tokens.get(0).start();
    errors.add(file, start, end, "Parse error.");
  }

  Expression expression(TokenCursor in) {
    Expression base = baseExpression(in);
    if (base == null) {
      return null;
    }
    while (true) {
      Token t = in.peek();
      if (t != null && t.isOperator(".") && in.peekKind(1, Token.Kind.IDENTIFIER)) {
        in.next();
        Token name = in.next();
        base = new Expression.Member(base, name.text(), name.start(), name.end(), base.start(),
            name.end());
      } else if (t != null && t.isOperator(".")) {
        in.noteReached(in.mark() + 2);
        return base;
      } else if (t != null && t.kind() == Token.Kind.PAREN_LIST) {
        in.next();
        List<Expression.Param> params = tupleParams(t);
        base = new Expression.Application(base, params, base.start(), t.end());
      } else {
        if (t != null) {
          in.noteFailure();
        }
        return base;
      }
    }
  }

  private Expression baseExpression(TokenCursor in) {
    Token t = in.peek();
    if (t == null) {
      in.noteFailure();
      return null;
    }
    switch (t.kind()) {
      case INTEGER -> {
        in.next();
        return new Expression.PositiveInt(t.integer(), t.start(), t.end());
      }
      case FLOAT -> {
        in.next();
        return new Expression.FloatLiteral(t.number(), t.start(), t.end());
      }
      case STRING -> {
        StringBuilder s = new StringBuilder();
        Token last = t;
        while (in.peekKind(Token.Kind.STRING)) {
          last = in.next();
          s.append(last.text());
        }
        return new Expression.StringLiteral(s.toString(), t.start(), last.end());
      }
      case BINARY -> {
        in.next();
        return new Expression.BinaryLiteral(t.binary(), t.start(), t.end());
      }
      case BRACKET_LIST -> {
        in.next();
        List<Expression> elements = new ArrayList<>();
        for (List<Token> item : t.items()) {
          elements.add(wholeExpression(item, t));
        }
        return new Expression.ListExpr(elements, t.start(), t.end());
      }
      case PAREN_LIST -> {
        in.next();
        List<Expression.Param> params = tupleParams(t);
        if (params.size() == 1 && params.get(0).name() == null) {
          return params.get(0).value();
        }
        return new Expression.Tuple(params, t.start(), t.end());
      }
      case OPERATOR -> {
        if (t.text().equals("-")) {
          Token n = in.peekAt(1);
          if (n != null && n.kind() == Token.Kind.INTEGER) {
            in.next();
            in.next();
            return new Expression.NegativeInt(n.integer(), n.start(), n.end());
          }
          if (n != null && n.kind() == Token.Kind.FLOAT) {
            in.next();
            in.next();
            return new Expression.FloatLiteral(-n.number(), n.start(), n.end());
          }
          if (n != null && n.isIdentifier("inf")) {
            in.next();
            in.next();
            return new Expression.FloatLiteral(Double.NEGATIVE_INFINITY, t.start(), n.end());
          }
          in.noteReached(in.mark() + 2);  // "-" matched, then the number was attempted
        } else if (t.text().equals(".")) {
          if (in.peekKind(1, Token.Kind.IDENTIFIER)) {
            in.next();
            Token n = in.next();
            return new Expression.AbsoluteName(n.text(), t.start(), n.end());
          }
          in.noteReached(in.mark() + 2);
        }
        in.noteFailure();
        return null;
      }
      case IDENTIFIER -> {
        if ((t.text().equals("import") || t.text().equals("embed"))
            && !in.peekKind(1, Token.Kind.STRING)) {
          in.noteReached(in.mark() + 2);
        }
        if ((t.text().equals("import") || t.text().equals("embed"))
            && in.peekKind(1, Token.Kind.STRING)) {
          in.next();
          Token path = in.next();
          return t.text().equals("import")
              ? new Expression.Import(path.text(), path.start(), path.end(), t.start(), path.end())
              : new Expression.Embed(path.text(), path.start(), path.end(), t.start(), path.end());
        }
        in.next();
        return new Expression.RelativeName(t.text(), t.start(), t.end());
      }
      default -> {
        in.noteFailure();
        return null;
      }
    }
  }

  /** The items of a tuple; an item that fails to parse is reported and becomes unknown. */
  private List<Expression.Param> tupleParams(Token list) {
    List<Expression.Param> params = new ArrayList<>();
    for (List<Token> item : list.items()) {
      if (item.isEmpty()) {
        errors.add(file, list.start(), list.end(), "Parse error: Empty list item.");
        params.add(new Expression.Param(null, 0, 0, new Expression.Unknown(0, 0)));
        continue;
      }
      TokenCursor in = new TokenCursor(item);
      String name = null;
      int nameStart = 0;
      int nameEnd = 0;
      Name named = in.identifier();
      if (named != null && in.operator("=")) {
        name = named.value();
        nameStart = named.start();
        nameEnd = named.end();
      } else {
        in.reset(0);
      }
      Expression value = expression(in);
      if (value == null || !in.atEnd()) {
        reportItemError(in, item);
        params.add(new Expression.Param(null, 0, 0, new Expression.Unknown(0, 0)));
        continue;
      }
      params.add(new Expression.Param(name, nameStart, nameEnd, value));
    }
    return params;
  }
}
