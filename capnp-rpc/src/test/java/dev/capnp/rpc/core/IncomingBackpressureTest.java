package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.rpc.transport.QueueBudget;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection whose loop falls behind the messages arriving pauses its transport once more
 * than {@code maxQueuedIncomingBytes} wait, and resumes it once at most half do: what a peer
 * sends faster than the vat handles stays in the peer's socket, not in the vat's heap. A
 * {@link QueueBudget} shared by a vat's connections bounds the sum the same way.
 */
class IncomingBackpressureTest extends TestSupport.LoopTest {
  /** A transport that records what the connection asks of it. */
  static final class RecordingTransport implements MessageTransport {
    Receiver receiver;
    final List<String> events = new ArrayList<>();
    final List<MessageBuilder> sent = new ArrayList<>();

    @Override
    public void send(MessageBuilder message) {
      sent.add(message);
    }

    @Override
    public void start(Receiver r) {
      receiver = r;
    }

    @Override
    public void pauseReading() {
      events.add("pause");
    }

    @Override
    public void resumeReading() {
      events.add("resume");
    }

    @Override
    public void close() {}
  }

  private static MessageReader bootstrap(int questionId) {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(Rpc.Message.FACTORY).initBootstrap().setQuestionId(questionId);
    return Serialize.read(Serialize.toByteBuffer(mb));
  }

  @Test
  void aLoopThatFallsBehindPausesTheTransportAndResumesAtHalf() {
    RecordingTransport t = new RecordingTransport();
    RpcConnection conn = new RpcConnection(loop, t, null, "c")
        .limits(ConnectionLimits.DEFAULT.withMaxQueuedIncomingBytes(1024));
    conn.start();
    long size = Serialize.toByteBuffer(bootstrapBuilder()).remaining() - 8; // minus the header
    int n = (int) (3 * 1024 / size);
    for (int i = 0; i < n; i++) {
      t.receiver.onMessage(bootstrap(i)); // the loop does not run: they all wait
    }
    assertThat(t.events).containsExactly("pause");
    assertThat(conn.isReadingPaused()).isTrue();
    loop.runPending();
    assertThat(t.events).containsExactly("pause", "resume");
    assertThat(conn.isReadingPaused()).isFalse();
    assertThat(t.sent).hasSize(n); // every bootstrap was answered
    conn.close();
    loop.runPending();
  }

  private static MessageBuilder bootstrapBuilder() {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(Rpc.Message.FACTORY).initBootstrap().setQuestionId(0);
    return mb;
  }

  /**
   * Connections sharing a {@link QueueBudget}: each stays under its own limit, but together they
   * exceed the budget, so each one holding more than the floor pauses; all resume once the loop
   * has handled their messages, and the budget is back at zero.
   */
  @Test
  void connectionsTogetherOverTheVatBudgetPauseAndResume() {
    QueueBudget budget = new QueueBudget(3 * QueueBudget.FLOOR_BYTES);
    List<RecordingTransport> ts = new ArrayList<>();
    List<RpcConnection> conns = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      RecordingTransport t = new RecordingTransport();
      RpcConnection conn = new RpcConnection(loop, t, null, "c" + c).incomingBudget(budget);
      conn.start(); // default limits: 2 MiB each, far above what each receives here
      ts.add(t);
      conns.add(conn);
    }
    long perMessage = Serialize.toByteBuffer(bootstrapBuilder()).remaining() - 8
        + RpcConnection.QUEUED_MESSAGE_OVERHEAD_BYTES;
    int n = (int) (2 * QueueBudget.FLOOR_BYTES / perMessage); // 2 floors each, 8 in all
    for (int i = 0; i < n; i++) {
      for (RecordingTransport t : ts) {
        t.receiver.onMessage(bootstrap(i)); // the loop does not run: they all wait
      }
    }
    assertThat(budget.queued()).isEqualTo(4 * n * perMessage);
    for (int c = 0; c < 4; c++) {
      assertThat(ts.get(c).events).as("connection %d", c).containsExactly("pause");
      assertThat(conns.get(c).isReadingPaused()).isTrue();
    }
    loop.runPending();
    assertThat(budget.queued()).isZero();
    for (int c = 0; c < 4; c++) {
      assertThat(ts.get(c).events).as("connection %d", c).containsExactly("pause", "resume");
      assertThat(ts.get(c).sent).hasSize(n); // every bootstrap was answered
      conns.get(c).close();
    }
    loop.runPending();
  }

  /**
   * A small message costs its objects too: four bootstraps of 48 bytes each hold about 1.2 KiB
   * while queued, over a limit of 1 KiB.
   */
  @Test
  void queuedMessagesCountTheirObjects() {
    RecordingTransport t = new RecordingTransport();
    RpcConnection conn = new RpcConnection(loop, t, null, "c")
        .limits(ConnectionLimits.DEFAULT.withMaxQueuedIncomingBytes(1024));
    conn.start();
    for (int i = 0; i < 3; i++) {
      t.receiver.onMessage(bootstrap(i));
    }
    assertThat(t.events).isEmpty();
    t.receiver.onMessage(bootstrap(3));
    assertThat(t.events).containsExactly("pause");
    loop.runPending();
    assertThat(t.events).containsExactly("pause", "resume");
    conn.close();
    loop.runPending();
  }

  /** Small queues stay under the floor: a budget exceeded by others does not pause them. */
  @Test
  void aConnectionUnderTheFloorIsNotPausedByTheBudget() {
    QueueBudget budget = new QueueBudget(1);
    budget.add(10 * QueueBudget.FLOOR_BYTES); // what other connections hold
    RecordingTransport t = new RecordingTransport();
    RpcConnection conn = new RpcConnection(loop, t, null, "c").incomingBudget(budget);
    conn.start();
    for (int i = 0; i < 10; i++) {
      t.receiver.onMessage(bootstrap(i));
    }
    loop.runPending();
    assertThat(t.events).isEmpty();
    assertThat(budget.queued()).isEqualTo(10 * QueueBudget.FLOOR_BYTES);
    conn.close();
    loop.runPending();
  }

  @Test
  void aLoopThatKeepsUpNeverPauses() {
    RecordingTransport t = new RecordingTransport();
    RpcConnection conn = new RpcConnection(loop, t, null, "c")
        .limits(ConnectionLimits.DEFAULT.withMaxQueuedIncomingBytes(1024));
    conn.start();
    for (int i = 0; i < 200; i++) {
      t.receiver.onMessage(bootstrap(i));
      loop.runPending();
    }
    assertThat(t.events).isEmpty();
    conn.close();
    loop.runPending();
  }
}
