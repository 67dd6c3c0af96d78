package dev.capnp.net.transport;

/** Short texts for durations in log lines and error messages ("30 s", "250 ms"). */
final class Durations {
  private Durations() {}

  static String describe(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }
}
