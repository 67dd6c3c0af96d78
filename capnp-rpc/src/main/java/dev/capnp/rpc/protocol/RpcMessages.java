package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.StructList;
import java.util.Arrays;

/**
 * Building and reading the small {@code rpc.capnp} messages and parts the protocol core sends
 * and receives: exceptions, promised-answer transforms, Finish, Release, Abort, the headers of
 * Return. Pure functions over the generated {@link Rpc} types; no state.
 */
public final class RpcMessages {
  /** An empty transform: the answer's whole result. */
  static final short[] NO_OPS = new short[0];

  private RpcMessages() {}

  /** A new message for one small protocol message (most fit in 32 words). */
  static MessageBuilder newMessage() {
    return new MessageBuilder(32);
  }

  /** Words of a message whose root is a {@code Message} with a pointer-free {@code body}. */
  private static int flatMessageWords(dev.capnp.runtime.StructSize body) {
    return 1 + Rpc.Message.SIZE.total() + body.total(); // root pointer, Message, body
  }

  /** The exact size of a Finish message (one segment, nothing to spare). */
  static final int FINISH_WORDS = flatMessageWords(Rpc.Finish.SIZE);
  /** The exact size of a Release message. */
  static final int RELEASE_WORDS = flatMessageWords(Rpc.Release.SIZE);

  /** Writes {@code e} as an {@code rpc.capnp} Exception. */
  static void writeException(Rpc.Exception.Builder b, RpcException e) {
    b.setType(Rpc.Exception.Type.values()[e.getType().ordinal()]);
    b.setReason(e.getReason() == null ? "" : e.getReason());
  }

  /** Reads an {@code rpc.capnp} Exception (unknown types read as {@code FAILED}). */
  static RpcException readException(Rpc.Exception.Reader r) {
    Rpc.Exception.Type t = r.getType();
    RpcException.Type type = t.ordinal() < RpcException.Type.values().length
        ? RpcException.Type.values()[t.ordinal()] : RpcException.Type.FAILED;
    return new RpcException(type, r.hasReason() ? r.getReason().toString() : "");
  }

  /** The pointer path of a PromisedAnswer's transform ({@code noop}s dropped). */
  static short[] readOps(Rpc.PromisedAnswer.Reader pa) {
    StructList.Reader<Rpc.PromisedAnswer.Op.Reader> t = pa.getTransform();
    short[] ops = new short[t.size()];
    int n = 0;
    for (int i = 0; i < t.size(); i++) {
      Rpc.PromisedAnswer.Op.Reader op = t.get(i);
      if (op.isGetPointerField()) {
        ops[n++] = op.getGetPointerField();
      } else if (!op.isNoop()) {
        throw new ProtocolError("unknown PromisedAnswer transform op");
      }
    }
    return n == ops.length ? ops : Arrays.copyOf(ops, n);
  }

  /** Writes a PromisedAnswer naming the result of question {@code questionId} at {@code ops}. */
  static void writeOps(Rpc.PromisedAnswer.Builder pa, int questionId, short[] ops) {
    pa.setQuestionId(questionId);
    if (ops.length > 0) {
      StructList.Builder<Rpc.PromisedAnswer.Op.Builder> t = pa.initTransform(ops.length);
      for (int i = 0; i < ops.length; i++) {
        t.get(i).setGetPointerField(ops[i]);
      }
    }
  }

  /** {@code Finish}: we no longer want the answer to {@code questionId}. */
  static MessageBuilder finish(int questionId, boolean releaseResultCaps) {
    MessageBuilder mb = new MessageBuilder(FINISH_WORDS);
    Rpc.Finish.Builder f = mb.initRoot(Rpc.Message.FACTORY).initFinish();
    f.setQuestionId(questionId);
    f.setReleaseResultCaps(releaseResultCaps);
    return mb;
  }

  /** {@code Release}: drop {@code count} references to the peer's export {@code importId}. */
  static MessageBuilder release(int importId, int count) {
    MessageBuilder mb = new MessageBuilder(RELEASE_WORDS);
    Rpc.Release.Builder r = mb.initRoot(Rpc.Message.FACTORY).initRelease();
    r.setId(importId);
    r.setReferenceCount(count);
    return mb;
  }

  /** {@code Abort}: the connection ends with {@code reason}. */
  static MessageBuilder abort(RpcException reason) {
    MessageBuilder mb = newMessage();
    writeException(mb.initRoot(Rpc.Message.FACTORY).initAbort(), reason);
    return mb;
  }

  /** {@code Unimplemented}: echoes a message of the peer we do not understand. */
  static MessageBuilder unimplemented(Rpc.Message.Reader received) {
    MessageBuilder mb = newMessage();
    mb.initRoot(Rpc.Message.FACTORY).setUnimplemented(received);
    return mb;
  }

  /** The header of a {@code Return} for answer {@code answerId}, in {@code mb}. */
  static Rpc.Return.Builder initReturn(MessageBuilder mb, int answerId) {
    Rpc.Return.Builder ret = mb.initRoot(Rpc.Message.FACTORY).initReturn();
    ret.setAnswerId(answerId);
    ret.setReleaseParamCaps(false);
    return ret;
  }

  /** A {@code Return} of {@code answerId} saying its results went to the caller's own question. */
  static MessageBuilder resultsSentElsewhere(int answerId) {
    MessageBuilder mb = newMessage();
    initReturn(mb, answerId).setResultsSentElsewhere();
    return mb;
  }

  /** Size of a received message in bytes (the unit of the flow and memory limits). */
  public static long sizeInBytes(dev.capnp.runtime.MessageReader m) {
    long words = 0;
    for (int i = 0; i < m.segmentCount(); i++) {
      words += m.getSegment(i).sizeInWords();
    }
    return words * 8;
  }
}
