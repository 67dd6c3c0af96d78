package dev.capnp.net.transport;

/** Short texts for durations in log lines and error messages ("30 s", "250 ms"). */
public final class Durations {
  private Durations() {}

  /**
   * A duration for a message.
   *
   * @param millis the duration in milliseconds
   * @return "30 s" for whole seconds, else "250 ms"
   */
  public static String describe(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }
}
