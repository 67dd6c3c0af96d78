package dev.capnp.schemac;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** A parsed declaration and its nested declarations (the schema file's syntax tree). */
final class Declaration {
  /** What is declared. */
  enum Kind {
    FILE, USING, CONST, ENUM, ENUMERANT, STRUCT, FIELD, UNION, GROUP, INTERFACE, METHOD,
    ANNOTATION
  }

  /** An annotation target keyword, in the order of {@code schema.capnp}'s flags. */
  enum Target { FILE, CONST, ENUM, ENUMERANT, STRUCT, FIELD, UNION, GROUP, INTERFACE, METHOD,
    PARAM, ANNOTATION }

  /** A name with its location. */
  record Name(String value, int start, int end) {}

  /** {@code $name} or {@code $name(value)}: {@code value} null when none was given. */
  record AnnotationUse(Expression name, Expression value) {}

  /** A method parameter, or a field of a method's parameter list. */
  record Param(Name name, Expression type, Expression defaultValue,
      List<AnnotationUse> annotations, int start, int end) {}

  /** A method's parameter or result list: named params, a struct type, or {@code stream}. */
  record ParamList(List<Param> named, Expression type, boolean stream, int start, int end) {}

  final Kind kind;
  Name name;
  /** {@code @0x...} of a type or file (0 when none), and its location. */
  long uid;
  int uidStart = -1;
  int uidEnd;
  /** {@code @n} of a member (-1 when none), and its location. */
  long ordinal = -1;
  int ordinalStart;
  int ordinalEnd;
  List<Name> parameters = List.of();
  final List<Declaration> nested = new ArrayList<>();
  List<AnnotationUse> annotations = List.of();
  int start;
  int end;
  String docComment;

  /** USING: the target; CONST/FIELD/ANNOTATION: the type. */
  Expression target;
  /** CONST: the value; FIELD: the default value or null. */
  Expression value;
  List<Expression> superclasses = List.of();
  ParamList params;
  ParamList results;
  EnumSet<Target> targets = EnumSet.noneOf(Target.class);
  /** A file-level {@code $annotation;} statement (kind FILE), else null. */
  AnnotationUse nakedAnnotation;

  Declaration(Kind kind) {
    this.kind = kind;
  }

  boolean hasUid() {
    return uidStart >= 0;
  }

  boolean hasOrdinal() {
    return ordinal >= 0;
  }

  String nameText() {
    return name == null ? "" : name.value();
  }
}
