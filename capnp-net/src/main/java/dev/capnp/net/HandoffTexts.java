package dev.capnp.net;

import dev.capnp.runtime.Text;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The text forms of the key fingerprints and addresses in one vat's handoff values, encoded and
 * parsed once each rather than once per handoff: a vat names the same few vats (itself, its
 * peers) and addresses in every contact, await and completion it writes or reads. Parsing is
 * cached by the exact UTF-8 bytes received and caches only what parsed; each table holds at
 * most {@link #MAX_ENTRIES} entries and starts over when full, so a peer sending ever new
 * values costs what parsing every time would, and no more memory.
 *
 * <p>Threading: confined to the vat's event loop, like {@link VatHandoffNetwork}; not
 * thread-safe. {@link #UNCACHED} (capacity 0) keeps nothing and may be used from any thread.
 */
final class HandoffTexts {
  /** Entries per table (fingerprints, addresses; each way). */
  static final int MAX_ENTRIES = 256;
  /** Encodes and parses every time (for values written or read outside a vat's network). */
  static final HandoffTexts UNCACHED = new HandoffTexts(0);

  private final int capacity;
  private final Map<AuthDigest, Text.Reader> digestTexts = new HashMap<>();
  private final Map<NetAddress, Text.Reader> addressTexts = new HashMap<>();
  private final Map<Text.Reader, AuthDigest> digests = new HashMap<>();
  private final Map<Text.Reader, NetAddress> addresses = new HashMap<>();

  /** Texts cached up to {@link #MAX_ENTRIES} per table. */
  HandoffTexts() {
    this(MAX_ENTRIES);
  }

  private HandoffTexts(int capacity) {
    this.capacity = capacity;
  }

  /** The text of {@code d} ({@code sha-256:B64URL}); do not modify. */
  Text.Reader text(AuthDigest d) {
    return encoded(digestTexts, d);
  }

  /** The text of {@code a} ({@link NetAddress#toString()}); do not modify. */
  Text.Reader text(NetAddress a) {
    return encoded(addressTexts, a);
  }

  /**
   * The fingerprint {@code text} names, parsed by {@code parse} (which checks it and throws for
   * a bad one) unless these bytes were parsed before.
   */
  AuthDigest digest(Text.Reader text, Function<String, AuthDigest> parse) {
    return parsed(digests, text, parse);
  }

  /** The address {@code text} names, as {@link #digest}. */
  NetAddress address(Text.Reader text, Function<String, NetAddress> parse) {
    return parsed(addresses, text, parse);
  }

  /** Entries cached in all tables (for tests). */
  int size() {
    return digestTexts.size() + addressTexts.size() + digests.size() + addresses.size();
  }

  private <K> Text.Reader encoded(Map<K, Text.Reader> table, K value) {
    Text.Reader t = table.get(value);
    if (t == null) {
      t = new Text.Reader(value.toString());
      put(table, value, t);
    }
    return t;
  }

  private <V> V parsed(Map<Text.Reader, V> table, Text.Reader text, Function<String, V> parse) {
    V v = table.get(text); // (Text.Reader compares and hashes its bytes)
    if (v == null) {
      v = parse.apply(text.toString());
      put(table, new Text.Reader(text.toArray()), v); // (a copy: the message's bytes go away)
    }
    return v;
  }

  private <K, V> void put(Map<K, V> table, K key, V value) {
    if (capacity == 0) {
      return;
    }
    if (table.size() >= capacity) {
      table.clear();
    }
    table.put(key, value);
  }
}
