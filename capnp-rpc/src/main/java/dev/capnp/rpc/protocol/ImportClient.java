package dev.capnp.rpc.protocol;

import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.proto.Rpc;

/**
 * A capability the peer hosts (an entry of the {@link ImportTable}). Counts the descriptors the
 * peer sent for it; when the last local reference goes, one {@code Release} returns them all.
 */
public final class ImportClient extends RpcClient {
  final int importId;
  /** Descriptors of this import received from the peer, not yet released. */
  int remoteRefs = 1;

  ImportClient(RpcProtocol protocol, int importId) {
    super(protocol);
    this.importId = importId;
  }

  @Override
  public CallResult call(CallParams params) {
    return protocol.delivery.call(this, params);
  }

  @Override
  public void callForResults(CallParams params,
      java.util.function.BiConsumer<dev.capnp.rpc.internal.Results, Throwable> listener) {
    protocol.delivery.callForResults(this, params, listener);
  }

  @Override
  int writeDescriptor(Rpc.CapDescriptor.Builder d) {
    d.setReceiverHosted(importId);
    return -1;
  }

  @Override
  void writeTarget(Rpc.MessageTarget.Builder t) {
    t.setImportedCap(importId);
  }

  @Override
  public void destroy() {
    protocol.imports.clientDestroyed(this);
    if (!protocol.isDisconnected()) {
      protocol.send(RpcMessages.release(importId, remoteRefs));
    }
  }

  @Override
  public String describe() {
    return "import(" + protocol.name + ":" + importId + ")";
  }
}
