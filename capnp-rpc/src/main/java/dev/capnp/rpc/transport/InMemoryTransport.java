package dev.capnp.rpc.transport;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One end of an in-memory transport pair ({@link #pair(boolean)}). Messages are encoded (the
 * receiver reads the sender's segments, no copy). In <em>auto</em> mode a sent message is
 * delivered to the peer's receiver at once; in <em>manual</em> mode it waits in the peer's
 * inbox until a test calls {@link #deliverOne()} or {@link #deliverAll()}, so tests can inspect
 * and control message order.
 */
public final class InMemoryTransport implements MessageTransport {
  private final boolean manual;
  private InMemoryTransport peer;
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private Receiver receiver;
  private boolean closed;

  private InMemoryTransport(boolean manual) {
    this.manual = manual;
  }

  /**
   * Two connected ends; {@code manual} selects step-by-step delivery.
   *
   * @param manual {@code true} to deliver only on {@link #deliverOne()}/{@link #deliverAll()}
   * @return the two ends, each connected to the other
   */
  public static InMemoryTransport[] pair(boolean manual) {
    InMemoryTransport a = new InMemoryTransport(manual);
    InMemoryTransport b = new InMemoryTransport(manual);
    a.peer = b;
    b.peer = a;
    return new InMemoryTransport[] {a, b};
  }

  @Override
  public void send(MessageBuilder message) {
    ByteBuffer[] segs = message.getSegmentsForOutput();
    MessageReader r = new MessageReader(segs);
    peer.arrive(r);
  }

  private void arrive(MessageReader r) {
    Receiver rec;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (manual || receiver == null) {
        inbox.add(r);
        return;
      }
      rec = receiver;
    }
    rec.onMessage(r);
  }

  @Override
  public void start(Receiver receiver) {
    List<MessageReader> early;
    synchronized (this) {
      this.receiver = receiver;
      if (manual) {
        return;
      }
      early = new ArrayList<>();
      for (Object o : inbox) {
        early.add((MessageReader) o);
      }
      inbox.clear();
    }
    for (MessageReader m : early) {
      receiver.onMessage(m);
    }
  }

  /**
   * Messages waiting in this end's inbox (manual mode), oldest first.
   *
   * @return a snapshot of the waiting messages
   */
  public synchronized List<MessageReader> pending() {
    List<MessageReader> r = new ArrayList<>();
    for (Object o : inbox) {
      if (o instanceof MessageReader) {
        r.add((MessageReader) o);
      }
    }
    return r;
  }

  /**
   * Delivers the oldest waiting message; returns false if there was none.
   *
   * @return {@code true} if a message was delivered
   */
  public boolean deliverOne() {
    Object m;
    Receiver rec;
    synchronized (this) {
      m = inbox.poll();
      rec = receiver;
    }
    if (m == null) {
      return false;
    }
    if (m == END_OF_STREAM) {
      rec.onClosed(null);
    } else {
      rec.onMessage((MessageReader) m);
    }
    return true;
  }

  /**
   * Delivers waiting messages until none is left; returns how many.
   *
   * @return the number of messages delivered
   */
  public int deliverAll() {
    int n = 0;
    while (deliverOne()) {
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    Receiver peerReceiver;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      inbox.clear();
    }
    synchronized (peer) {
      if (peer.closed) {
        return;
      }
      if (manual) {
        peer.inbox.add(END_OF_STREAM);
        return;
      }
      peerReceiver = peer.receiver;
    }
    if (peerReceiver != null) {
      peerReceiver.onClosed(null);
    }
  }

  private static final Object END_OF_STREAM = new Object();
}
