package dev.capnp.net.scenarios;

import java.util.concurrent.CompletableFuture;

/** The seed test's condition variable: waiters get the current stage; a broadcast opens it. */
final class Gate {
  private CompletableFuture<Void> current = new CompletableFuture<>();

  /** Completes at the next {@link #broadcast()}. */
  synchronized CompletableFuture<Void> await() {
    return current;
  }

  /** Releases every current waiter; later waiters wait for the next broadcast. */
  void broadcast() {
    CompletableFuture<Void> old;
    synchronized (this) {
      old = current;
      current = new CompletableFuture<>();
    }
    old.complete(null);
  }
}
