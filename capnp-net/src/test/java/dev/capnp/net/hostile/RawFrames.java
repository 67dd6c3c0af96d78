package dev.capnp.net.hostile;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Frames of raw RPC messages, for tests that play a peer byte by byte (a hostile client or
 * server that floods, stalls or never reads).
 */
public final class RawFrames {
  /** The interface id of the tests' untyped echo ({@code dev.capnp.net.Echo}). */
  public static final long ECHO_INTERFACE = 0xa1b2c3d4e5f60718L;

  private RawFrames() {}

  public static ByteBuffer frame(Consumer<Rpc.Message.Builder> build) {
    MessageBuilder mb = new MessageBuilder(64);
    build.accept(mb.initRoot(Rpc.Message.FACTORY));
    return Serialize.toByteBuffer(mb);
  }

  public static ByteBuffer bootstrap(int questionId) {
    return frame(m -> m.initBootstrap().setQuestionId(questionId));
  }

  /** An echo ping with {@code text}, sent to the answer of question {@code bootstrapQuestion}. */
  public static ByteBuffer ping(int questionId, int bootstrapQuestion, String text) {
    return frame(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(ECHO_INTERFACE);
      c.setMethodId((short) 0);
      c.initTarget().initPromisedAnswer().setQuestionId(bootstrapQuestion);
      c.initParams().getContent().initAs(AnyStruct.factory(new StructSize(0, 1)))
          .getPointer(0).setAs(Text.FACTORY, new Text.Reader(text));
    });
  }

  public static ByteBuffer finish(int questionId) {
    return frame(m -> m.initFinish().setQuestionId(questionId));
  }

  /** {@code parts} concatenated. */
  public static ByteBuffer concat(ByteBuffer... parts) {
    int n = 0;
    for (ByteBuffer p : parts) {
      n += p.remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(n);
    for (ByteBuffer p : parts) {
      all.put(p.duplicate());
    }
    return all.flip();
  }
}
