package dev.capnp.fuzz;

import dev.capnp.dynamic.DynamicEnum;
import dev.capnp.dynamic.DynamicList;
import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.ListReader;
import dev.capnp.runtime.StructReader;
import dev.capnp.runtime.Text;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the same struct through its generated reader and through the dynamic reader, field by
 * field, and fails if they disagree: the two implementations of field offsets, default values
 * (XOR masks, default pointers), data sections shorter than the schema's, unions, groups and list
 * element layouts must agree on every input, hostile or not.
 *
 * <p>Generic-parameter and AnyPointer fields are skipped (the dynamic layer has no brands);
 * unset pointers are compared {@value #DEFAULT_DEPTH} level deep (the default of a recursive type
 * is infinite).
 */
final class DifferentialWalker {
  private static final int DEFAULT_DEPTH = 1;
  private static final Map<String, Method> GETTERS = new ConcurrentHashMap<>();

  private final WorkBudget budget;

  DifferentialWalker(WorkBudget budget) {
    this.budget = budget;
  }

  /** Compares {@code generated} and {@code dynamic}, two readers of the same struct. */
  void compare(StructReader generated, DynamicStruct.Reader dynamic) {
    compareStruct(generated, dynamic, 0, "root");
  }

  private void compareStruct(Object generated, DynamicStruct.Reader dynamic, int defaultDepth,
      String path) {
    StructSchema schema = dynamic.schema();
    for (StructSchema.Field field : schema.nonUnionFields()) {
      compareField(generated, dynamic, field, defaultDepth, path);
    }
    StructSchema.Field active = dynamic.which();
    if (active != null) {
      compareField(generated, dynamic, active, defaultDepth, path);
    }
  }

  private void compareField(Object generated, DynamicStruct.Reader dynamic,
      StructSchema.Field field, int defaultDepth, String path) {
    budget.spend(1);
    String where = path + "." + field.name();
    Method getter = getter(generated.getClass(), field.name());
    if (getter == null) {
      return; // no accessor (interfaces, or a name the walker does not derive)
    }
    DynamicType.Kind kind = field.type().kind();
    if (kind == DynamicType.Kind.ANY_POINTER || kind == DynamicType.Kind.INTERFACE) {
      return;
    }
    boolean set = dynamic.has(field);
    if (kind.isPointer() && !set) {
      if (defaultDepth >= DEFAULT_DEPTH) {
        return;
      }
      defaultDepth++;
    }
    Object g = invoke(getter, generated);
    Object d = dynamic.get(field);
    if (field.isGroup()) {
      compareStruct(g, (DynamicStruct.Reader) d, defaultDepth, where);
      return;
    }
    compareValue(g, d, field.type(), defaultDepth, where);
  }

  private void compareValue(Object g, Object d, DynamicType type, int defaultDepth,
      String where) {
    budget.spend(1);
    switch (type.kind()) {
      case VOID -> { }
      case BOOL, INT8, UINT8, INT16, UINT16, INT32, UINT32, INT64, UINT64 ->
          same(g, d, where);
      case FLOAT32 -> same(Float.floatToRawIntBits((Float) g),
          Float.floatToRawIntBits((Float) d), where);
      case FLOAT64 -> same(Double.doubleToRawLongBits((Double) g),
          Double.doubleToRawLongBits((Double) d), where);
      case ENUM -> compareEnum((Enum<?>) g, (DynamicEnum) d, where);
      case TEXT -> {
        budget.spend(((Text.Reader) d).size());
        same(g.toString(), d.toString(), where);
      }
      case DATA -> {
        budget.spend(((Data.Reader) d).size());
        if (!Arrays.equals(((Data.Reader) g).toArray(), ((Data.Reader) d).toArray())) {
          throw new AssertionError("generated and dynamic readers disagree on " + where);
        }
      }
      case STRUCT -> compareStruct(g, (DynamicStruct.Reader) d, defaultDepth, where);
      case LIST -> compareList((ListReader) g, (DynamicList.Reader) d, type.elementType(),
          defaultDepth, where);
      default -> { }
    }
  }

  private void compareEnum(Enum<?> g, DynamicEnum d, String where) {
    boolean unknown = g.name().equals("_NOT_IN_SCHEMA");
    boolean dynamicUnknown = d.value() >= d.schema().enumerants().size();
    if (unknown != dynamicUnknown || (!unknown && g.ordinal() != d.value())) {
      throw new AssertionError("generated and dynamic readers disagree on " + where + ": "
          + g + " vs " + d.value());
    }
  }

  private void compareList(ListReader g, DynamicList.Reader d, DynamicType element,
      int defaultDepth, String where) {
    same(g.size(), d.size(), where + ".size()");
    DynamicType.Kind kind = element.kind();
    if (kind == DynamicType.Kind.ANY_POINTER || kind == DynamicType.Kind.INTERFACE) {
      return;
    }
    Method get = getter(g.getClass(), null);
    for (int i = 0; i < d.size(); i++) {
      budget.spend(1);
      if (kind.isPointer() && kind != DynamicType.Kind.STRUCT && !d.hasPointer(i)) {
        continue;
      }
      compareValue(invoke(get, g, i), d.get(i), element, defaultDepth, where + "[" + i + "]");
    }
  }

  private static void same(Object g, Object d, String where) {
    if (!Objects.equals(g, d)) {
      throw new AssertionError("generated and dynamic readers disagree on " + where + ": "
          + g + " vs " + d);
    }
  }

  /** The generated accessor of a field ({@code getFoo}, or {@code getFoo_} for clashes). */
  private static Method getter(Class<?> readerClass, String field) {
    String key = readerClass.getName() + "#" + field;
    Method m = GETTERS.get(key);
    if (m == null && !GETTERS.containsKey(key)) {
      m = findGetter(readerClass, field);
      if (m != null) {
        GETTERS.put(key, m);
      }
    }
    return m;
  }

  private static Method findGetter(Class<?> readerClass, String field) {
    try {
      if (field == null) {
        Method m = readerClass.getMethod("get", int.class);
        m.setAccessible(true);
        return m;
      }
      String name = "get" + Character.toUpperCase(field.charAt(0)) + field.substring(1);
      for (String candidate : new String[] {name, name + "_"}) {
        try {
          Method m = readerClass.getDeclaredMethod(candidate);
          m.setAccessible(true);
          return m;
        } catch (NoSuchMethodException e) {
          // try the next spelling
        }
      }
      return null;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(readerClass + " has no get(int)", e);
    }
  }

  private static Object invoke(Method m, Object target, Object... args) {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new AssertionError("checked exception from " + m, cause);
    } catch (IllegalAccessException e) {
      throw new AssertionError("cannot call " + m, e);
    }
  }
}
