package dev.capnp.rpc.protocol;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.CrossLoopClient;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.ListenerList;
import dev.capnp.rpc.internal.ResolutionSignal;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.StructList;
import java.util.IdentityHashMap;

/**
 * The exports table: capabilities of this vat the peer holds, by ids we choose. Writes the
 * descriptors that name our capabilities in outgoing messages, sends the {@code Resolve} of an
 * exported promise, and applies the peer's {@code Release}.
 *
 * <h2>Lifecycle of an {@link Export}</h2>
 * <pre>
 *   (first descriptor naming the capability, senderHosted) ──► HOSTED
 *   (first descriptor naming an unresolved or broken promise, senderPromise) ──► PROMISE
 *   PROMISE ──(the promise resolved or broke: Resolve sent)──► RESOLVED
 *   HOSTED | PROMISE | RESOLVED ──(Release brings refcount to 0, or disconnect)──► removed
 * </pre>
 * Every descriptor we send that names an export adds one to its {@code refcount}; the peer's
 * {@code Release} (and releaseParamCaps/releaseResultCaps) subtract. A capability is exported
 * once: later descriptors find its export through {@link #byHook} — until the export resolves,
 * after which the capability may be exported afresh (calls to the resolved export go straight to
 * its resolution).
 *
 * <p>Invariants (see {@link #invariantViolation()}): every entry has {@code refcount > 0} and a
 * hook, and its id is its slot; every {@link #byHook} entry maps a key to the export holding it.
 * Confined to the connection's loop.
 */
public final class ExportTable {
  /** The state of one export (see the class comment for the transitions). */
  enum State {
    /** A settled capability, described as {@code senderHosted}. */
    HOSTED,
    /** An unresolved (or broken) promise, described as {@code senderPromise}; Resolve pending. */
    PROMISE,
    /** A promise whose {@code Resolve} was sent. */
    RESOLVED
  }

  /** A capability we exported to the peer; its position in the table is its export id. */
  static final class Export {
    final int id;
    State state;
    int refcount = 1;
    /** What the export was looked up by: the exported hook, or the foreign hook it bridges. */
    final ClientHook key;
    /** The exported capability (on this connection's loop), owned. */
    ClientHook hook;
    /** While the exported promise is unresolved: the wait for its resolution. */
    ListenerList.Listener watch;
    /**
     * Level 3: this export is the vine of a three-party handoff (never shared, never a
     * promise); its removal ends the handoff's {@code Provide}. Null for other exports.
     */
    ThirdPartyHandoff.Vine vine;

    Export(int id, ClientHook key, ClientHook hook) {
      this.id = id;
      this.key = key;
      this.hook = hook;
    }

    boolean isPromise() {
      return state != State.HOSTED;
    }

    void stopWatching() {
      ListenerList.Listener.cancel(watch);
      watch = null;
    }
  }

  private final RpcProtocol protocol;
  private final IdTable<Export> exports = new IdTable<>();
  /**
   * The export of each hook. Sized for the few exports most connections have (a bootstrap
   * capability): the default size took 312 bytes per connection, a third of it for 10,000 idle
   * connections' exports (issue 12); the map grows by doubling when more are exported.
   */
  private final IdentityHashMap<ClientHook, Integer> byHook = new IdentityHashMap<>(2);

  ExportTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return exports.size();
  }

  /** The export with the id the peer named, or null. */
  Export find(int id) {
    return exports.get(id);
  }

  // ================================================================== descriptors we write

  /** Writes the descriptors of {@code caps}; returns the export ids created (or -1s). */
  int[] writeDescriptors(HookCapTable caps, Rpc.Payload.Builder payload) {
    int n = caps.size();
    if (n == 0) {
      return null;
    }
    StructList.Builder<Rpc.CapDescriptor.Builder> list = payload.initCapTable(n);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = writeDescriptor(caps.get(i), list.get(i));
    }
    return ids;
  }

  /** Describes {@code hook} to the peer, exporting it if needed; returns the export id or -1. */
  int writeDescriptor(ClientHook hook, Rpc.CapDescriptor.Builder d) {
    if (hook == null) {
      d.setNone();
      return -1;
    }
    if (protocol.delivery.isForeign(hook)) {
      return writeForeignDescriptor(hook, d);
    }
    ClientHook h = ClientHook.shorten(hook);
    if (protocol.owns(h)) {
      return ((RpcClient) h).writeDescriptor(d);
    }
    if (protocol.level3() && h instanceof ImportClient) {
      // a capability of another connection's peer: introduce our peer to it (Level 3)
      int vine = ThirdPartyHandoff.writeThirdPartyDescriptor(protocol, (ImportClient) h, d);
      if (vine >= 0) {
        return vine;
      }
    }
    return writeExport(h, d);
  }

  /**
   * Level 3: a new export for the vine of a handoff, forwarding to {@code hook} (owned), that
   * ends the handoff when it goes ({@link ThirdPartyHandoff.Vine#end}); returns its id.
   */
  int exportVine(ClientHook hook, ThirdPartyHandoff.Vine vine) {
    int id = exports.add(null);
    Export e = new Export(id, hook, hook);
    e.state = State.HOSTED;
    e.vine = vine;
    exports.set(id, e);
    return id;
  }

  /**
   * Describes a hook of another loop: it may lead back to this loop (then it is described as
   * what it leads to, for example one of the peer's own capabilities), else it is exported
   * through the loop's {@link CrossLoopClient} to it.
   */
  private int writeForeignDescriptor(ClientHook hook, Rpc.CapDescriptor.Builder d) {
    ClientHook bound = protocol.delivery.bind(hook.addRef());
    try {
      if (bound instanceof CrossLoopClient) {
        return writeExport(bound, d);
      }
      return writeDescriptor(bound, d);
    } finally {
      bound.release();
    }
  }

  /**
   * Exports {@code h} (a hook of this loop, borrowed), or counts one more reference to its
   * existing export.
   */
  private int writeExport(ClientHook h, Rpc.CapDescriptor.Builder d) {
    Integer existing = byHook.get(h);
    if (existing != null) {
      Export e = exports.get(existing);
      e.refcount++;
      if (e.isPromise()) {
        d.setSenderPromise(existing);
      } else {
        d.setSenderHosted(existing);
      }
      return existing;
    }
    ConnectionLimits limits = protocol.limits();
    if (exports.size() >= limits.maxExports()) {
      // the message being written cannot be taken back: describe nothing and abort after it
      d.setNone();
      protocol.abortLater(RpcException.failed("RPC limit exceeded: more than "
          + limits.maxExports() + " capabilities exported to the peer (maxExports)"));
      return -1;
    }
    ClientHook exported = h.addRef();
    int id = exports.add(null);
    Export e = new Export(id, h, exported);
    exports.set(id, e);
    byHook.put(h, id);
    if (exported.resolutionSignal() != null) {
      e.state = State.PROMISE;
      d.setSenderPromise(id);
      watch(e, exported);
    } else if (exported.brokenReason() != null) {
      e.state = State.PROMISE;
      d.setSenderPromise(id);
      protocol.afterSend(() -> sendResolve(e, exported));
    } else {
      e.state = State.HOSTED;
      d.setSenderHosted(id);
    }
    return id;
  }

  /**
   * Sends the {@code Resolve} of export {@code e} once {@code promise} (its hook) resolves. The
   * wait is removable ({@link Export#stopWatching()}): an export released while its promise
   * never resolves leaves nothing behind on the promise. (The signal fires on the loop.)
   */
  private void watch(Export e, ClientHook promise) {
    ResolutionSignal signal = promise.resolutionSignal();
    if (signal == null) {
      sendResolve(e, promise);
      return;
    }
    ListenerList.Listener l = signal.add(() -> {
      e.watch = null;
      if (exports.get(e.id) != e || protocol.isDisconnected()) {
        return;
      }
      ClientHook r = ClientHook.shorten(promise);
      if (r.resolutionSignal() != null && !protocol.owns(r)) {
        watch(e, r);
        return;
      }
      sendResolve(e, r);
    });
    if (l != null) { // (null: it had resolved, and the action ran already)
      e.watch = l;
    }
  }

  /** PROMISE → RESOLVED: tells the peer what export {@code e} resolved to. */
  private void sendResolve(Export e, ClientHook resolution) {
    if (exports.get(e.id) != e || protocol.isDisconnected()) {
      return;
    }
    MessageBuilder mb = RpcMessages.newMessage();
    Rpc.Resolve.Builder r = mb.initRoot(Rpc.Message.FACTORY).initResolve();
    r.setPromiseId(e.id);
    RpcException broken = resolution.brokenReason();
    if (broken != null) {
      RpcMessages.writeException(r.initException(), broken);
    } else {
      writeDescriptor(resolution, r.initCap());
    }
    e.state = State.RESOLVED;
    // later calls to this export go straight to the resolution
    Integer mapped = byHook.get(e.key);
    if (mapped != null && mapped == e.id) {
      byHook.remove(e.key);
    }
    ClientHook old = e.hook;
    e.hook = protocol.describedTarget(resolution).addRef();
    old.release();
    protocol.send(mb);
  }

  // ============================================================== references the peer drops

  /** The peer drops {@code count} references to export {@code id} (Release, release flags). */
  void release(int id, int count) {
    Export e = exports.get(id);
    if (e == null) {
      throw new ProtocolError("Tried to release invalid export ID " + id);
    }
    if (count > e.refcount) {
      throw new ProtocolError("Tried to drop export's refcount below zero (export " + id + ")");
    }
    e.refcount -= count;
    if (e.refcount == 0) {
      exports.remove(id);
      e.stopWatching();
      Integer mapped = byHook.get(e.key);
      if (mapped != null && mapped == id) {
        byHook.remove(e.key);
      }
      e.hook.release();
      if (e.vine != null) {
        e.vine.end();
      }
    }
  }

  /** Releases one reference to each export in {@code ids} (as written by a descriptor list). */
  void releaseAll(int[] ids) {
    if (ids == null) {
      return;
    }
    for (int id : ids) {
      if (id >= 0) {
        release(id, 1);
      }
    }
  }

  // ============================================================================ teardown

  /** The connection is gone: every export is dropped. */
  void clear() {
    java.util.ArrayList<Export> all = exports.values();
    exports.clear();
    byHook.clear();
    for (Export x : all) {
      x.stopWatching();
      x.hook.release();
      if (x.vine != null) {
        x.vine.end();
      }
    }
  }

  String invariantViolation() {
    String[] bad = new String[1];
    exports.forEach((id, e) -> {
      if (bad[0] == null && (e.refcount <= 0 || e.id != id || e.hook == null
          || e.state == null)) {
        bad[0] = "export " + id + " refcount " + e.refcount + " id " + e.id + " " + e.state;
      }
    });
    byHook.forEach((h, id) -> {
      Export e = exports.get(id);
      if (bad[0] == null && (e == null || e.key != h)) {
        bad[0] = "exports by hook maps " + h + " to export " + id + " which is " + e;
      }
    });
    if (bad[0] == null && byHook.size() > exports.size()) {
      bad[0] = "more hooks mapped than exports";
    }
    return bad[0];
  }

  void dump(StringBuilder sb) {
    sb.append("  exports:\n");
    exports.forEach((id, e) -> sb.append("    ").append(id).append(' ').append(e.state)
        .append(e.vine != null ? " vine" : "")
        .append(" refcount=").append(e.refcount).append(' ').append(e.hook).append('\n'));
  }
}
