package dev.capnp.fuzz;

import dev.capnp.runtime.AnyList;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.ListReader;
import dev.capnp.runtime.StructReader;
import dev.capnp.runtime.Text;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Walks a tree of generated readers through their public API: on every struct or group reader it
 * calls each public no-argument accessor ({@code getX()}, {@code hasX()}, {@code isX()},
 * {@code which()}), then walks what it got — lists element by element, Text and Data in full,
 * AnyPointers as structs or lists. The accessors are found by reflection, so every field of every
 * struct in the test schema is covered without a hand-written walker per type.
 *
 * <p>A pointer field whose {@code hasX()} is false yields its default; defaults are walked only
 * {@value #DEFAULT_DEPTH} levels deep, as the default of a recursive type is infinite.
 */
final class GeneratedReaderWalker {
  private static final int DEFAULT_DEPTH = 2;
  private static final Map<Class<?>, List<Accessor>> ACCESSORS = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Method> ELEMENT_GETTERS = new ConcurrentHashMap<>();

  private final WorkBudget budget;

  GeneratedReaderWalker(WorkBudget budget) {
    this.budget = budget;
  }

  /** One accessor of a reader class, with the {@code hasX()} guarding it if there is one. */
  private record Accessor(Method method, Method has) {}

  /** Walks {@code reader} and everything reachable from it. */
  void walk(StructReader reader) {
    walkValue(reader, 0);
  }

  private void walkValue(Object value, int defaultDepth) {
    budget.spend(1);
    if (value instanceof AnyStruct.Reader s) {
      walkAnyStruct(s, defaultDepth);
    } else if (value instanceof StructReader s) {
      walkStruct(s, defaultDepth);
    } else if (value instanceof Text.Reader t) {
      budget.spend(t.size());
      t.toString();
      t.asByteBuffer();
    } else if (value instanceof Data.Reader d) {
      budget.spend(d.size());
      d.toArray();
    } else if (value instanceof AnyPointer.Reader p) {
      walkAnyPointer(p, defaultDepth);
    } else if (value instanceof AnyList.Reader l) {
      budget.spend(l.size());
    } else if (value instanceof ListReader l) {
      walkList(l, defaultDepth);
    }
  }

  private void walkStruct(StructReader reader, int defaultDepth) {
    for (Accessor a : accessors(reader.getClass())) {
      budget.spend(1);
      int depth = defaultDepth;
      if (a.has != null && !(Boolean) invoke(a.has, reader)) {
        if (defaultDepth >= DEFAULT_DEPTH) {
          continue;
        }
        depth++;
      }
      walkValue(invoke(a.method, reader), depth);
    }
  }

  private void walkAnyStruct(AnyStruct.Reader s, int defaultDepth) {
    budget.spend(s.dataSizeBits() / 64 + 1);
    s.getDataSection();
    for (int i = 0; i < s.pointerCount(); i++) {
      walkAnyPointer(s.getPointer(i), defaultDepth);
    }
  }

  private void walkAnyPointer(AnyPointer.Reader p, int defaultDepth) {
    budget.spend(1);
    if (p.isNull() || p.isCapability()) {
      return;
    }
    p.targetSizeInWords();
    if (p.isStruct()) {
      walkAnyStruct(p.getAs(AnyStruct.FACTORY), defaultDepth);
    } else if (p.isList()) {
      budget.spend(p.getAs(AnyList.FACTORY).size());
    }
  }

  private void walkList(ListReader list, int defaultDepth) {
    Method get = ELEMENT_GETTERS.computeIfAbsent(list.getClass(), GeneratedReaderWalker::elementGetter);
    if (get == null) {
      throw new AssertionError("list reader " + list.getClass().getName() + " has no get(int)");
    }
    int size = list.size();
    boolean objects = !get.getReturnType().isPrimitive() && get.getReturnType() != Void.class;
    for (int i = 0; i < size; i++) {
      budget.spend(1);
      Object element = invoke(get, list, i);
      if (objects) {
        walkValue(element, defaultDepth);
      }
    }
    for (Method m : list.getClass().getMethods()) {
      if (m.getName().equals("toArray") && m.getParameterCount() == 0) {
        budget.spend(size / 8 + 1);
        invoke(m, list);
      }
    }
  }

  private static Method elementGetter(Class<?> listClass) {
    try {
      Method m = listClass.getMethod("get", int.class);
      m.setAccessible(true);
      return m;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static List<Accessor> accessors(Class<?> readerClass) {
    return ACCESSORS.computeIfAbsent(readerClass, GeneratedReaderWalker::findAccessors);
  }

  private static List<Accessor> findAccessors(Class<?> readerClass) {
    Method[] methods = readerClass.getDeclaredMethods();
    Arrays.sort(methods, Comparator.comparing(Method::getName));
    List<Accessor> result = new ArrayList<>();
    for (Method m : methods) {
      String name = m.getName();
      boolean accessor = name.startsWith("get") || name.startsWith("has") || name.startsWith("is")
          || name.equals("which");
      if (!accessor || m.getParameterCount() != 0 || !Modifier.isPublic(m.getModifiers())
          || Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) {
        continue;
      }
      m.setAccessible(true);
      Method has = null;
      if (name.startsWith("get")) {
        try {
          has = readerClass.getDeclaredMethod("has" + name.substring(3));
          has.setAccessible(true);
        } catch (NoSuchMethodException e) {
          // not a pointer field
        }
      }
      result.add(new Accessor(m, has));
    }
    return List.copyOf(result);
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
