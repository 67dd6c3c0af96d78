package dev.capnp.rpc.internal;

import dev.capnp.runtime.CapTableBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message's capability table holding {@link ClientHook}s. The table owns one reference to each
 * entry: {@link #injectCap(Object)} adds a reference, {@link #releaseAll()} drops them.
 * {@link #extractCap(int)} lends the hook without adding a reference.
 */
public final class HookCapTable implements CapTableBuilder {
  private static final ClientHook[] NONE = new ClientHook[0];

  /** The entries in {@code [0, size)}; a shared empty array until the first is added. */
  private ClientHook[] hooks = NONE;
  private int size;
  /** The shared table of {@link #none()}: takes no capability. */
  private final boolean readOnly;

  private static final HookCapTable NO_CAPS = new HookCapTable(true);

  /** An empty table (allocates nothing more until a capability is added: most have none). */
  public HookCapTable() {
    this(false);
  }

  private HookCapTable(boolean readOnly) {
    this.readOnly = readOnly;
  }

  /**
   * The capability table of every received message that has none (a call's params without a
   * cap table): one shared, empty table that refuses capabilities ({@link #add} throws), so
   * that nobody's capabilities could appear in another message through it.
   *
   * @return the shared empty table
   */
  public static HookCapTable none() {
    return NO_CAPS;
  }

  /** A table taking ownership of the given references (entries may be null). */
  public HookCapTable(List<ClientHook> owned) {
    this.readOnly = false;
    if (!owned.isEmpty()) {
      hooks = owned.toArray(new ClientHook[0]);
      size = hooks.length;
    }
  }

  @Override
  public Object extractCap(int index) {
    return index >= 0 && index < size ? hooks[index] : null;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new IllegalStateException(
          "the shared table of messages received without capabilities takes none");
    }
  }

  @Override
  public int injectCap(Object cap) {
    checkWritable(); // (before the reference is taken)
    if (!(cap instanceof ClientHook)) {
      throw new IllegalArgumentException("not a capability: " + cap);
    }
    return add(((ClientHook) cap).addRef());
  }

  /** Adds an owned reference (no addRef) and returns its index. */
  public int add(ClientHook owned) {
    checkWritable();
    if (size == hooks.length) {
      hooks = Arrays.copyOf(hooks, Math.max(2, size * 2));
    }
    hooks[size] = owned;
    return size++;
  }

  @Override
  public void dropCap(int index) {
    ClientHook h = get(index);
    if (h != null) {
      hooks[index] = null;
      h.release();
    }
  }

  /** Number of entries. */
  public int size() {
    return size;
  }

  /** The entry at {@code index} (may be null). */
  public ClientHook get(int index) {
    Objects.checkIndex(index, size);
    return hooks[index];
  }

  /** Releases every entry. */
  public void releaseAll() {
    for (int i = 0; i < size; i++) {
      ClientHook h = hooks[i];
      if (h != null) {
        hooks[i] = null;
        h.release();
      }
    }
  }
}
