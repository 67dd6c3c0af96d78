package dev.capnp.net.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Whether threads of this machine have lately waited for a CPU, from Linux's pressure stall
 * information ({@code /proc/pressure/cpu}, the {@code some ... total=} microseconds during which
 * at least one runnable thread was not running): a {@link ReplySpin} does not spin then, since a
 * spin would hold a CPU that another thread waits for (issue 12; {@code benchmarks/README.md},
 * "The server's spin on by default"). The count of runnable threads in {@code /proc/loadavg}
 * cannot say it: on Linux 6.12 and later it also counts threads that are going to sleep (their
 * dequeue is delayed), and read at the end of a reply it showed three or four runnable threads
 * a third of the time on two CPUs shared by one client and one server.
 *
 * <p>{@link #test} reads the file at most once per {@link #SAMPLE_NANOS} (one {@code pread} of a
 * file kept open until {@link #close}) and answers whether the stall time since the previous
 * read exceeds {@link #CONTENDED_PERCENT} % of the time between them; between reads it repeats
 * its last answer. Where the file cannot be read (not Linux, or a kernel without it), it answers
 * {@code false} from then on: spins are left to their other bounds.
 *
 * <p>Threading: confined to one thread (one instance per spin policy).
 */
final class CpuPressure implements LongPredicate {
  /** The shortest time between two reads (ns). */
  static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** The share of time with a thread waiting for a CPU above which the CPUs are contended. */
  static final int CONTENDED_PERCENT = 20;
  private static final Path FILE = Path.of("/proc/pressure/cpu");
  private final ByteBuffer buffer = ByteBuffer.allocate(256);
  private FileChannel file;
  private boolean failed;
  private boolean closed;
  private long lastReadNanos;
  private long lastTotalMicros = -1;
  private boolean contended;

  /**
   * Whether the CPUs were contended lately.
   *
   * @param nowNanos the time now ({@link System#nanoTime})
   * @return true if threads waited for a CPU for more than {@link #CONTENDED_PERCENT} % of the
   *     time since the previous read
   */
  @Override
  public boolean test(long nowNanos) {
    if (closed || failed || (lastTotalMicros >= 0 && nowNanos - lastReadNanos < SAMPLE_NANOS)) {
      return contended;
    }
    long total = read();
    if (total < 0) {
      failed = true;
      contended = false;
      return false;
    }
    if (lastTotalMicros >= 0) {
      long elapsedMicros = Math.max(1, (nowNanos - lastReadNanos) / 1000);
      contended = (total - lastTotalMicros) * 100 > elapsedMicros * CONTENDED_PERCENT;
    }
    lastTotalMicros = total;
    lastReadNanos = nowNanos;
    return contended;
  }

  /**
   * Closes the file; from then on {@link #test} answers {@code true} (contended), so that a
   * policy closed with its loop spins no more.
   */
  void close() {
    closed = true;
    contended = true;
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        // nothing held any more either way
      }
      file = null;
    }
  }

  private long read() {
    try {
      if (file == null) {
        file = FileChannel.open(FILE, StandardOpenOption.READ);
      }
      buffer.clear();
      return someTotalMicros(buffer.array(), file.read(buffer, 0));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return -1;
    }
  }

  /**
   * The {@code total=} of the {@code some} line of a {@code /proc/pressure/cpu} text
   * ({@code "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345"}), or -1 if there is none.
   *
   * @param text the bytes read
   * @param length how many of them
   * @return the microseconds, or -1
   */
  static long someTotalMicros(byte[] text, int length) {
    if (length < 5 || text[0] != 's' || text[1] != 'o' || text[2] != 'm' || text[3] != 'e') {
      return -1;
    }
    for (int i = 4; i + 6 <= length && text[i] != '\n'; i++) {
      if (text[i] == 't' && text[i + 1] == 'o' && text[i + 2] == 't' && text[i + 3] == 'a'
          && text[i + 4] == 'l' && text[i + 5] == '=') {
        long value = 0;
        int digits = 0;
        for (int j = i + 6; j < length && text[j] >= '0' && text[j] <= '9'; j++) {
          if (++digits > 18) {
            return -1;
          }
          value = value * 10 + (text[j] - '0');
        }
        return digits > 0 ? value : -1;
      }
    }
    return -1;
  }
}
