package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.UriOrCapFile;
import dev.capnp.net.Vat;
import dev.capnp.net.persist.CapFile;
import dev.capnp.net.persist.Persistence;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.RpcException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The clients of the tutorial's last part, against {@link EchoStoreServerMain}; ADDR is a
 * {@code capnp://} URI or a cap file:
 * <pre>
 * LoggerClientMain log ADDR MSG            log MSG to the logger at ADDR (e.g. logger.cap)
 * LoggerClientMain save-logger ADDR        ask the echo service at ADDR for its logger's sturdy ref
 * LoggerClientMain create ADDR LABEL [CAP] create a logger, get its sturdy ref (written to CAP) and
 *                                          log to it, all pipelined in one round trip
 * </pre>
 */
public final class LoggerClientMain {
  private static final String USAGE = "usage: LoggerClientMain log ADDR MSG"
      + " | save-logger ADDR | create ADDR LABEL [CAP-FILE]   (ADDR: capnp://... or FILE.cap)";

  private LoggerClientMain() {
  }

  /**
   * Entry point.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs one command.
   *
   * @param args the command line
   * @param out where results go
   * @param err where errors go
   * @return the exit status: 0 done, 1 RPC failure, 2 bad usage
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2) {
      err.println(USAGE);
      return 2;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 2, args.length);
    CapnpUri target;
    try {
      target = UriOrCapFile.parse(args[1]);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    try (Vat vat = Vat.client()) {
      switch (command) {
        case "log":
          if (rest.length != 1) {
            break;
          }
          log(vat, target, rest[0]);
          out.println("Logged.");
          return 0;
        case "save-logger":
          if (rest.length != 0) {
            break;
          }
          out.println("The server's logger's URI is " + saveLogger(vat, target) + ".");
          return 0;
        case "create":
          if (rest.length != 1 && rest.length != 2) {
            break;
          }
          CapnpUri created = create(vat, target, rest[0]);
          out.println("The new logger's URI is " + created + ".");
          if (rest.length == 2) {
            CapFile.save(Path.of(rest[1]), created);
            out.println("Wrote \"" + rest[1] + "\".");
          }
          return 0;
        default:
          err.println("Unknown command \"" + command + "\"");
          break;
      }
    } catch (RpcException e) {
      err.println(e);
      return 1;
    }
    err.println(USAGE);
    return 2;
  }

  /** {@code log(msg)} on the logger at {@code uri}. */
  static void log(Vat vat, CapnpUri uri, String msg) {
    try (Callback.Client logger = new Callback.Client(Await.result(vat.importRef(uri).connect()))) {
      var request = logger.logRequest();
      request.getParams().setMsg(msg);
      Await.result(request.send()).close();
    }
  }

  /** The Persistence API: the sturdy URI of the logger that the echo service hands out. */
  static CapnpUri saveLogger(Vat vat, CapnpUri uri) {
    try (Echo.Client echo = new Echo.Client(Await.result(vat.importRef(uri).connect()))) {
      var getLogger = echo.getLoggerRequest().send();
      try (Callback.Client logger = getLogger.pipeline().getCallback()) {
        return Await.result(Persistence.save(logger.capability()));
      } finally {
        Await.result(getLogger).close();
      }
    }
  }

  /**
   * Creates a logger labelled {@code label}, asks for its sturdy URI and logs to it: three calls
   * sent together, the last two on the logger before it has been returned.
   */
  static CapnpUri create(Vat vat, CapnpUri uri, String label) {
    try (Echo.Client echo = new Echo.Client(Await.result(vat.importRef(uri).connect()))) {
      var createLogger = echo.createLoggerRequest();
      createLogger.getParams().setLabel(label);
      var created = createLogger.send();
      try (Callback.Client logger = created.pipeline().getCallback()) {
        var saved = Persistence.save(logger.capability());
        var log = logger.logRequest();
        log.getParams().setMsg("Pipelined call to logger!");
        var logged = log.send();
        Await.result(logged).close();
        return Await.result(saved);
      } finally {
        Await.result(created).close();
      }
    }
  }
}
