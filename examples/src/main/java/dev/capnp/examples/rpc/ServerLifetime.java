package dev.capnp.examples.rpc;

import dev.capnp.net.Vat;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * How the example servers wait: until their vat stops (forever, normally) or, with
 * {@code --until-stdin-closes}, until standard input ends. A vat that failed (e.g. ran out of
 * memory) makes the server exit with status 1, so that a supervisor restarts it.
 */
final class ServerLifetime {
  private ServerLifetime() {}

  /** Waits as described above; returns the process's exit status. */
  static int serve(Vat vat, boolean untilStdinCloses) {
    CompletableFuture<Void> stdinClosed = new CompletableFuture<>();
    if (untilStdinCloses) {
      Thread reader = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // wait for the end of standard input
          }
        } catch (IOException e) {
          // an unreadable stdin ends the wait as well
        }
        stdinClosed.complete(null);
      }, "stdin-watch");
      reader.setDaemon(true);
      reader.start();
    }
    try {
      CompletableFuture.anyOf(vat.whenStopped(), stdinClosed).join();
      return 0;
    } catch (CompletionException e) {
      System.err.println("Server failed: " + e.getCause());
      return 1;
    }
  }
}
