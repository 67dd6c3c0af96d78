package dev.capnp.rpc.core;

import static dev.capnp.rpc.core.TestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.MessageBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The protocol core hands the transport every message the peer answers with a {@code Return}
 * (our {@code Bootstrap}s and {@code Call}s) through {@link MessageTransport#sendCall}, with
 * how many of them await their answer, and nothing else: a network transport lets its loop poll
 * a short while for the answer of a lone call (issue 12), so a {@code Finish}, a
 * {@code Release} or a {@code Return} sent that way, or a wrong count, would make it spin for
 * nothing.
 */
class CallsSentAsCallsTest extends RawPeerTestBase {
  /** Our end of the wire, recording which method each outgoing message took. */
  private static final class SortingWire extends ForwardingWire {
    final List<String> asCalls = new ArrayList<>();
    final List<String> asOthers = new ArrayList<>();

    SortingWire(MessageTransport wire) {
      super(wire);
    }

    @Override
    public void sendCall(MessageBuilder message, int awaited) {
      asCalls.add(kind(message) + " " + awaited);
      wire.send(message);
    }

    @Override
    public void send(MessageBuilder message) {
      asOthers.add(kind(message));
      wire.send(message);
    }

    @Override
    public void sendReply(MessageBuilder message) {
      asOthers.add(kind(message));
      wire.sendReply(message);
    }

    private static String kind(MessageBuilder message) {
      return message.getRoot(Rpc.Message.FACTORY).which().name();
    }
  }

  @Test
  void bootstrapsAndCallsGoAsCallsWithTheCountOfAwaitedAnswers() {
    conn.close();
    run();
    received.clear();
    wires = dev.capnp.rpc.transport.InMemoryTransport.pair(true);
    SortingWire sorting = new SortingWire(wires[0]);
    connect(sorting);
    int service = bootstrapServiceId(); // the peer's bootstrap: our Return is not a call
    assertThat(sorting.asCalls).isEmpty();

    Capability peer = bootstrapAnswered();
    assertThat(sorting.asCalls).containsExactly("BOOTSTRAP 1");
    assertThat(sorting.asOthers).doesNotContain("BOOTSTRAP");

    var reply = call(peer, "hello").send();
    run();
    int q = lastCallId();
    assertThat(sorting.asCalls).containsExactly("BOOTSTRAP 1", "CALL 1");
    peerReturnsText(q, "hi");
    TestSupport.get(reply.toCompletableFuture()).close();
    run();

    // two calls at once: the second is not a lone one; once both are answered, the next is
    sorting.asCalls.clear();
    var first = call(peer, "a").send();
    run();
    int q1 = lastCallId();
    var second = call(peer, "b").send();
    run();
    int q2 = lastCallId();
    peerReturnsText(q1, "ra");
    peerReturnsText(q2, "rb");
    TestSupport.get(first.toCompletableFuture()).close();
    TestSupport.get(second.toCompletableFuture()).close();
    run();
    var third = call(peer, "c").send();
    run();
    peerReturnsText(lastCallId(), "rc");
    TestSupport.get(third.toCompletableFuture()).close();
    run();
    assertThat(sorting.asCalls).containsExactly("CALL 1", "CALL 2", "CALL 1");

    // the peer calls us: our Return is not a call
    peerCalls(1, service, "x");
    assertThat(returnedText(1)).isEqualTo("got:x");
    peer.close();
    run();

    assertThat(sorting.asCalls).containsExactly("CALL 1", "CALL 2", "CALL 1");
    assertThat(sorting.asOthers).contains("FINISH", "RETURN", "RELEASE")
        .doesNotContain("CALL", "BOOTSTRAP");
  }
}
