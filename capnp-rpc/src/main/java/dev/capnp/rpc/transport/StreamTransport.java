package dev.capnp.rpc.transport;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * A transport over a byte stream using the standard (unpacked) framing. A reader thread reads
 * messages; a writer thread takes every message queued since its last write and writes them in
 * one batch followed by a single flush (so a burst of replies costs one system call).
 * Works over {@code InputStream}/{@code OutputStream} pairs or byte channels.
 *
 * <p>Backpressure: the reader thread stops reading while the connection asks it to
 * ({@link #pauseReading()}) or while more than {@code maxQueuedReplyBytes} of replies
 * ({@link #sendReply}) wait for the writer, because the peer does not read them; a blocked
 * stream then stops the peer.
 */
public final class StreamTransport implements MessageTransport {
  private final InputStream in;
  private final OutputStream out;
  private final ReadableByteChannel inChannel;
  private final WritableByteChannel outChannel;
  private final Closeable[] toClose;
  private final ReaderOptions options;
  private final String name;
  private final ArrayDeque<MessageBuilder> outbox = new ArrayDeque<>();
  /** Bytes of the replies in {@link #outbox} (guarded by it). */
  private long outboxReplyBytes;
  private boolean closing;
  /** Set once {@link #close()} was called: the end of the stream is then no news to report. */
  private volatile boolean closeRequested;
  private volatile boolean closed;
  private Thread writer;
  /** Guards the reading pauses below; the reader waits on it. */
  private final Object readGate = new Object();
  private boolean pausedByReceiver;
  private long queuedReplyBytes;
  private long maxQueuedReplyBytes = dev.capnp.rpc.ConnectionLimits.DEFAULT.maxQueuedReplyBytes();

  private StreamTransport(InputStream in, OutputStream out, ReadableByteChannel inChannel,
      WritableByteChannel outChannel, ReaderOptions options, String name, Closeable... toClose) {
    this.in = in;
    this.out = out;
    this.inChannel = inChannel;
    this.outChannel = outChannel;
    this.options = options;
    this.name = name;
    this.toClose = toClose;
  }

  /**
   * A transport over a pair of streams (closed with the transport).
   *
   * @param in the stream messages are read from
   * @param out the stream messages are written to
   * @param name a name for the transport in logs and errors
   * @return a new transport
   */
  public static StreamTransport of(InputStream in, OutputStream out, String name) {
    return new StreamTransport(new BufferedInputStream(in, 65536),
        new BufferedOutputStream(out, 65536), null, null, ReaderOptions.DEFAULT, name, in, out);
  }

  /**
   * A transport over a pair of byte channels (closed with the transport).
   *
   * @param in the channel messages are read from
   * @param out the channel messages are written to
   * @param name a name for the transport in logs and errors
   * @return a new transport
   */
  public static StreamTransport of(ReadableByteChannel in, WritableByteChannel out,
      String name) {
    return new StreamTransport(null, null, in, out, ReaderOptions.DEFAULT, name, in, out);
  }

  @Override
  public void send(MessageBuilder message) {
    enqueue(message, 0);
  }

  private void enqueue(MessageBuilder message, long replyBytes) {
    synchronized (outbox) {
      if (closing) {
        throw new IllegalStateException("transport " + name + " is closed");
      }
      outbox.add(message);
      outboxReplyBytes += replyBytes;
      outbox.notifyAll();
    }
  }

  /**
   * Sets the bytes of replies that may wait for the writer before the reader stops (default
   * {@code ConnectionLimits.DEFAULT.maxQueuedReplyBytes()}); returns this.
   *
   * @param bytes the limit in bytes
   * @return this transport
   */
  public StreamTransport maxQueuedReplyBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("maxQueuedReplyBytes must be positive: " + bytes);
    }
    synchronized (readGate) {
      this.maxQueuedReplyBytes = bytes;
    }
    return this;
  }

  @Override
  public void sendReply(MessageBuilder message) {
    long size = message.sizeInWords() * 8L;
    synchronized (readGate) {
      queuedReplyBytes += size;
    }
    enqueue(message, size);
  }

  @Override
  public void pauseReading() {
    synchronized (readGate) {
      pausedByReceiver = true;
    }
  }

  @Override
  public void resumeReading() {
    synchronized (readGate) {
      pausedByReceiver = false;
      readGate.notifyAll();
    }
  }

  /** Blocks the reader while reading is paused (or until the transport closes). */
  private void awaitReading() throws InterruptedException {
    synchronized (readGate) {
      while (!closeRequested && !closed
          && (pausedByReceiver || queuedReplyBytes > maxQueuedReplyBytes)) {
        readGate.wait(1000);
      }
    }
  }

  private void repliesWritten(long bytes) {
    if (bytes == 0) {
      return;
    }
    synchronized (readGate) {
      queuedReplyBytes -= bytes;
      if (queuedReplyBytes <= maxQueuedReplyBytes / 2) {
        readGate.notifyAll();
      }
    }
  }

  @Override
  public void start(Receiver receiver) {
    writer = new Thread(this::writeLoop, name + "-writer");
    writer.setDaemon(true);
    writer.start();
    Thread reader = new Thread(() -> readLoop(receiver), name + "-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(Receiver receiver) {
    try {
      while (true) {
        awaitReading();
        MessageReader m = in != null ? Serialize.tryRead(in, options)
            : Serialize.tryRead(inChannel, options);
        if (m == null) {
          break;
        }
        receiver.onMessage(m);
      }
      if (!closeRequested) {
        receiver.onClosed(null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // also reached when the writer failed and closed the streams
      if (!closeRequested) {
        receiver.onClosed(e);
      }
    }
  }

  private void writeLoop() {
    ArrayList<MessageBuilder> batch = new ArrayList<>();
    long batchReplyBytes = 0;
    try {
      while (true) {
        synchronized (outbox) {
          while (outbox.isEmpty() && !closing) {
            outbox.wait();
          }
          if (outbox.isEmpty()) {
            break;
          }
          batch.addAll(outbox);
          outbox.clear();
          batchReplyBytes = outboxReplyBytes;
          outboxReplyBytes = 0;
        }
        if (out != null) {
          for (MessageBuilder m : batch) {
            Serialize.write(out, m);
          }
          out.flush();
        } else if (outChannel instanceof GatheringByteChannel) {
          writeGathered((GatheringByteChannel) outChannel, batch);
        } else {
          for (MessageBuilder m : batch) {
            Serialize.write(outChannel, m);
          }
        }
        batch.clear();
        repliesWritten(batchReplyBytes);
      }
    } catch (IOException | RuntimeException e) {
      // the reader side reports the failure
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeAll();
    }
  }

  /** Writes a whole batch of framed messages with gathering writes (one system call if it fits). */
  private static void writeGathered(GatheringByteChannel ch, ArrayList<MessageBuilder> batch)
      throws IOException {
    ArrayList<ByteBuffer> bufs = new ArrayList<>(batch.size() * 2);
    long remaining = 0;
    for (MessageBuilder m : batch) {
      ByteBuffer[] segs = m.getSegmentsForOutput();
      int headerBytes = (4 * (segs.length + 1) + 7) & ~7;
      ByteBuffer h = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(0, segs.length - 1);
      for (int i = 0; i < segs.length; i++) {
        h.putInt(4 + 4 * i, segs[i].remaining() / 8);
      }
      bufs.add(h);
      remaining += headerBytes;
      for (ByteBuffer seg : segs) {
        bufs.add(seg);
        remaining += seg.remaining();
      }
    }
    ByteBuffer[] all = bufs.toArray(new ByteBuffer[0]);
    int first = 0;
    while (remaining > 0) {
      remaining -= ch.write(all, first, all.length - first);
      while (first < all.length && !all[first].hasRemaining()) {
        first++;
      }
    }
  }

  private void closeAll() {
    closed = true;
    synchronized (readGate) {
      readGate.notifyAll();
    }
    for (Closeable c : toClose) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Flushes what is queued, then closes both directions. */
  @Override
  public void close() {
    closeRequested = true;
    synchronized (outbox) {
      if (closing) {
        return;
      }
      closing = true;
      outbox.notifyAll();
    }
    if (writer == null) {
      closeAll();
    }
  }
}
