package dev.capnp.bench.rpc;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.transport.StreamTransport;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The core RPC library alone: blocking NIO sockets (TCP loopback or a Unix socket) carrying a
 * {@link StreamTransport}, one reader and one batching writer thread per connection. No TLS.
 */
final class RawSocketStack implements Stack {
  @Override
  public Served serve(String transport) throws Exception {
    ServerSocketChannel listener;
    String address;
    Path socketFile = null;
    if (transport.equals("tcp")) {
      listener = ServerSocketChannel.open();
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      address = "tcp:127.0.0.1:" + ((InetSocketAddress) listener.getLocalAddress()).getPort();
    } else if (transport.equals("unix")) {
      socketFile = Files.createTempDirectory("echo-bench").resolve("echo.sock");
      listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      listener.bind(UnixDomainSocketAddress.of(socketFile));
      address = "unix:" + socketFile;
    } else {
      throw new IllegalArgumentException("--stack raw supports tcp and unix, not " + transport);
    }
    EventLoop loop = EventLoop.start("echo-server");
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          SocketChannel s = listener.accept();
          if (transport.equals("tcp")) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
          }
          RpcConnection.create(loop, StreamTransport.of(s, s, "server"),
              Capability.of(new EchoServer(), loop), "server");
        }
      } catch (Exception e) {
        // listener closed
      }
    }, "echo-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    Path toDelete = socketFile;
    return new Served() {
      @Override
      public String address() {
        return address;
      }

      @Override
      public void close() throws java.io.IOException {
        listener.close();
        loop.close();
        if (toDelete != null) {
          Files.deleteIfExists(toDelete);
          Files.deleteIfExists(toDelete.getParent());
        }
      }
    };
  }

  @Override
  public Connected connect(String transport, String address) throws Exception {
    SocketChannel s;
    if (address.startsWith("tcp:")) {
      String hostPort = address.substring(4);
      int colon = hostPort.lastIndexOf(':');
      s = SocketChannel.open(new InetSocketAddress(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1))));
      s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    } else if (address.startsWith("unix:")) {
      s = SocketChannel.open(UnixDomainSocketAddress.of(address.substring(5)));
    } else {
      throw new IllegalArgumentException("not a raw address: " + address);
    }
    EventLoop loop = EventLoop.start("echo-client");
    RpcConnection conn = RpcConnection.create(loop, StreamTransport.of(s, s, "client"), null,
        "client");
    Capability echo = conn.bootstrap();
    return new Connected() {
      @Override
      public Capability echo() {
        return echo;
      }

      @Override
      public void close() {
        echo.close();
        conn.close();
        loop.close();
      }
    };
  }
}
