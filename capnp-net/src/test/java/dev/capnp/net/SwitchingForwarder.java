package dev.capnp.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder on loopback for tests: its first connection goes to one port, every later one
 * to another (so one address leads different dialers to different vats). Bytes are copied both
 * ways by plain threads; an end of stream is passed on as a half-close.
 */
final class SwitchingForwarder implements AutoCloseable {
  private final ServerSocket server;
  private int firstPort;
  private int laterPort;
  private final List<Socket> sockets = new ArrayList<>();
  private int accepted;

  SwitchingForwarder(int firstPort, int laterPort) throws IOException {
    this.firstPort = firstPort;
    this.laterPort = laterPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "forwarder-accept");
    t.setDaemon(true);
    t.start();
  }

  /** From now on every connection goes to {@code port}. */
  synchronized void target(int port) {
    firstPort = port;
    laterPort = port;
  }

  /** Connections accepted so far. */
  synchronized int accepted() {
    return accepted;
  }

  /** The address to dial. */
  NetAddress address() {
    return NetAddress.tcp("127.0.0.1", server.getLocalPort());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        int port;
        synchronized (this) {
          port = accepted++ == 0 ? firstPort : laterPort;
        }
        Socket out = new Socket(InetAddress.getLoopbackAddress(), port);
        synchronized (this) {
          sockets.add(in);
          sockets.add(out);
        }
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        InputStream in = from.getInputStream(); // (closing it would close the socket)
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // one side closed: the other follows when the forwarder closes
      }
    }, "forwarder-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public synchronized void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
