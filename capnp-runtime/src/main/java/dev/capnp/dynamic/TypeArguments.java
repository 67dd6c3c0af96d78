package dev.capnp.dynamic;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.DataList;
import dev.capnp.runtime.ListList;
import dev.capnp.runtime.PointerFactory;
import dev.capnp.runtime.PrimitiveList;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import dev.capnp.runtime.TextList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the factories a generic generated struct was created with back into schema types, so
 * that it can be printed with its parameters bound. Factories whose type cannot be told
 * (interfaces, enum lists, integer lists: {@code Int32} and {@code UInt32} share a factory) leave
 * their parameter unbound, which prints as {@code <opaque pointer>}.
 */
public final class TypeArguments {
  private TypeArguments() {}

  /**
   * The struct {@code typeId} of {@code schema} with its generic parameters bound.
   *
   * @param parameterScopes for each type argument, the id of the generic node declaring its
   *     parameter (arguments of one scope are in the order of its parameters; scopes outermost
   *     first, as generated classes list them)
   * @param typeArguments the factories bound to the parameters
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the generic struct's type id
   * @return the struct {@code typeId} of {@code schema} with its generic parameters bound
   */
  public static StructSchema structSchema(SchemaFile schema, long typeId, long[] parameterScopes,
      PointerFactory<?, ?>... typeArguments) {
    if (parameterScopes.length != typeArguments.length) {
      throw new IllegalArgumentException(parameterScopes.length + " parameter scopes for "
          + typeArguments.length + " type arguments");
    }
    Map<Long, List<DynamicType>> bindings = new HashMap<>();
    for (int i = 0; i < typeArguments.length; i++) {
      bindings.computeIfAbsent(parameterScopes[i], k -> new ArrayList<>())
          .add(typeOf(typeArguments[i]));
    }
    Map<Long, List<DynamicType>> frozen = new HashMap<>();
    bindings.forEach((scope, types) -> frozen.put(scope, Collections.unmodifiableList(types)));
    return schema.registry().structSchema(typeId, Map.copyOf(frozen));
  }

  /**
   * The struct type {@code typeId} of {@code schema} with its parameters bound.
   *
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the generic struct's type id
   * @param parameterScopes for each type argument, the id of the generic node declaring its
   *     parameter
   * @param typeArguments the factories bound to the parameters
   * @return the struct type {@code typeId} of {@code schema} with its parameters bound
   */
  public static DynamicType structType(SchemaFile schema, long typeId, long[] parameterScopes,
      PointerFactory<?, ?>... typeArguments) {
    return DynamicType.struct(structSchema(schema, typeId, parameterScopes, typeArguments));
  }

  /**
   * The schema type a factory reads, or null if it cannot be told.
   *
   * @param factory the type to read or build the value as
   * @return the schema type a factory reads, or null if it cannot be told
   */
  public static DynamicType typeOf(PointerFactory<?, ?> factory) {
    if (factory instanceof SchemaTyped typed) {
      return typed.schemaType();
    }
    if (factory instanceof dev.capnp.dynamic.DynamicStruct.Factory dynamic) {
      return DynamicType.struct(dynamic.schema());
    }
    if (factory == Text.FACTORY) {
      return DynamicType.of(DynamicType.Kind.TEXT);
    }
    if (factory == Data.FACTORY) {
      return DynamicType.of(DynamicType.Kind.DATA);
    }
    if (factory == TextList.FACTORY) {
      return DynamicType.listOf(DynamicType.of(DynamicType.Kind.TEXT));
    }
    if (factory == DataList.FACTORY) {
      return DynamicType.listOf(DynamicType.of(DynamicType.Kind.DATA));
    }
    DynamicType.Kind primitive = factory == PrimitiveList.Void.FACTORY ? DynamicType.Kind.VOID
        : factory == PrimitiveList.Boolean.FACTORY ? DynamicType.Kind.BOOL
        : factory == PrimitiveList.Float.FACTORY ? DynamicType.Kind.FLOAT32
        : factory == PrimitiveList.Double.FACTORY ? DynamicType.Kind.FLOAT64
        : null;
    if (primitive != null) {
      return DynamicType.listOf(DynamicType.of(primitive));
    }
    PointerFactory<?, ?> element = factory instanceof StructList.Factory<?, ?> structs
        ? structs.elementFactory()
        : factory instanceof ListList.Factory<?, ?> lists ? lists.elementFactory() : null;
    if (element != null) {
      DynamicType elementType = typeOf(element);
      return elementType == null ? null : DynamicType.listOf(elementType);
    }
    return null;
  }
}
