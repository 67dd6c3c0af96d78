package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.BrokenClient;
import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.internal.ResolutionSignal;
import dev.capnp.rpc.proto.Rpc;

/**
 * A promise of the peer's: an import described as {@code senderPromise} (settled by the peer's
 * {@code Resolve}) or a pipelined result of one of our questions (settled by the Return).
 * Resolving to a capability of ours after calls went through it sets an embargo (see
 * {@link EmbargoTable}).
 */
public final class PromiseClient extends RpcClient {
  /** Volatile (with {@link #resolved}) so that other loops may follow the resolution. */
  private volatile ClientHook cap;
  /** Where it pointed first (not a reference: only its target ids are used). */
  final RpcClient initial;
  private final int importId;
  /** Calls (or descriptors) went to the peer through it: resolving locally must embargo. */
  boolean receivedCall;
  volatile boolean resolved;
  /** Fires (on the loop) when {@link #resolved} is set. */
  private final ResolutionSignal resolution = new ResolutionSignal();

  /** A promise first pointing at {@code initial} (owned); {@code importId} -1 if pipelined. */
  PromiseClient(RpcProtocol protocol, RpcClient initial, int importId) {
    super(protocol);
    this.cap = initial;
    this.initial = initial;
    this.importId = importId;
  }

  /** The pointer path of a pipelined promise (its initial {@link PipelineClient}). */
  short[] initialOps() {
    return ((PipelineClient) initial).ops;
  }

  /** Writes the target it was first described by (the import, or the question and path). */
  void writeInitialTarget(Rpc.MessageTarget.Builder t) {
    if (importId >= 0) {
      t.setImportedCap(importId);
    } else {
      initial.writeTarget(t);
    }
  }

  /** What it points to now (borrowed). */
  ClientHook current() {
    return cap;
  }

  @Override
  public CallResult call(CallParams params) {
    receivedCall = true;
    return cap.call(params);
  }

  @Override
  public void callForResults(CallParams params,
      java.util.function.BiConsumer<dev.capnp.rpc.internal.Results, Throwable> listener) {
    receivedCall = true;
    cap.callForResults(params, listener);
  }

  @Override
  int writeDescriptor(Rpc.CapDescriptor.Builder d) {
    receivedCall = true;
    return protocol.exports.writeDescriptor(cap, d);
  }

  @Override
  void writeTarget(Rpc.MessageTarget.Builder t) {
    receivedCall = true;
    ClientHook s = ClientHook.shorten(cap);
    if (protocol.owns(s)) {
      ((RpcClient) s).writeTarget(t);
    } else {
      throw new ProtocolError("promise no longer points into this connection");
    }
  }

  @Override
  public ClientHook getResolved() {
    return resolved ? cap : null;
  }

  @Override
  public ResolutionSignal resolutionSignal() {
    return resolved ? null : resolution;
  }

  @Override
  public RpcException brokenReason() {
    return resolved ? cap.brokenReason() : protocol.disconnectReason();
  }

  /** Resolves this promise to {@code replacement} (owned). */
  void resolve(ClientHook replacement, boolean isError) {
    if (resolved) {
      replacement.release();
      return;
    }
    ClientHook s = ClientHook.shorten(replacement);
    if (s == this) {
      replacement.release();
      replacement = new BrokenClient(loop, RpcException.failed(
          "Attempt to create a cycle detected: promise resolved to itself"));
      isError = true;
    } else if (s instanceof PromiseClient && s.brand() == protocol) {
      // resolved to another promise of the same peer: calls already sent through this one
      // may still be on their way when that one resolves back to us, so it must embargo then
      // (like rpc.c++'s promiseResolvedToThis)
      PromiseClient other = (PromiseClient) s;
      other.receivedCall = other.receivedCall || receivedCall;
    } else if (s instanceof ThirdPartyClient && s.brand() == protocol) {
      // resolved to a capability of a third vat, not accepted yet: calls already sent through
      // the peer must arrive there before the ones sent directly, so its Accept is embargoed
      // (Level 3: Accept.embargo + Disembargo.accept through the introducer)
      ((ThirdPartyClient) s).needEmbargo |= receivedCall;
    } else if (s.brand() != protocol && receivedCall && !isError
        && s.brokenReason() == null && !protocol.isDisconnected()) {
      // calls already sent through the peer must arrive before new local ones: embargo
      replacement = protocol.embargoes.embargo((RpcClient) cap, replacement);
    }
    ClientHook old = cap;
    if (old instanceof RpcClient && ((RpcClient) old).flow != null) {
      // streaming calls in flight through the promise keep bounding the stream (rpc.c++
      // adoptFlowController): the resolution takes over the controller if it has none
      ClientHook next = ClientHook.shorten(replacement);
      if (protocol.owns(next) && ((RpcClient) next).flow == null) {
        ((RpcClient) next).flow = ((RpcClient) old).flow;
      }
    }
    cap = replacement;
    resolved = true;
    old.release();
    resolution.fire();
  }

  @Override
  public void destroy() {
    if (importId >= 0) {
      protocol.imports.promiseDestroyed(importId, this);
    }
    cap.release();
  }

  @Override
  public String describe() {
    return (resolved ? "resolved(" : "promise(") + cap.describe() + ")";
  }
}
