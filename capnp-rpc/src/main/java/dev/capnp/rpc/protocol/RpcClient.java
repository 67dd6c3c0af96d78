package dev.capnp.rpc.protocol;

import dev.capnp.rpc.FlowController;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.internal.BreakSignal;
import dev.capnp.rpc.internal.ClientHook;
import dev.capnp.rpc.proto.Rpc;

/**
 * A capability pointing into one connection: one of the peer's exports ({@link ImportClient}),
 * a result of one of our questions ({@link PipelineClient}), or a promise of either
 * ({@link PromiseClient}). Calls to it become {@code Call} messages; descriptors of it name the
 * peer's own tables ({@code receiverHosted}, {@code receiverAnswer}).
 */
public abstract class RpcClient extends ClientHook {
  final RpcProtocol protocol;
  /** Flow control of the streaming calls to this capability (made at the first one). */
  FlowController flow;

  RpcClient(RpcProtocol protocol) {
    super(protocol.delivery.loop);
    this.protocol = protocol;
  }

  /** Writes a descriptor naming this capability to the peer; returns an export id or -1. */
  abstract int writeDescriptor(Rpc.CapDescriptor.Builder d);

  /** Writes the message target of this capability. */
  abstract void writeTarget(Rpc.MessageTarget.Builder t);

  @Override
  public final Object brand() {
    return protocol;
  }

  /** The peer's capabilities break when the connection is lost. */
  @Override
  public BreakSignal settledBreakSignal() {
    return protocol.lossSignal;
  }

  @Override
  public RpcException brokenReason() {
    return protocol.disconnectReason();
  }
}
