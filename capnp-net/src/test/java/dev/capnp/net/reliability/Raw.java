package dev.capnp.net.reliability;

import dev.capnp.net.hostile.RawFrames;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** Raw RPC frames for {@link TargetServer} (see also {@link RawFrames}) and socket helpers. */
public final class Raw {
  private Raw() {}

  /**
   * A call of {@code method} on the answer of question {@code target} with {@code text} at
   * pointer 0 and, if {@code capFromQuestion >= 0}, at pointer 1 the capability at pointer 1 of
   * the results of question {@code capFromQuestion} ({@code receiverAnswer}).
   */
  public static ByteBuffer call(int questionId, int target, int method, String text,
      int capFromQuestion) {
    return RawFrames.frame(m -> {
      Rpc.Call.Builder c = m.initCall();
      c.setQuestionId(questionId);
      c.setInterfaceId(TargetServer.INTERFACE);
      c.setMethodId((short) method);
      c.initTarget().initPromisedAnswer().setQuestionId(target);
      Rpc.Payload.Builder p = c.initParams();
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TargetServer.TWO_PTRS));
      s.getPointer(0).setAs(Text.FACTORY, new Text.Reader(text));
      if (capFromQuestion >= 0) {
        s.getPointer(1).setCapabilityIndex(0);
        Rpc.PromisedAnswer.Builder pa = p.initCapTable(1).get(0).initReceiverAnswer();
        pa.setQuestionId(capFromQuestion);
        pa.initTransform(1).get(0).setGetPointerField((short) 1);
      }
    });
  }

  /** A Finish of {@code questionId} releasing the result's capabilities. */
  public static ByteBuffer finish(int questionId) {
    return RawFrames.frame(m -> {
      Rpc.Finish.Builder f = m.initFinish();
      f.setQuestionId(questionId);
      f.setReleaseResultCaps(true);
    });
  }

  public static void write(OutputStream out, ByteBuffer b) throws IOException {
    out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
    out.flush();
  }

  /**
   * Reads messages until the Return of {@code answerId}; returns its text at pointer 0 of the
   * results, or {@code "exception: <reason>"}.
   */
  public static String awaitReturn(InputStream in, int answerId) throws IOException {
    while (true) {
      MessageReader m = Serialize.read(in);
      Rpc.Message.Reader msg = m.getRoot(Rpc.Message.FACTORY);
      if (msg.isAbort()) {
        return "abort: " + msg.getAbort().getReason();
      }
      if (!msg.isReturn() || msg.getReturn().getAnswerId() != answerId) {
        continue;
      }
      Rpc.Return.Reader r = msg.getReturn();
      if (r.isException()) {
        return "exception: " + r.getException().getReason();
      }
      if (!r.isResults()) {
        return "unexpected return";
      }
      return r.getResults().getContent().getAs(AnyStruct.FACTORY).getPointer(0)
          .getAs(Text.FACTORY).toString();
    }
  }

  /**
   * Waits until the server closes {@code s} or {@code deadlineNanos} (System.nanoTime) passes,
   * draining what it sends; true if it closed the connection.
   */
  public static boolean closedByServer(Socket s, long deadlineNanos) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    while (true) {
      long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      s.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      try {
        if (in.read(buf) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset
      }
    }
  }
}
