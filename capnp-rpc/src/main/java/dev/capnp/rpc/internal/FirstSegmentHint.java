package dev.capnp.rpc.internal;

import dev.capnp.runtime.MessageBuilder;

/**
 * The first-segment size for the next message of one kind (the Calls of a process, the Returns
 * of a connection): what the last such message used, plus a quarter, rounded up to 8 words,
 * between 8 and {@value #MAX_WORDS} words. A small call then allocates (and the JVM zeroes)
 * about the memory its message needs instead of a fixed 512 bytes, and usually fits its first
 * segment. Unlike {@link MessageBuilder.Sizing} it keeps only a number (no reference to the last
 * message), and it is capped, so a message after a large one allocates at most
 * {@value #MAX_WORDS} words it may not need (a large message then takes a second segment, as it
 * did with the fixed size).
 *
 * <p>The hint is a plain field: one hint may be shared by threads (the Calls of every thread);
 * a racing update only makes one message's first segment larger or smaller than ideal.
 */
public final class FirstSegmentHint {
  /** The largest first segment a hint asks for, in words (the runtime's default size). */
  public static final int MAX_WORDS = MessageBuilder.DEFAULT_FIRST_SEGMENT_WORDS;

  private int words;

  /**
   * A hint that starts at {@code initialWords}.
   *
   * @param initialWords the first segment size before any message was recorded
   */
  public FirstSegmentHint(int initialWords) {
    this.words = clamp(initialWords);
  }

  /**
   * The first-segment size for the next message, in words.
   *
   * @return the size in words
   */
  public int words() {
    return words;
  }

  /**
   * A new message of this kind, its first segment sized by the hint.
   *
   * @return the new message
   */
  public MessageBuilder newMessage() {
    return new MessageBuilder(words);
  }

  /**
   * Records a finished message of this kind: the next one is sized from it.
   *
   * @param message a message built from {@link #newMessage()}, complete
   */
  public void record(MessageBuilder message) {
    long used = message.sizeInWords();
    int next = clamp(used + (used >>> 2));
    if (next != words) { // (no store, so no shared cache line written, while sizes are steady)
      words = next;
    }
  }

  private static int clamp(long w) {
    return (int) Math.min(MAX_WORDS, Math.max(8, (w + 7) & ~7L));
  }
}
