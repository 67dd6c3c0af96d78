package dev.capnp.runtime;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** Iterates over list elements by index. */
final class ElementIterator<T> implements Iterator<T> {
  private final IntFunction<T> get;
  private final int size;
  private int next;

  ElementIterator(IntFunction<T> get, int size) {
    this.get = get;
    this.size = size;
  }

  @Override
  public boolean hasNext() {
    return next < size;
  }

  @Override
  public T next() {
    if (next >= size) {
      throw new NoSuchElementException();
    }
    return get.apply(next++);
  }
}
