package dev.capnp.rpc;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;

/** Creates the message that a call's results are built in. */
interface ResultsAllocator {
  /** Plain results: a fresh message whose root is the results. */
  ResultsAllocator PLAIN = () -> {
    MessageBuilder mb = new MessageBuilder(64);
    HookCapTable caps = new HookCapTable();
    mb.setCapTable(caps);
    return new ResultsBuilder(mb, mb.getRootAnyPointer(), caps, null);
  };

  /** Allocates a results message. */
  ResultsBuilder allocate();

  /** Results under construction. */
  final class ResultsBuilder {
    final MessageBuilder message;
    final AnyPointer.Builder content;
    final HookCapTable caps;
    /** The Return being built when results go straight into it, else null. */
    final dev.capnp.rpc.proto.Rpc.Return.Builder returnBuilder;
    /** The answer whose Return message this is (null for plain results). */
    Object owner;

    ResultsBuilder(MessageBuilder message, AnyPointer.Builder content, HookCapTable caps,
        dev.capnp.rpc.proto.Rpc.Return.Builder returnBuilder) {
      this.message = message;
      this.content = content;
      this.caps = caps;
      this.returnBuilder = returnBuilder;
    }

    Results toResults() {
      return new Results(content.asReader(), caps, this);
    }
  }
}
