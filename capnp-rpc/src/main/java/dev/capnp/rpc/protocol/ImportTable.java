package dev.capnp.rpc.protocol;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.HookCapTable;
import dev.capnp.rpc.internal.PostReturnPipeline;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.StructList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.TreeMap;

/**
 * The imports table: capabilities the peer exported to us, by the peer's export ids. Reads the
 * descriptors of incoming messages into capabilities, and applies the peer's {@code Resolve}.
 *
 * <h2>Lifecycle of an {@link Import}</h2>
 * <pre>
 *   (first descriptor naming the id: senderHosted) ──► HOSTED
 *   (first descriptor naming the id: senderPromise) ──► PROMISE
 *   HOSTED ──(a senderPromise descriptor for the id)──► PROMISE
 *   PROMISE ──(Resolve received for the id)──► RESOLVED ──(senderPromise again)──► PROMISE
 *   any ──(our last client of it is destroyed: Release(id, descriptors received) sent)──► removed
 *   any ──(disconnect)──► removed
 * </pre>
 * The peer counts one reference per descriptor it sent; {@link ImportClient#remoteRefs} counts
 * them here, and the {@code Release} returns them all at once. A {@code Resolve} for a HOSTED
 * import whose client lives is a protocol error.
 *
 * <p>Invariant: an entry's client, when present, names the entry's id. Confined to the
 * connection's loop.
 */
public final class ImportTable {
  /** The state of one import (see the class comment for the transitions). */
  enum State {
    /** Described only as {@code senderHosted}: it never resolves. */
    HOSTED,
    /** Described as {@code senderPromise}: a {@code Resolve} may come. */
    PROMISE,
    /** A {@code Resolve} arrived for it. */
    RESOLVED
  }

  /** A capability the peer exported to us. */
  static final class Import {
    final int id;
    State state = State.HOSTED;
    /** Our client of the import (counts the peer's references); null once destroyed. */
    ImportClient client;
    /**
     * The promise the peer's {@code Resolve} will settle, while someone holds it. The import may
     * outlive it (for example pinned by an answer that returned it, see
     * {@link PostReturnPipeline}), and a {@code Resolve} may still come then.
     */
    PromiseClient promise;

    Import(int id) {
      this.id = id;
    }

    boolean isPromise() {
      return state != State.HOSTED;
    }
  }

  private final RpcProtocol protocol;
  private final HashMap<Integer, Import> imports = new HashMap<>();

  ImportTable(RpcProtocol protocol) {
    this.protocol = protocol;
  }

  int size() {
    return imports.size();
  }

  /** The import of the peer's export {@code id}, or null (diagnostics and tests). */
  Import find(int id) {
    return imports.get(id);
  }

  // ================================================================= descriptors we read

  /** The capabilities of a received cap table, as new references (null entries for none). */
  HookCapTable receiveCaps(StructList.Reader<Rpc.CapDescriptor.Reader> list) {
    ConnectionLimits limits = protocol.limits();
    if (list.size() > limits.maxCapTableEntries()) {
      throw new ProtocolError("RPC limit exceeded: cap table of " + list.size()
          + " entries, more than " + limits.maxCapTableEntries() + " (maxCapTableEntries)");
    }
    if (list.size() == 0) {
      return new HookCapTable(); // (most messages carry no capability)
    }
    ArrayList<ClientHook> hooks = new ArrayList<>(list.size());
    try {
      for (int i = 0; i < list.size(); i++) {
        hooks.add(receiveCap(list.get(i)));
      }
    } catch (RuntimeException e) {
      for (ClientHook h : hooks) {
        if (h != null) {
          h.release();
        }
      }
      throw e;
    }
    return new HookCapTable(hooks);
  }

  /** The capability a received descriptor names, as a new reference (null for none). */
  ClientHook receiveCap(Rpc.CapDescriptor.Reader d) {
    switch (d.which()) {
      case NONE:
        return null;
      case SENDER_HOSTED:
        return importCap(d.getSenderHosted(), false);
      case SENDER_PROMISE:
        return importCap(d.getSenderPromise(), true);
      case RECEIVER_HOSTED: {
        ExportTable.Export e = protocol.exports.find(d.getReceiverHosted());
        if (e == null) {
          return protocol.delivery.broken(
              RpcException.failed("invalid 'receiverHosted' export ID " + d.getReceiverHosted()));
        }
        return e.hook.addRef();
      }
      case RECEIVER_ANSWER: {
        Rpc.PromisedAnswer.Reader pa = d.getReceiverAnswer();
        ClientHook c = protocol.answers.pipelinedCap(pa);
        return c != null ? c : protocol.delivery.broken(RpcException.failed(
            "invalid 'receiverAnswer' question ID " + pa.getQuestionId()));
      }
      case THIRD_PARTY_HOSTED: {
        // (the vine first, so that it is released if anything goes wrong)
        ImportClient vine = (ImportClient) importCap(d.getThirdPartyHosted().getVineId(), false);
        if (!protocol.level3()) {
          return vine; // Level 1: calls go through the vine, proxied by the introducer
        }
        return new ThirdPartyClient(protocol, vine, d.getThirdPartyHosted().getId());
      }
      default:
        throw new ProtocolError("unknown CapDescriptor type");
    }
  }

