package dev.capnp.rpc.interop;

import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.StreamTransport;
import java.io.IOException;
import java.net.Socket;

/** The core's byte-stream transport over a TCP socket (standard framing, as C++ speaks it). */
final class SocketTransports {
  private SocketTransports() {}

  /** A {@link StreamTransport} over {@code socket}'s streams; closing it closes the socket. */
  static MessageTransport over(Socket socket, String name) throws IOException {
    socket.setTcpNoDelay(true);
    return StreamTransport.of(socket.getInputStream(), socket.getOutputStream(), name);
  }
}
