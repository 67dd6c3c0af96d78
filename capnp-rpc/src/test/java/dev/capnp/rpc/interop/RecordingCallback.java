package dev.capnp.rpc.interop;

import dev.capnp.rpc.CallContext;
import dev.capnp.runtime.Text;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The client's {@code Callback}: answers ("cb:" + text, seq), counts calls, notes the first seq
 * that did not strictly increase (an E-order violation) and whether its last reference is gone.
 */
final class RecordingCallback extends Interop.Callback.Server {
  private int calls;
  private long lastSeq = -1;
  private String firstViolation;
  private final CompletableFuture<Void> released = new CompletableFuture<>();

  @Override
  protected CompletionStage<Void> call(
      CallContext<Interop.Callback.CallParams.Reader, Interop.CallReply.Builder> context) {
    Interop.Callback.CallParams.Reader params = context.getParams();
    long seq = Integer.toUnsignedLong(params.getSeq());
    Text.Reader text = params.getText();
    synchronized (this) {
      if (seq <= lastSeq && firstViolation == null) {
        firstViolation = "seq " + seq + " arrived after seq " + lastSeq;
      }
      lastSeq = seq;
      calls++;
    }
    Interop.CallReply.Builder results = context.getResults();
    results.setText("cb:" + text);
    results.setSeq(params.getSeq());
    return done();
  }

  @Override
  protected void onRelease() {
    released.complete(null);
  }

  synchronized int calls() {
    return calls;
  }

  /** The first ordering violation, or null. */
  synchronized String firstViolation() {
    return firstViolation;
  }

  /** Completes when the last reference to this object is gone. */
  CompletableFuture<Void> released() {
    return released;
  }
}
