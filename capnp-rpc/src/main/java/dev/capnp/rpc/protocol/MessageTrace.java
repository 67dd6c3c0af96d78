package dev.capnp.rpc.protocol;

import dev.capnp.rpc.RateLimitedLog;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-message tracing: with the logger {@value #LOGGER_NAME} at TRACE, every connection logs one
 * line per message and direction ({@code ->} sent, {@code <-} received) with the message's type,
 * its ids, its target and its size, e.g.
 * {@code vat-1->/127.0.0.1:7000 -> call q=3 target=answer:0[] iface=0xa1b2c3d4e5f60718 method=0
 * caps=1 (112 B)}. Off, it costs one check per message.
 */
public final class MessageTrace {
  /** The logger to set to TRACE to see every message. */
  static final String LOGGER_NAME = "dev.capnp.rpc.trace";
  static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

  private MessageTrace() {}

  /** A sent message in one line (serialized again to read it: only when tracing). */
  static String describe(MessageBuilder mb) {
    return describe(Serialize.read(Serialize.toByteBuffer(mb)));
  }

  /** A received message in one line. */
  static String describe(MessageReader m) {
    long words = 0;
    for (int i = 0; i < m.segmentCount(); i++) {
      words += m.getSegment(i).sizeInWords();
    }
    String what;
    try {
      what = describe(m.getRoot(Rpc.Message.FACTORY));
    } catch (RuntimeException e) {
      what = "unreadable message (" + e.getMessage() + ")";
    }
    return what + " (" + words * 8 + " B)";
  }

  static String describe(Rpc.Message.Reader msg) {
    switch (msg.which()) {
      case CALL: {
        Rpc.Call.Reader c = msg.getCall();
        return "call q=" + c.getQuestionId() + " target=" + target(c.getTarget())
            + " iface=0x" + Long.toHexString(c.getInterfaceId()) + " method="
            + c.getMethodId() + " caps=" + c.getParams().getCapTable().size()
            + (c.getSendResultsTo().which() == Rpc.Call.SendResultsTo.Which.CALLER ? ""
                : " sendResultsTo=" + c.getSendResultsTo().which());
      }
      case RETURN: {
        Rpc.Return.Reader r = msg.getReturn();
        String s = "return a=" + r.getAnswerId() + " ";
        switch (r.which()) {
          case RESULTS:
            return s + "results caps=" + r.getResults().getCapTable().size();
          case EXCEPTION:
            return s + exception(r.getException());
          case TAKE_FROM_OTHER_QUESTION:
            return s + "takeFromOtherQuestion=" + r.getTakeFromOtherQuestion();
          default:
            return s + r.which().toString().toLowerCase(java.util.Locale.ROOT);
        }
      }
      case FINISH:
        return "finish q=" + msg.getFinish().getQuestionId() + " releaseResultCaps="
            + msg.getFinish().getReleaseResultCaps();
      case BOOTSTRAP:
        return "bootstrap q=" + msg.getBootstrap().getQuestionId();
      case RESOLVE: {
        Rpc.Resolve.Reader r = msg.getResolve();
        return "resolve promise=" + r.getPromiseId() + " "
            + (r.isException() ? exception(r.getException()) : descriptor(r.getCap()));
      }
      case RELEASE:
        return "release id=" + msg.getRelease().getId() + " count="
            + msg.getRelease().getReferenceCount();
      case DISEMBARGO: {
        Rpc.Disembargo.Reader d = msg.getDisembargo();
        Rpc.Disembargo.Context.Reader c = d.getContext();
        String ctx = c.isSenderLoopback() ? "senderLoopback=" + c.getSenderLoopback()
            : c.isReceiverLoopback() ? "receiverLoopback=" + c.getReceiverLoopback()
            : c.which().toString().toLowerCase(java.util.Locale.ROOT);
        return "disembargo target=" + target(d.getTarget()) + " " + ctx;
      }
      case ABORT:
        return "abort " + exception(msg.getAbort());
      case UNIMPLEMENTED:
        return "unimplemented [" + describe(msg.getUnimplemented()) + "]";
      default:
        return msg.which().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static String target(Rpc.MessageTarget.Reader t) {
    if (t.isImportedCap()) {
      return "import:" + t.getImportedCap();
    }
    Rpc.PromisedAnswer.Reader pa = t.getPromisedAnswer();
    StringBuilder b = new StringBuilder("answer:").append(pa.getQuestionId()).append('[');
    var ops = pa.getTransform();
    for (int i = 0; i < ops.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(ops.get(i).isGetPointerField() ? String.valueOf(ops.get(i).getGetPointerField())
          : "-");
    }
    return b.append(']').toString();
  }

  private static String descriptor(Rpc.CapDescriptor.Reader d) {
    switch (d.which()) {
      case SENDER_HOSTED:
        return "senderHosted:" + d.getSenderHosted();
      case SENDER_PROMISE:
        return "senderPromise:" + d.getSenderPromise();
      case RECEIVER_HOSTED:
        return "receiverHosted:" + d.getReceiverHosted();
      case RECEIVER_ANSWER:
        return "receiverAnswer:" + d.getReceiverAnswer().getQuestionId();
      default:
        return d.which().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static String exception(Rpc.Exception.Reader e) {
    return "exception " + e.getType().toString().toLowerCase(java.util.Locale.ROOT) + ": "
        + RateLimitedLog.bounded(e.hasReason() ? e.getReason().toString() : "");
  }
}
