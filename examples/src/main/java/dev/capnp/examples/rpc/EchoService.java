package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The tutorial's echo service. {@code ping} replies {@code "echo:" + msg}; {@code heartbeat} calls
 * the given callback three times, {@code delayMillis} apart; {@code getLogger} hands out the
 * server's own logger. Handlers run on the event loop that serves the capability and never
 * block: the pauses are scheduled with a delayed executor that hands back to that loop.
 */
public final class EchoService extends Echo.Server {
  private static final int HEARTBEATS = 3;
  private final long delayMillis;
  private final Callback.Client logger;
  private final LoggerFactory loggerFactory;

  /** Makes the loggers {@code createLogger} returns (see {@link EchoStoreServer}). */
  @FunctionalInterface
  public interface LoggerFactory {
    /**
     * A new logger labelled {@code label}.
     *
     * @param label the logger's label
     * @return the new logger (ownership passes to the caller); may fail with an RpcException
     */
    CompletionStage<Callback.Client> create(String label);
  }

  /**
   * An echo service pausing {@code delayMillis} between heartbeats, whose {@code getLogger}
   * returns {@code logger} (this service takes ownership of that reference; null: it fails); it
   * creates no loggers.
   *
   * @param delayMillis the pause between heartbeats in milliseconds
   * @param logger the logger {@code getLogger} returns, or {@code null}
   */
  public EchoService(long delayMillis, Callback.Client logger) {
    this(delayMillis, logger, null);
  }

  /**
   * An echo service whose {@code createLogger} asks {@code loggerFactory} (null: it fails).
   *
   * @param delayMillis the pause between heartbeats
   * @param logger what {@code getLogger} returns (ownership passes to this service)
   * @param loggerFactory makes the loggers {@code createLogger} returns, or null
   */
  public EchoService(long delayMillis, Callback.Client logger, LoggerFactory loggerFactory) {
    this.delayMillis = delayMillis;
    this.logger = logger;
    this.loggerFactory = loggerFactory;
  }

  /**
   * A capability for a new echo service with a logger printing {@code [server] ...}, both served
   * by the current thread's event loop (or the shared default loop); prefer
   * {@link #create(long, EventLoop)} with the vat's loop.
   *
   * @param delayMillis the pause between heartbeats in milliseconds
   * @return a new echo capability; the caller owns it
   */
  public static Echo.Client create(long delayMillis) {
    return create(delayMillis, EventLoop.currentOrDefault());
  }

  /**
   * A capability for a new echo service with a logger printing {@code [server] ...}, both served
   * by {@code loop}: with the loop of the vat that exports them ({@code Vat.loop()}) calls from
   * the network reach them with no thread hand-off.
   *
   * @param delayMillis the pause between heartbeats in milliseconds
   * @param loop the event loop serving the service and its logger
   * @return a new echo capability; the caller owns it
   */
  public static Echo.Client create(long delayMillis, EventLoop loop) {
    Callback.Client logger =
        new Callback.Client(Capability.of(new PrintingCallback("[server] Received "), loop));
    return new Echo.Client(Capability.of(new EchoService(delayMillis, logger), loop));
  }

  @Override
  protected CompletionStage<Void> ping(
      CallContext<Echo.PingParams.Reader, Echo.PingResults.Builder> context) {
    String msg = context.getParams().getMsg().toString();
    context.releaseParams();
    context.getResults().setReply("echo:" + msg);
    return done();
  }

  @Override
  protected CompletionStage<Void> heartbeat(
      CallContext<Echo.HeartbeatParams.Reader, Echo.HeartbeatResults.Builder> context) {
    Echo.HeartbeatParams.Reader params = context.getParams();
    if (!params.hasCallback()) {
      return CompletableFuture.failedFuture(RpcException.failed("No callback parameter!"));
    }
    String msg = params.getMsg().toString();
    Callback.Client callback = params.getCallback();
    context.releaseParams();
    CompletableFuture<Void> done = new CompletableFuture<>();
    notify(callback, msg, HEARTBEATS, EventLoop.current(), done);
    return done.whenComplete((v, e) -> callback.close());
  }

  /** Sends {@code msg} to {@code callback}, then again after the delay, {@code n} times. */
  private void notify(Callback.Client callback, String msg, int n, Executor loop,
      CompletableFuture<Void> done) {
    var request = callback.logRequest();
    request.getParams().setMsg(msg);
    request.send().whenComplete((response, error) -> {
      if (error != null) {
        done.completeExceptionally(error);
        return;
      }
      response.close();
      if (n == 1) {
        done.complete(null);
      } else {
        Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS,
            loop);
        later.execute(() -> notify(callback, msg, n - 1, loop, done));
      }
    });
  }

  @Override
  protected CompletionStage<Void> getLogger(
      CallContext<Echo.GetLoggerParams.Reader, Echo.GetLoggerResults.Builder> context) {
    context.releaseParams();
    if (logger == null) {
      return CompletableFuture.failedFuture(RpcException.failed("This echo service has no logger"));
    }
    context.getResults().setCallback(logger);
    return done();
  }

  @Override
  protected CompletionStage<Void> createLogger(
      CallContext<Echo.CreateLoggerParams.Reader, Echo.CreateLoggerResults.Builder> context) {
    String label = context.getParams().getLabel().toString();
    context.releaseParams();
    if (loggerFactory == null) {
      return CompletableFuture.failedFuture(
          RpcException.failed("This echo service has no store to create loggers in"));
    }
    return loggerFactory.create(label).thenAccept(created -> {
      try (created) {
        context.getResults().setCallback(created);
      }
    });
  }

  @Override
  protected void onRelease() {
    if (logger != null) {
      logger.close();
    }
  }
}
