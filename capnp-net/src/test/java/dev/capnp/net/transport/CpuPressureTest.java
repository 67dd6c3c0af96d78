package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link CpuPressure}: the {@code some} total of {@code /proc/pressure/cpu}, and its use. */
class CpuPressureTest {
  private static long parse(String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    return CpuPressure.someTotalMicros(b, b.length);
  }

  @Test
  void readsTheSomeTotal() {
    assertThat(parse("some avg10=5.51 avg60=14.92 avg300=18.97 total=6725073053\n"
        + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")).isEqualTo(6_725_073_053L);
    assertThat(parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")).isZero();
  }

  @Test
  void otherTextIsUnknown() {
    assertThat(parse("")).isEqualTo(-1);
    assertThat(parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n")).isEqualTo(-1);
    assertThat(parse("some avg10=0.00 avg60=0.00 avg300=0.00\nfull total=5\n")).isEqualTo(-1);
    assertThat(parse("some avg10=0.00 total=x\n")).isEqualTo(-1);
    assertThat(parse("some total=1234567890123456789012\n")).isEqualTo(-1);
  }

  @Test
  void aBusyLoopOnEveryCpuIsContentionAndAnIdleMachineIsNot() throws Exception {
    if (!Files.isReadable(Path.of("/proc/pressure/cpu"))) {
      return; // not Linux, or no pressure information: answers false, checked below
    }
    CpuPressure p = new CpuPressure();
    p.test(System.nanoTime()); // the first read only sets the baseline
    int cpus = Runtime.getRuntime().availableProcessors();
    Thread[] hogs = new Thread[cpus * 2];
    long until = System.nanoTime() + 300_000_000L;
    for (int i = 0; i < hogs.length; i++) {
      hogs[i] = new Thread(() -> {
        long x = 0;
        while (System.nanoTime() < until) {
          x++;
        }
        if (x == 42) {
          System.out.print("");
        }
      });
      hogs[i].start();
    }
    Thread.sleep(200);
    boolean busy = p.test(System.nanoTime());
    for (Thread t : hogs) {
      t.join();
    }
    assertThat(busy).as("twice as many busy threads as CPUs").isTrue();
  }

  @Test
  void aClosedOneSaysContendedSoThatNoSpinStarts() {
    CpuPressure p = new CpuPressure();
    p.test(System.nanoTime());
    p.close();
    assertThat(p.test(System.nanoTime() + CpuPressure.SAMPLE_NANOS * 2)).isTrue();
    p.close(); // twice: nothing more to release
  }

  @Test
  void answersItsLastVerdictBetweenReads() {
    CpuPressure p = new CpuPressure();
    long t = System.nanoTime();
    boolean first = p.test(t);
    assertThat(first).isFalse(); // a baseline, no verdict yet
    assertThat(p.test(t + 1000)).isFalse(); // within the sample time: the last answer
  }
}
