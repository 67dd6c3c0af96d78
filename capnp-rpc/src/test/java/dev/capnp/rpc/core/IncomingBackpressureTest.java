package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection whose loop falls behind the messages arriving pauses its transport once more
 * than {@code maxQueuedIncomingBytes} wait, and resumes it once at most half do: what a peer
 * sends faster than the vat handles stays in the peer's socket, not in the vat's heap.
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
