package dev.capnp.rpc.protocol;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.internal.BreakSignal;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A test fixture: a protocol core on a manual loop whose outbox records every message it sends
 * (copied out, so reused builders do not change them) and runs {@code later} tasks at once; the
 * peer's bootstrap is {@code service}. On the test's thread only.
 */
final class RecordingCore {
  final EventLoop loop;
  final List<Rpc.Message.Reader> sent = new ArrayList<>();
  /** Every {@link Outbox#finishFollowsReturns} hint, in order. */
  final List<Boolean> finishHints = new ArrayList<>();
  final RpcProtocol core;

  RecordingCore(EventLoop loop, Server service, Class<?> owner) {
    this.loop = loop;
    Outbox outbox = new Outbox() {
      @Override
      public void send(MessageBuilder message, boolean isReturn) {
        sent.add(new MessageReader(message.getSegmentsForOutput()).getRoot(Rpc.Message.FACTORY));
      }

      @Override
      public void finishFollowsReturns(boolean expected) {
        finishHints.add(expected);
      }

      @Override
      public void later(Runnable action) {
        action.run();
      }

      @Override
      public Runnable schedule(Runnable action, long delayMillis) {
        return () -> { };
      }

      @Override
      public void ended(RpcException reason) {
      }
    };
    Capability cap = Capability.of(service, loop);
    ConnectionDelivery delivery = new ConnectionDelivery(loop);
    core = new RpcProtocol(delivery, outbox, id -> cap.dup(), "core", new BreakSignal(),
        new RateLimitedLog(org.slf4j.LoggerFactory.getLogger(owner), "t", 5, 1000));
    delivery.attach(core);
  }

  /** Delivers the message {@code build} writes to the core, then runs the loop's tasks. */
  void receive(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder();
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    core.handle(new MessageReader(mb.getSegmentsForOutput()));
    loop.runPending();
  }
}
