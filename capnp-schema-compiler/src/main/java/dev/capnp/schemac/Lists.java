package dev.capnp.schemac;

import dev.capnp.runtime.StructList;
import dev.capnp.runtime.StructReader;
import java.util.ArrayList;
import java.util.List;

/** Copies struct list readers into Java lists. */
final class Lists {
  private Lists() {}

  static <R extends StructReader> List<R> of(StructList.Reader<R> list) {
    List<R> result = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      result.add(list.get(i));
    }
    return result;
  }
}
