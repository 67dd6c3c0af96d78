package dev.capnp.rpc.internal;

/** Durations in error messages. Not API. */
public final class Durations {
  private Durations() {}

  /**
   * {@code ms} as "30 s" or "250 ms", for error messages.
   *
   * @param ms a duration in milliseconds
   * @return the text
   */
  public static String describeMillis(long ms) {
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
