package dev.capnp.rpc.interop;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Java server that the non-Java interop clients (C++, Rust) connect to: a loopback listener
 * serving a fresh {@link JavaTestService} per connection on one event loop.
 */
final class JavaPeerServer implements AutoCloseable {
  private final ServerSocket listener;
  private final EventLoop loop;
  private final String peer;
  private final List<RpcConnection> connections = new CopyOnWriteArrayList<>();
  /** The services handed out, one per connection, oldest first; tests may clear it. */
  final List<JavaTestService> services = new CopyOnWriteArrayList<>();

  /** Listens on a free loopback port; {@code peer} names the clients in connection names. */
  JavaPeerServer(String peer) throws IOException {
    this.peer = peer;
    loop = EventLoop.start("interop-java-server-" + peer);
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "interop-acceptor-" + peer);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The loopback port it listens on. */
  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket socket = listener.accept();
        RpcConnection connection = new RpcConnection(loop,
            SocketTransports.over(socket, "interop-server-conn"),
            objectId -> {
              JavaTestService service = new JavaTestService();
              services.add(service);
              return Capability.of(service, loop);
            }, peer + "->java");
        connections.add(connection);
        connection.start();
      }
    } catch (IOException e) {
      // Listener closed: the tests are over.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    connections.forEach(RpcConnection::close);
    loop.close();
  }
}
