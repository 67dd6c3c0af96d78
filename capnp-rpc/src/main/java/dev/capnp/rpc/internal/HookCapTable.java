package dev.capnp.rpc.internal;

import dev.capnp.runtime.CapTableBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A message's capability table holding {@link ClientHook}s. The table owns one reference to each
 * entry: {@link #injectCap(Object)} adds a reference, {@link #releaseAll()} drops them.
 * {@link #extractCap(int)} lends the hook without adding a reference.
 */
public final class HookCapTable implements CapTableBuilder {
  private final ArrayList<ClientHook> hooks;

  public HookCapTable() {
    hooks = new ArrayList<>(2);
  }

  /** A table taking ownership of the given references (entries may be null). */
  public HookCapTable(List<ClientHook> owned) {
    hooks = new ArrayList<>(owned);
  }

  @Override
  public Object extractCap(int index) {
    return index >= 0 && index < hooks.size() ? hooks.get(index) : null;
  }

  @Override
  public int injectCap(Object cap) {
    if (!(cap instanceof ClientHook)) {
      throw new IllegalArgumentException("not a capability: " + cap);
    }
    hooks.add(((ClientHook) cap).addRef());
    return hooks.size() - 1;
  }

  /** Adds an owned reference (no addRef) and returns its index. */
  public int add(ClientHook owned) {
    hooks.add(owned);
    return hooks.size() - 1;
  }

  @Override
  public void dropCap(int index) {
    ClientHook h = hooks.get(index);
    if (h != null) {
      hooks.set(index, null);
      h.release();
    }
  }

  /** Number of entries. */
  public int size() {
    return hooks.size();
  }

  /** The entry at {@code index} (may be null). */
  public ClientHook get(int index) {
    return hooks.get(index);
  }

  /** Releases every entry. */
  public void releaseAll() {
    for (int i = 0; i < hooks.size(); i++) {
      ClientHook h = hooks.get(i);
      if (h != null) {
        hooks.set(i, null);
        h.release();
      }
    }
  }
}
