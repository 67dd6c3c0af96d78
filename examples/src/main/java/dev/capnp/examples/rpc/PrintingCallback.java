package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.rpc.CallContext;
import java.io.PrintStream;
import java.util.concurrent.CompletionStage;

/** A {@code Callback} that prints each message it receives, after a prefix. */
public final class PrintingCallback extends Callback.Server {
  private final String prefix;
  private final PrintStream out;

  /**
   * Prints {@code prefix + quoted message} to standard output.
   *
   * @param prefix printed before each message
   */
  public PrintingCallback(String prefix) {
    this(prefix, System.out);
  }

  /**
   * Prints {@code prefix + quoted message} to {@code out}.
   *
   * @param prefix printed before each message
   * @param out where messages are printed
   */
  public PrintingCallback(String prefix, PrintStream out) {
    this.prefix = prefix;
    this.out = out;
  }

  @Override
  protected CompletionStage<Void> log(
      CallContext<Callback.LogParams.Reader, Callback.LogResults.Builder> context) {
    out.println(prefix + '"' + context.getParams().getMsg() + '"');
    return done();
  }
}
