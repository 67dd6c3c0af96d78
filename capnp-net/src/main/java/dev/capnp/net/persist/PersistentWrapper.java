package dev.capnp.net.persist;

import dev.capnp.net.restore.Forwarding;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Server;
import dev.capnp.runtime.AnyPointer;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A server that makes any service persistable (the seed's {@code Persistence.with_persistence}):
 * calls to {@code Persistent} are answered by a {@link Persistence.SaveHandler}; every other call
 * is forwarded to the wrapped service as a tail call, so results, pipelining and errors are the
 * service's own. Made by {@link Persistence#withPersistence}.
 */
final class PersistentWrapper extends Server {
  private final Persistence.SaveHandler handler;
  private final Capability service;

  PersistentWrapper(Persistence.SaveHandler handler, Capability service) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.service = Objects.requireNonNull(service, "service");
  }

  @Override
  protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> context) {
    if (interfaceId == Persistence.INTERFACE_ID) {
      return Persistence.dispatchSave(handler, methodId, context);
    }
    return Forwarding.forward(service, interfaceId, methodId, context);
  }

  @Override
  protected void onRelease() {
    service.close();
  }

  @Override
  public String toString() {
    return "Persistent(" + service + ")";
  }
}
