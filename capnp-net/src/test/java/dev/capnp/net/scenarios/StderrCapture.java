package dev.capnp.net.scenarios;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies standard error (where slf4j-simple writes the log) into a buffer while it is open, so
 * a scenario can check what a vat logged (e.g. the seed's "server logs 1 warning").
 */
final class StderrCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  StderrCapture() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        synchronized (copy) {
          copy.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        original.write(b, off, len);
        synchronized (copy) {
          copy.write(b, off, len);
        }
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Lines captured so far that contain {@code text}. */
  long countLines(String text) {
    String s;
    synchronized (copy) {
      s = copy.toString(StandardCharsets.UTF_8);
    }
    return s.lines().filter(l -> l.contains(text)).count();
  }

  /** Waits up to {@code millis} for at least {@code n} lines containing {@code text}. */
  long awaitLines(String text, int n, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    long count = countLines(text);
    while (count < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
      count = countLines(text);
    }
    return count;
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