  private ClientHook importCap(int id, boolean isPromise) {
    Import imp = imports.get(id);
    ImportClient ic;
    // tryAddRef, not isLive-then-addRef: the last reference may be dropped on another thread
    // at any moment (the hook is then destroyed later, on this loop), so only an atomic
    // increment tells whether the existing client can still be shared
    if (imp != null && imp.client != null && imp.client.tryAddRef()) {
      ic = imp.client;
      ic.remoteRefs++;
    } else {
      if (imp == null) {
        ConnectionLimits limits = protocol.limits();
        if (imports.size() >= limits.maxImports()) {
          throw new ProtocolError("RPC limit exceeded: more than " + limits.maxImports()
              + " capabilities imported from the peer (maxImports)");
        }
        imp = new Import(id);
        imports.put(id, imp);
      }
      ic = new ImportClient(protocol, id);
      imp.client = ic;
    }
    if (!isPromise) {
      return ic;
    }
    imp.state = State.PROMISE;
    if (imp.promise != null && !imp.promise.resolved && imp.promise.tryAddRef()) {
      ic.release();
      return imp.promise;
    }
    PromiseClient pc = new PromiseClient(protocol, ic, id);
    imp.promise = pc;
    return pc;
  }

  /** Our last client of import {@code id} is gone: forget it (the client sends the Release). */
  void clientDestroyed(ImportClient client) {
    Import imp = imports.get(client.importId);
    if (imp != null && imp.client == client) {
      imports.remove(client.importId);
    }
  }

  /** The promise of import {@code id} is gone (its import may live on). */
  void promiseDestroyed(int id, PromiseClient promise) {
    Import imp = imports.get(id);
    if (imp != null && imp.promise == promise) {
      imp.promise = null;
    }
  }

  // ============================================================================== Resolve

  /** {@code Resolve}: the peer's promise {@code promiseId} settled. */
  void handleResolve(Rpc.Resolve.Reader r) {
    // Look the promise up before reading the resolution: reading it may create imports, and
    // the resolution may even name the promise itself.
    Import imp = imports.get(r.getPromiseId());
    if (imp != null && !imp.isPromise() && imp.client != null && imp.client.isLive()) {
      throw new ProtocolError("Got 'Resolve' for a non-promise import " + r.getPromiseId());
    }
    PromiseClient target = imp != null && imp.promise != null && imp.promise.isLive()
        && !imp.promise.resolved ? imp.promise : null;
    ClientHook replacement;
    boolean isError;
    if (r.isException()) {
      replacement = protocol.delivery.broken(RpcMessages.readException(r.getException()));
      isError = true;
    } else if (r.isCap()) {
      replacement = receiveCap(r.getCap());
      if (replacement == null) {
        replacement = protocol.delivery.nullCap();
      }
      isError = false;
    } else {
      throw new ProtocolError("unknown Resolve type");
    }
    if (target == null || !target.isLive() || target.resolved) {
      // the promise was released meanwhile (or never existed): nothing to resolve
      replacement.release();
      return;
    }
    imp.state = State.RESOLVED;
    ClientHook leadsTo = ClientHook.shorten(replacement);
    if (leadsTo == target || leadsTo == target.initial) {
      // (the promise itself, or its own import: an answer that returned this promise is pinned
      // to that import, see PostReturnPipeline)
      replacement.release();
      Rpc.CapDescriptor.Reader d = r.getCap();
      if ((d.isSenderPromise() && d.getSenderPromise() == r.getPromiseId())
          || (d.isSenderHosted() && d.getSenderHosted() == r.getPromiseId())) {
        throw new ProtocolError("'Resolve' of promise " + r.getPromiseId() + " to itself");
      }
      // The peer resolved its promise to something of ours (a pipelined result of our answer,
      // an export) that turns out to be this very promise: a promise cycle across the two vats
      // made by the applications, which the peer could not see. Break it, as a local promise
      // resolved to itself is broken, instead of forwarding calls around it forever.
      replacement = protocol.delivery.broken(RpcException.failed(
          "Attempt to create a cycle detected: promise resolved to itself (through the peer)"));
      isError = true;
    }
    target.resolve(replacement, isError);
  }

  // ============================================================================ teardown

  /** The connection is gone: unresolved promises break with {@code e}; the table empties. */
  void clear(RpcException e) {
    ArrayList<Import> all = new ArrayList<>(imports.values());
    imports.clear();
    for (Import i : all) {
      if (i.promise != null && i.promise.isLive() && !i.promise.resolved) {
        i.promise.resolve(protocol.delivery.broken(e), true);
      }
    }
  }

  String invariantViolation() {
    for (Import i : imports.values()) {
      if (i.client != null && i.client.importId != i.id) {
        return "import " + i.id + " has the client of import " + i.client.importId;
      }
    }
    return null;
  }

  void dump(StringBuilder sb) {
    sb.append("  imports:\n");
    new TreeMap<>(imports).forEach((id, i) -> sb.append("    ").append(id).append(' ')
        .append(i.state).append(": ").append(i.client == null ? "-" : i.client.toString())
        .append(i.promise == null ? "" : " promise " + i.promise).append('\n'));
  }
}
