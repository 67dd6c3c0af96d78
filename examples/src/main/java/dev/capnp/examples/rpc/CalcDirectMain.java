package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.transport.StreamTransport;
import dev.capnp.runtime.Text;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A direct two-party connection over an existing byte stream, with no network, TLS or sturdy
 * refs: the parent starts the calculator service in a child JVM and talks Cap'n Proto RPC to it
 * over the child's standard input and output. The parent asks for the child's service by name
 * (the bootstrap object id) and computes {@code 21 * 2} with the child's multiply operator.
 * Run without arguments (the child is this class with {@code --child}).
 */
public final class CalcDirectMain {
  /** The name of the service the child offers and the parent requests. */
  static final String SERVICE_NAME = "my-service";

  private CalcDirectMain() {}

  /**
   * Entry point: no arguments for the parent, {@code --child} for the child.
   *
   * @param args empty for the parent, {@code --child} for the child
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.exit(parent());
    } else if (args.length == 1 && args[0].equals("--child")) {
      child();
    } else {
      System.err.println("usage: CalcDirectMain   (run without arguments)");
      System.exit(2);
    }
  }

  private static void log(String who, String msg) {
    System.err.printf("%6s: %s%n", who, msg);
  }

  /** Spawns the child, computes 21 * 2 with its calculator, shuts down; returns the exit code. */
  static int parent() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        CalcDirectMain.class.getName(), "--child"))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (EventLoop loop = EventLoop.start("parent-vat")) {
      log("parent", "Connecting to child process...");
      RpcConnection conn = RpcConnection.create(loop,
          StreamTransport.of(child.getInputStream(), child.getOutputStream(), "parent"), null,
          "parent");
      double result;
      try (Calculator.Client calc = new Calculator.Client(conn.bootstrap(SERVICE_NAME))) {
        log("parent", "Sending request...");
        result = new CalculatorClient(calc, System.err, loop).multiply(21, 2);
      }
      log("parent", "Result: " + result);
      log("parent", "Shutting down...");
      conn.close();
      log("parent", "Waiting for child to exit...");
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroy();
        throw new IllegalStateException("child did not exit");
      }
      log("parent", "Done (child exit code " + child.exitValue() + ")");
      return result == 42 && child.exitValue() == 0 ? 0 : 1;
    }
  }

  /** Serves the calculator on stdin/stdout until the parent disconnects. */
  static void child() throws Exception {
    FileInputStream wireIn = new FileInputStream(FileDescriptor.in);
    FileOutputStream wireOut = new FileOutputStream(FileDescriptor.out);
    System.setOut(System.err); // standard output now carries the connection only
    try (EventLoop loop = EventLoop.start("child-vat")) {
      Calculator.Client calc = CalculatorService.create(loop);
      RpcConnection conn = new RpcConnection(loop, StreamTransport.of(wireIn, wireOut, "child"),
          objectId -> {
            String name = objectId == null || objectId.isNull() ? ""
                : objectId.getAs(Text.FACTORY).toString();
            if (!name.equals(SERVICE_NAME)) {
              throw RpcException.failed("Unknown persistent service ID");
            }
            return calc.capability().dup();
          }, "child");
      conn.start();
      log("child", "Serving requests...");
      RpcException reason = conn.whenDisconnected().get();
      log("child", "Connection ended: " + reason.getMessage());
      calc.close();
    }
  }
}
