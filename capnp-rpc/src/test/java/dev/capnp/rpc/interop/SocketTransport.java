package dev.capnp.rpc.interop;

import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link MessageTransport} over a TCP socket with the standard framing (the two-party wire
 * format the C++ implementation speaks): one reader thread, one writer thread that flushes when
 * its queue runs dry.
 */
final class SocketTransport implements MessageTransport {
  private static final MessageBuilder END = new MessageBuilder(1);

  private final Socket socket;
  private final String name;
  private final LinkedBlockingQueue<MessageBuilder> outgoing = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  SocketTransport(Socket socket, String name) throws IOException {
    this.socket = socket;
    this.name = name;
    socket.setTcpNoDelay(true);
  }

  @Override
  public void send(MessageBuilder message) {
    if (!closed) {
      outgoing.add(message);
    }
  }

  @Override
  public void start(Receiver receiver) {
    Thread writer = new Thread(this::writeLoop, name + "-writer");
    writer.setDaemon(true);
    writer.start();
    Thread reader = new Thread(() -> readLoop(receiver), name + "-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(Receiver receiver) {
    ReaderOptions options = new ReaderOptions(64L * 1024 * 1024, 64);
    try (InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024)) {
      while (true) {
        MessageReader message = Serialize.tryRead(in, options);
        if (message == null) {
          receiver.onClosed(null);
          return;
        }
        receiver.onMessage(message);
      }
    } catch (IOException | RuntimeException e) {
      receiver.onClosed(closed ? null : e);
    } finally {
      closeSocket();
    }
  }

  private void writeLoop() {
    try (OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024)) {
      while (true) {
        MessageBuilder message = outgoing.take();
        if (message == END) {
          out.flush();
          socket.shutdownOutput();
          return;
        }
        Serialize.write(out, message);
        if (outgoing.isEmpty()) {
          out.flush();
        }
      }
    } catch (IOException e) {
      closeSocket();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeSocket();
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      outgoing.add(END);
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // Already broken.
    }
  }
}
