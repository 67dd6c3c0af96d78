package dev.capnp.fuzz;

import dev.capnp.dynamic.DynamicList;
import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.Text;

/**
 * Walks a {@link DynamicStruct.Reader} through the schema: every non-union field, the active
 * union member, every list element. Pointer fields that are not set are read (their default is
 * decoded) but not descended into, as the default of a recursive type is infinite.
 */
final class DynamicReaderWalker {
  private final WorkBudget budget;

  DynamicReaderWalker(WorkBudget budget) {
    this.budget = budget;
  }

  /** Walks {@code reader} and everything reachable from it. */
  void walk(DynamicStruct.Reader reader) {
    walkStruct(reader, true);
  }

  private void walkStruct(DynamicStruct.Reader reader, boolean descend) {
    StructSchema schema = reader.schema();
    for (StructSchema.Field field : schema.nonUnionFields()) {
      walkField(reader, field, descend);
    }
    reader.whichDiscriminant();
    StructSchema.Field active = reader.which();
    if (active != null) {
      walkField(reader, active, descend);
    }
  }

  private void walkField(DynamicStruct.Reader reader, StructSchema.Field field, boolean descend) {
    budget.spend(1);
    boolean set = reader.has(field);
    Object value = reader.get(field);
    if (field.isGroup()) {
      walkStruct((DynamicStruct.Reader) value, descend);
    } else if (descend && set) {
      walkValue(value);
    }
  }

  private void walkValue(Object value) {
    budget.spend(1);
    if (value instanceof DynamicStruct.Reader s) {
      walkStruct(s, true);
    } else if (value instanceof DynamicList.Reader l) {
      int size = l.size();
      for (int i = 0; i < size; i++) {
        budget.spend(1);
        boolean pointer = l.elementType().kind().isPointer();
        Object element = l.get(i);
        if (!pointer || l.hasPointer(i) || element instanceof DynamicStruct.Reader) {
          walkValue(element);
        }
      }
    } else if (value instanceof Text.Reader t) {
      budget.spend(t.size());
      t.toString();
    } else if (value instanceof Data.Reader d) {
      budget.spend(d.size());
      d.toArray();
    } else if (value instanceof AnyPointer.Reader p && p.isStruct()) {
      AnyStruct.Reader s = p.getAs(AnyStruct.FACTORY);
      budget.spend(s.pointerCount() + 1);
    }
  }
}
