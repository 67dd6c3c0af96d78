package dev.capnp.rpc.protocol;

/**
 * The peer broke a rule of the protocol (an unknown id, a release below zero, a limit exceeded):
 * the connection aborts with this message as the reason. Thrown only while handling a message
 * of the peer; never a defect of ours (those are other runtime exceptions).
 */
public final class ProtocolError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ProtocolError(String message) {
    super(message);
  }
}
