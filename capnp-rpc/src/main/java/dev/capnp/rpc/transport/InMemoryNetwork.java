package dev.capnp.rpc.transport;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.ThirdPartyNetwork;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A vat network in one process, for tests: named vats, each with its own event loop, connected
 * pairwise by {@link InMemoryTransport}s (one connection per pair of vats, shared by both
 * directions), with three-party handoff ({@link ThirdPartyNetwork}).
 *
 * <p>The handoff values are Text: {@code ThirdPartyToContact} {@code "host=B;introducer=A;nonce=N"},
 * {@code ThirdPartyToAwait} {@code "recipient=C;nonce=N"}, {@code ThirdPartyCompletion}
 * {@code "introducer=A;nonce=N"} (the nonce is unique in the network). A vat's identity is its
 * name, authenticated by construction: the host accepts a completion only on a connection
 * whose peer is the recipient the introducer named, and only while the introducer's
 * {@code Provide} stands. Each vat says whether it speaks Level 3 (a vat that does not plays
 * a Level 1 peer such as C++ 0.9.2: Level 3 is used on a connection only if both ends speak it),
 * and {@link #setReachable} cuts the way from one vat to another (a dial fails). For tests of
 * slow paths, {@link #hold} keeps the messages one vat sends another until released, and
 * {@link #limits} sets the {@link ConnectionLimits} of the connections made afterwards.
 * Three-party call forwarding is off unless {@link #callForwarding} turns it on.
 *
 * <p>Thread-safe.
 */
public final class InMemoryNetwork implements ThirdPartyNetwork {
  private final AtomicLong nonces = new AtomicLong();
  private final Map<String, Vat> vats = new LinkedHashMap<>();
  /** Connections by the unordered pair of vat names ("a|b", a &lt; b). */
  private final Map<String, RpcConnection[]> pairs = new HashMap<>();
  /** For each connection: its vat and its peer's. */
  private final Map<RpcConnection, Vat[]> ends = new HashMap<>();
  /** Pairs "from>to" where {@code from} cannot dial {@code to}. */
  private final Set<String> blocked = new HashSet<>();
  private final AtomicLong connectionsMade = new AtomicLong();
  /** Messages sent, by "from>to:KIND" (KIND a {@code Rpc.Message.Which} name). */
  private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> sent =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The sending ends of the connections, by "from>to". */
  private final Map<String, Counting> wires = new HashMap<>();
  /** Pairs "from>to" whose messages are held. */
  private final Set<String> held = new HashSet<>();
  private ConnectionLimits limits = ConnectionLimits.DEFAULT;
  private volatile boolean callForwarding;
  /**
   * How many withdrawn provisions each vat remembers (the most recent), so that late Accepts
   * for them fail at once; an Accept for one forgotten waits until the host's accept timeout.
   */
  public static final int REMEMBERED_WITHDRAWALS = 4096;

  /**
   * Introductions whose {@code Provide} may still be on its way, by "introducer#nonce": the
   * introducer's connection to the host (when it ends first, the Provide can no longer come)
   * and the host's name.
   */
  private final Map<String, Pending> introductions = new HashMap<>();
  /** The keys of {@link #introductions}, by the introducer's connection to the host. */
  private final Map<RpcConnection, Set<String>> introductionsByConnection = new HashMap<>();

  /** An introduction whose Provide has not come yet. */
  private record Pending(RpcConnection provider, Vat host) {
  }

  /**
   * The limits of the connections made from now on (default {@link ConnectionLimits#DEFAULT}).
   *
   * @param newLimits the limits for both ends of each new connection
   * @return this network
   */
  public synchronized InMemoryNetwork limits(ConnectionLimits newLimits) {
    limits = java.util.Objects.requireNonNull(newLimits);
    return this;
  }

  /**
   * Whether the Level 3 vats of this network forward their handlers' tail calls to third
   * parties ({@link #forwardsCalls}; default false: tail calls are proxied, as a vat's are
   * unless its {@code VatConfig} turns call forwarding on). Takes effect for tail calls made
   * afterwards.
   *
   * @param on whether tail calls are forwarded
   * @return this network
   */
  public InMemoryNetwork callForwarding(boolean on) {
    callForwarding = on;
    return this;
  }

  @Override
  public boolean forwardsCalls() {
    return callForwarding;
  }

  /**
   * Holds ({@code true}) the messages vat {@code from} sends vat {@code to}, or releases them
   * ({@code false}: the held messages are delivered, in order, then later ones as usual). A held
   * path is slow, not broken: nothing is lost, and the other direction is unaffected. Applies to
   * the current connection of the pair and to later ones.
   *
   * @param from the sending vat
   * @param to the receiving vat
   * @param hold whether to hold
   */
  public void hold(String from, String to, boolean hold) {
    Counting w;
    synchronized (this) {
      if (hold) {
        held.add(from + ">" + to);
      } else {
        held.remove(from + ">" + to);
      }
      w = wires.get(from + ">" + to);
    }
    if (w != null) {
      w.setHeld(hold);
    }
  }

  /**
   * Adds a vat named {@code name} whose state lives on {@code loop}, offering {@code bootstrap}
   * (owned by the vat, may be null) to every peer, speaking Level 3 if {@code level3}.
   *
   * @param name the vat's unique name
   * @param loop the vat's event loop
   * @param bootstrap the vat's bootstrap capability (owned by the vat), or null
   * @param level3 whether the vat announces Level 3 on its connections
   * @return the vat
   */
  public synchronized Vat vat(String name, EventLoop loop, Capability bootstrap,
      boolean level3) {
    if (vats.containsKey(name) || name.contains("|") || name.contains(";")) {
      throw new IllegalArgumentException("bad or duplicate vat name " + name);
    }
    Vat v = new Vat(name, loop, bootstrap, level3);
    vats.put(name, v);
    return v;
  }

  /**
   * The vat named {@code name}.
   *
   * @param name a vat's name
   * @return the vat
   * @throws IllegalArgumentException if there is none
   */
  public synchronized Vat vat(String name) {
    Vat v = vats.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no vat " + name);
    }
    return v;
  }

  /**
   * Whether {@code from} may dial {@code to} (default: yes). Existing connections are kept.
   *
   * @param from the dialling vat
   * @param to the dialled vat
   * @param reachable whether the dial may succeed
   */
  public synchronized void setReachable(String from, String to, boolean reachable) {
    if (reachable) {
      blocked.remove(from + ">" + to);
    } else {
      blocked.add(from + ">" + to);
    }
  }

  /**
   * How many connections were made so far (a shared connection counts once).
   *
   * @return the number of vat pairs connected since the start
   */
  public long connectionsMade() {
    return connectionsMade.get();
  }

  /**
   * How many messages of {@code kind} vat {@code from} sent to vat {@code to} so far (for tests
   * that check which path calls take).
   *
   * @param from the sending vat
   * @param to the receiving vat
   * @param kind the message kind, e.g. {@code Rpc.Message.Which.CALL}
   * @return the count
   */
  public long messagesSent(String from, String to, dev.capnp.rpc.proto.Rpc.Message.Which kind) {
    AtomicLong n = sent.get(from + ">" + to + ":" + kind);
    return n == null ? 0 : n.get();
  }

  /** An in-memory transport that counts what it sends, by kind, and may hold it. */
  private final class Counting implements MessageTransport {
    private final InMemoryTransport inner;
    private final String prefix;
    /** Held messages, oldest first (guarded by this); null when not holding. */
    private java.util.ArrayDeque<dev.capnp.runtime.MessageBuilder> holding;

    Counting(InMemoryTransport inner, String from, String to, boolean hold) {
      this.inner = inner;
      this.prefix = from + ">" + to + ":";
      if (hold) {
        holding = new java.util.ArrayDeque<>();
      }
    }

    void setHeld(boolean hold) {
      java.util.ArrayDeque<dev.capnp.runtime.MessageBuilder> release;
      synchronized (this) {
        if (hold) {
          if (holding == null) {
            holding = new java.util.ArrayDeque<>();
          }
          return;
        }
        release = holding;
        holding = null;
        // (sent under the lock, so that a concurrent send cannot overtake the released ones)
        if (release != null) {
          for (dev.capnp.runtime.MessageBuilder m : release) {
            inner.send(m);
          }
        }
      }
    }

    @Override
    public void send(dev.capnp.runtime.MessageBuilder message) {
      String kind;
      try {
        kind = message.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY).which().toString();
      } catch (RuntimeException e) {
        kind = "?";
      }
      sent.computeIfAbsent(prefix + kind, k -> new AtomicLong()).incrementAndGet();
      synchronized (this) {
        if (holding != null) {
          holding.add(message);
          return;
        }
        inner.send(message);
      }
    }

    @Override
    public void start(Receiver receiver) {
      inner.start(receiver);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** One vat of the network. */
  public final class Vat {
    private final String name;
    private final EventLoop loop;
    private final Capability bootstrap;
    private final boolean level3;
    /** Provisions offered to this vat (as a host), by "introducer#nonce"; on its loop. */
    private final Map<String, Exchange> exchanges = new HashMap<>();
    /**
     * Provisions withdrawn, the last {@link #REMEMBERED_WITHDRAWALS} (their Accepts fail instead
     * of waiting), oldest first; on the vat's loop.
     */
    private final java.util.LinkedHashSet<String> withdrawn = new java.util.LinkedHashSet<>();

    private Vat(String name, EventLoop loop, Capability bootstrap, boolean level3) {
      this.name = name;
      this.loop = loop;
      this.bootstrap = bootstrap;
      this.level3 = level3;
    }

    /**
     * The vat's name.
     *
     * @return the name
     */
    public String name() {
      return name;
    }

    /**
     * The vat's event loop.
     *
     * @return the loop
     */
    public EventLoop loop() {
      return loop;
    }

    /**
     * The connection to {@code peer}, made now if there is none (shared by both vats).
     *
     * @param peer the other vat's name
     * @return this vat's end of the connection
     * @throws RpcException if {@code peer} is unknown or unreachable from this vat
     */
    public RpcConnection connect(String peer) {
      return connectionTo(peer, true);
    }

    /**
     * The existing connection to {@code peer}, or null.
     *
     * @param peer the other vat's name
     * @return this vat's end of the connection, or null
     */
    public RpcConnection connection(String peer) {
      return connectionTo(peer, false);
    }

    /**
     * A new reference to {@code peer}'s bootstrap capability (connecting if needed).
     *
     * @param peer the other vat's name
     * @return the capability, owned by the caller
     */
    public Capability bootstrap(String peer) {
      return connect(peer).bootstrap();
    }

    /**
     * This vat's connections, by peer name.
     *
     * @return a snapshot of the connections
     */
    public Map<String, RpcConnection> connections() {
      synchronized (InMemoryNetwork.this) {
        Map<String, RpcConnection> r = new LinkedHashMap<>();
        ends.forEach((c, e) -> {
          if (e[0] == this) {
            r.put(e[1].name, c);
          }
        });
        return r;
      }
    }

    /**
     * How many provisions this vat remembers as a host: those offered or awaited, and those
     * withdrawn it still remembers (for leak checks). Call on the vat's loop.
     *
     * @return the number of provisions remembered
     */
    public int provisionsRemembered() {
      return exchanges.size() + withdrawn.size();
    }

    /** Remembers that the provision {@code key} was withdrawn (bounded). On the loop. */
    private void withdraw(String key) {
      withdrawn.add(key);
      if (withdrawn.size() > REMEMBERED_WITHDRAWALS) {
        java.util.Iterator<String> oldest = withdrawn.iterator();
        oldest.next();
        oldest.remove();
      }
    }

    /** Disconnects every connection of this vat and releases its bootstrap capability. */
    public void close() {
      for (RpcConnection c : connections().values()) {
        c.close();
      }
      if (bootstrap != null) {
        bootstrap.close();
      }
    }

    private RpcConnection connectionTo(String peerName, boolean create) {
      RpcConnection mine;
      RpcConnection theirs;
      synchronized (InMemoryNetwork.this) {
        Vat peer = vats.get(peerName);
        if (peer == null || peer == this) {
          throw RpcException.failed("no vat " + peerName + " to connect to from " + name);
        }
        String key = name.compareTo(peerName) < 0 ? name + "|" + peerName : peerName + "|" + name;
        RpcConnection[] existing = pairs.get(key);
        if (existing != null) {
          return existing[name.compareTo(peerName) < 0 ? 0 : 1];
        }
        if (!create) {
          return null;
        }
        if (blocked.contains(name + ">" + peerName)) {
          throw RpcException.disconnected("vat " + peerName + " is unreachable from " + name);
        }
        InMemoryTransport[] t = InMemoryTransport.pair(false);
        Counting out = new Counting(t[0], name, peerName, held.contains(name + ">" + peerName));
        Counting back = new Counting(t[1], peerName, name, held.contains(peerName + ">" + name));
        wires.put(name + ">" + peerName, out);
        wires.put(peerName + ">" + name, back);
        mine = new RpcConnection(loop, out, bootstrapFactory(), name + "->" + peerName)
            .thirdPartyNetwork(InMemoryNetwork.this).limits(limits);
        theirs = new RpcConnection(peer.loop, back, peer.bootstrapFactory(),
            peerName + "->" + name).thirdPartyNetwork(InMemoryNetwork.this).limits(limits);
        RpcConnection[] pair = name.compareTo(peerName) < 0
            ? new RpcConnection[] {mine, theirs} : new RpcConnection[] {theirs, mine};
        pairs.put(key, pair);
        ends.put(mine, new Vat[] {this, peer});
        ends.put(theirs, new Vat[] {peer, this});
        connectionsMade.incrementAndGet();
        for (RpcConnection c : pair) {
          c.whenDisconnected().whenComplete((e, x) -> forget(key, pair));
        }
      }
      theirs.start();
      mine.start();
      return mine;
    }

    private RpcConnection.BootstrapFactory bootstrapFactory() {
      if (bootstrap == null) {
        return null;
      }
      return id -> {
        if (id != null && !id.isNull()) {
          throw RpcException.failed("This vat has no restorer (object id given)");
        }
        return bootstrap.dup();
      };
    }

    @Override
    public String toString() {
      return "vat " + name + (level3 ? " (Level 3)" : " (Level 1)");
    }
  }

  /** A provision offered to a host: the value, or Accepts waiting for it. On the host's loop. */
  private static final class Exchange {
    String recipient;
    Object value;
    boolean offered;
    final List<Object[]> waiters = new ArrayList<>(); // {accepting vat name, future}
  }

  private void forget(String key, RpcConnection[] pair) {
    List<String> lost = new ArrayList<>();
    List<Vat> hosts = new ArrayList<>();
    synchronized (this) {
      forgetPair(key, pair);
      for (RpcConnection c : pair) {
        Set<String> l = introductionsByConnection.remove(c);
        if (l != null) {
          for (String k : l) {
            lost.add(k);
            hosts.add(introductions.remove(k).host());
          }
        }
      }
    }
    // the introducer's connection to the host ended: a Provide that had not arrived never will,
    // so the Accepts waiting for it fail now (the recipient falls back to the vine)
    for (int i = 0; i < lost.size(); i++) {
      Vat host = hosts.get(i);
      String k = lost.get(i);
      host.loop.execute(() -> {
        Exchange x = host.exchanges.get(k);
        if (x != null && x.offered) {
          return;
        }
        host.withdraw(k);
        if (x != null) {
          host.exchanges.remove(k);
          for (Object[] w : x.waiters) {
            castFuture(w[1]).completeExceptionally(RpcException.disconnected("the introducer's"
                + " connection to " + host.name + " was lost before its Provide " + k
                + " arrived"));
          }
        }
      });
    }
  }

  private synchronized void forgetPair(String key, RpcConnection[] pair) {
    if (pairs.get(key) == pair) {
      pairs.remove(key);
      String[] names = key.split("\\|");
      wires.remove(names[0] + ">" + names[1]);
      wires.remove(names[1] + ">" + names[0]);
    }
    for (RpcConnection c : pair) {
      ends.remove(c);
    }
  }

  private synchronized Vat[] endsOf(RpcConnection c) {
    return ends.get(c);
  }

  // ============================================================================ Level 3

  @Override
  public boolean peerSupportsLevel3(RpcConnection connection) {
    Vat[] e = endsOf(connection);
    return e != null && e[0].level3 && e[1].level3;
  }

  @Override
  public boolean introduce(RpcConnection provider, RpcConnection recipient,
      AnyPointer.Builder contact, AnyPointer.Builder await) {
    Vat[] p = endsOf(provider);
    Vat[] r = endsOf(recipient);
    if (p == null || r == null || p[0] != r[0] || p[1] == r[1]) {
      return false; // (not ours, or a self-introduction: the capability is proxied)
    }
    long nonce = nonces.incrementAndGet();
    String key = p[0].name + "#" + nonce;
    synchronized (this) {
      introductions.put(key, new Pending(provider, p[1]));
      introductionsByConnection.computeIfAbsent(provider, k -> new HashSet<>()).add(key);
    }
    contact.setAs(Text.FACTORY, new Text.Reader(
        "host=" + p[1].name + ";introducer=" + p[0].name + ";nonce=" + nonce));
    await.setAs(Text.FACTORY, new Text.Reader("recipient=" + r[1].name + ";nonce=" + nonce));
    return true;
  }

  @Override
  public CompletionStage<Introduced> connectToIntroduced(RpcConnection from,
      AnyPointer.Reader contact) {
    Vat[] f = endsOf(from);
    try {
      if (f == null) {
        throw RpcException.failed("connection not of this network");
      }
      String[] c = parse(contact, "host", "introducer", "nonce");
      if (!f[1].name.equals(c[1])) {
        throw RpcException.failed("contact names introducer " + c[1]
            + " but came from " + f[1].name);
      }
      String nonce = c[2];
      String introducer = f[1].name;
      RpcConnection conn = f[0].connect(c[0]);
      return CompletableFuture.completedFuture(new Introduced(conn,
          b -> b.setAs(Text.FACTORY,
              new Text.Reader("introducer=" + introducer + ";nonce=" + nonce))));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public Runnable awaitThirdParty(RpcConnection from, AnyPointer.Reader await, Object value) {
    Vat[] f = endsOf(from);
    if (f == null) {
      return () -> { };
    }
    Vat host = f[0];
    String[] a = parse(await, "recipient", "nonce");
    String key = f[1].name + "#" + a[1];
    synchronized (this) { // (the Provide came)
      Pending p = introductions.remove(key);
      if (p != null) {
        Set<String> l = introductionsByConnection.get(p.provider());
        l.remove(key);
        if (l.isEmpty()) {
          introductionsByConnection.remove(p.provider());
        }
      }
    }
    Exchange x = host.exchanges.computeIfAbsent(key, k -> new Exchange());
    x.recipient = a[0];
    x.value = value;
    x.offered = true;
    List<Object[]> waiting = new ArrayList<>(x.waiters);
    x.waiters.clear();
    for (Object[] w : waiting) {
      settle(x, (String) w[0], castFuture(w[1]));
    }
    boolean[] done = new boolean[1];
    return () -> {
      if (done[0]) {
        return;
      }
      done[0] = true;
      if (host.exchanges.get(key) == x) {
        host.exchanges.remove(key);
      }
      host.withdraw(key);
    };
  }

  @Override
  public CompletionStage<Object> completeThirdParty(RpcConnection from,
      AnyPointer.Reader completion) {
    Vat[] f = endsOf(from);
    CompletableFuture<Object> r = new CompletableFuture<>();
    if (f == null) {
      r.completeExceptionally(RpcException.failed("connection not of this network"));
      return r;
    }
    Vat host = f[0];
    String[] c;
    try {
      c = parse(completion, "introducer", "nonce");
    } catch (RpcException e) {
      r.completeExceptionally(e);
      return r;
    }
    String key = c[0] + "#" + c[1];
    if (host.withdrawn.contains(key)) {
      r.completeExceptionally(RpcException.failed("the provision " + key + " was withdrawn"));
      return r;
    }
    Exchange x = host.exchanges.computeIfAbsent(key, k -> new Exchange());
    if (x.offered) {
      settle(x, f[1].name, r);
    } else {
      Object[] w = {f[1].name, r};
      x.waiters.add(w);
      // the host stopped waiting (its Accept timed out, was finished, or the connection ended):
      // forget the wait, and the exchange if nothing else is in it (on the host's loop)
      r.whenComplete((v, e) -> {
        if (r.isCancelled()) {
          host.loop.run(() -> {
            x.waiters.remove(w);
            if (!x.offered && x.waiters.isEmpty() && host.exchanges.get(key) == x) {
              host.exchanges.remove(key);
            }
          });
        }
      });
    }
    return r;
  }

  private static void settle(Exchange x, String accepter, CompletableFuture<Object> r) {
    if (accepter.equals(x.recipient)) {
      r.complete(x.value);
    } else {
      r.completeExceptionally(RpcException.failed(
          "vat " + accepter + " is not the intended recipient of this capability"));
    }
  }

  @SuppressWarnings("unchecked")
  private static CompletableFuture<Object> castFuture(Object o) {
    return (CompletableFuture<Object>) o;
  }

  /**
   * The values of the fields {@code names} of a handoff value ({@code k=v;k=v}), in that order
   * (a missing one is a {@code FAILED} error); one pass, no table.
   */
  private static String[] parse(AnyPointer.Reader p, String... names) {
    if (p == null || p.isNull()) {
      throw RpcException.failed("missing third-party value");
    }
    String s = p.getAs(Text.FACTORY).toString();
    String[] values = new String[names.length];
    for (int start = 0; start < s.length(); ) {
      int end = s.indexOf(';', start);
      if (end < 0) {
        end = s.length();
      }
      int eq = s.indexOf('=', start);
      if (eq > start && eq < end) {
        for (int i = 0; i < names.length; i++) {
          if (names[i].length() == eq - start && s.startsWith(names[i], start)) {
            values[i] = s.substring(eq + 1, end);
          }
        }
      }
      start = end + 1;
    }
    for (int i = 0; i < names.length; i++) {
      if (values[i] == null) {
        throw RpcException.failed("third-party value \"" + s + "\" has no " + names[i]);
      }
    }
    return values;
  }
}
