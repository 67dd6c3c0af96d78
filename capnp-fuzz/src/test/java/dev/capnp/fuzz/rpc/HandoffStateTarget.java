package dev.capnp.fuzz.rpc;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryNetwork;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fuzz target 4: Level 3 (three-party handoff) with three or four vats on the
 * {@link InMemoryNetwork}, each vat on its own manual event loop, the fuzzer choosing the
 * schedule. Alice (the introducer) holds Bob's bootstrap capability X; Carol gets references
 * to X from Alice, either directly (a {@code thirdPartyHosted} descriptor) or as a promise of
 * Alice's that Alice resolves to X later (a {@code Resolve} that hands X off, with an embargo
 * when Carol has called the promise); with four vats Carol passes references on to Dave.
 * Carol and Dave call their references; Bob's object checks what arrives. Carol also makes
 * calls to Alice whose handler tail-calls X (three-party call forwarding: Alice sends them on
 * with {@code sendResultsTo.thirdParty} and Bob answers Carol directly); Bob's object checks
 * them as one more reference. In a run that lost a connection, a forwarded call still waiting
 * for its {@code ThirdPartyAnswer} at the end (bounded by {@code acceptTimeoutMillis} in real
 * time, which the schedule does not run) is canceled before the final checks.
 *
 * <p>Input: byte 0 bit 0 chooses four vats (else three); then each step is one byte choosing
 * the action, operands from the following bytes (all zero once the input runs out): run one
 * vat's loop; Carol or Dave calls a reference (Carol, on an empty slot: a forwarded call); Carol asks Alice for a promise; Alice gives
 * Carol X; Alice resolves her oldest promise to X (or, rarely, to an error); Carol passes a
 * reference to Dave; Carol or Dave drops a reference; Carol waits on a reference's resolution
 * ({@code whenResolved}, which starts a handoff); hold or release the messages one vat sends
 * another (a slow link: Accept before Provide, calls through Alice behind the direct path);
 * make Bob unreachable from Carol or Dave (or reachable again: the handoff falls back to the
 * vine); disconnect a connection.
 *
 * <p>Oracles: E-order per reference (the sequence numbers Bob's object sees on one reference
 * strictly increase) and no call delivered twice; no exception escapes onto any loop; every
 * connection satisfies {@link RpcConnection#checkInvariants()} after every step and none is
 * lost unless the input disconnected one; every call completes, and unless the input
 * disconnected a connection or resolved a promise to an error, every call succeeds (nothing is
 * lost on any path, including the fallback); a failure is an {@link RpcException}. At the end
 * (links released, everything reachable, promises resolved, references dropped, loops run
 * until quiet) every table on every connection is empty and
 * {@link Capability#liveReferenceCount()} is back to its start.
 */
final class HandoffStateTarget {
  static final long IFACE = 0x5c3e9a7b1d2f4e6aL;
  static final StructSize PARAMS = new StructSize(0, 2);
  static final int SLOTS = 4;
  static final String[] NAMES = {"alice", "bob", "carol", "dave"};
  /** {@code -Dhandofffuzz.trace=true} prints every step. */
  static final boolean TRACE = Boolean.getBoolean("handofffuzz.trace");

  private static void trace(String s) {
    if (TRACE) {
      System.out.println(s);
    }
  }

  /** A reference held by Carol or Dave, with its own call sequence. */
  static final class Ref {
    final Capability cap;
    final int id;
    int nextSeq;

    Ref(Capability cap, int id) {
      this.cap = cap;
      this.id = id;
    }
  }

  private final FuzzInput in;
  private final int vatCount;
  private final EventLoop[] loops;
  private final InMemoryNetwork net = new InMemoryNetwork().callForwarding(true);
  private final InMemoryNetwork.Vat[] vats;
  private final Ref[][] slots = new Ref[4][SLOTS];
  private final List<String> findings = new ArrayList<>();
  /** Per reference id: the last sequence number Bob's object saw. */
  private final Map<Integer, Integer> lastSeq = new HashMap<>();
  private final Set<Integer> delivered = new HashSet<>();
  /** Every call made: its promise. */
  private final List<ResponsePromise<AnyPointer.Reader, Pipeline>> calls = new ArrayList<>();
  /** Carol's requests for a promise of Alice's, until their answer is taken. */
  private final List<ResponsePromise<AnyPointer.Reader, Pipeline>> gets = new ArrayList<>();
  /** Alice's unresolved promises, oldest first. */
  private final List<CompletableFuture<Capability>> promises = new ArrayList<>();
  /** Every connection seen, to tell a lost one. */
  private final Set<RpcConnection> seen = new LinkedHashSet<>();
  private final Set<String> heldLinks = new HashSet<>();
  private final Set<String> unreachable = new HashSet<>();
  private Capability x;
  private Capability carolAtAlice;
  private Capability aliceAtCarol;
  private Capability daveAtCarol;
  /** The input disconnected a connection or broke a promise: calls may fail. */
  private boolean lossy;
  /** The end: the vats are being closed. */
  private boolean closing;
  private int refs;
  private int callIds;
  /** The reference id Bob's object sees for Carol's forwarded calls (through Alice). */
  static final int FWD_REF = 1 << 20;
  private int fwdSeq;
  /** Carol's calls to Alice that Alice's handler tail-calls to X (forwarded to Bob). */
  private final Set<ResponsePromise<AnyPointer.Reader, Pipeline>> forwarded = new HashSet<>();

  private HandoffStateTarget(byte[] data) {
    in = new FuzzInput(data);
    vatCount = 3 + (in.next(256) & 1);
    loops = new EventLoop[vatCount];
    vats = new InMemoryNetwork.Vat[vatCount];
    // (the thread's current loop is the last one made: Alice's, where her promises live)
    for (int i = vatCount - 1; i >= 0; i--) {
      loops[i] = EventLoop.manual();
    }
    vats[0] = net.vat("alice", loops[0], Capability.of(new Alice(), loops[0]), true);
    vats[1] = net.vat("bob", loops[1], Capability.of(new Bob(), loops[1]), true);
    vats[2] = net.vat("carol", loops[2], Capability.of(new Taker(2), loops[2]), true);
    if (vatCount == 4) {
      vats[3] = net.vat("dave", loops[3], Capability.of(new Taker(3), loops[3]), true);
    }
  }

  /** Runs one input. */
  static void run(byte[] data) {
    long liveBefore = Capability.liveReferenceCount();
    HandoffStateTarget t = new HandoffStateTarget(data);
    try {
      t.runAll();
    } finally {
      for (EventLoop l : t.loops) {
        l.close();
      }
    }
    long live = Capability.liveReferenceCount();
    if (live > liveBefore) {
      throw new AssertionError("capability references leaked: " + (live - liveBefore)
          + " more live than before the run");
    }
  }

  private void runAll() {
    x = vats[0].bootstrap("bob");
    carolAtAlice = vats[0].bootstrap("carol");
    aliceAtCarol = vats[2].bootstrap("alice");
    if (vatCount == 4) {
      daveAtCarol = vats[2].bootstrap("dave");
    }
    pump();
    int steps = 0;
    while (in.more() && steps++ < 400) {
      step();
      takeGets();
      check();
    }
    finish();
  }

  // ================================================================================ steps

  private void step() {
    int op = in.next(14);
    trace("op " + op);
    switch (op) {
      case 0:
      case 1:
      case 2:
      case 3: {
        int v = in.next(vatCount);
        trace("  run " + NAMES[v]);
        loops[v].runPending();
        break;
      }
      case 4:
      case 5:
        call(2, in.next(SLOTS));
        break;
      case 6:
        call(3, in.next(SLOTS));
        break;
      case 7:
        trace("  carol asks alice for a promise");
        gets.add(send(aliceAtCarol, "get", null));
        break;
      case 8:
        trace("  alice gives carol X");
        calls.add(send(carolAtAlice, "take", x));
        break;
      case 9:
        resolveOldest(in.next(8) != 0);
        break;
      case 10: {
        Ref r = slots[2][in.next(SLOTS)];
        if (vatCount == 4 && r != null) {
          trace("  carol passes ref " + r.id + " to dave");
          calls.add(send(daveAtCarol, "take", r.cap));
        }
        break;
      }
      case 11: {
        int v = 2 + in.next(vatCount - 2);
        int s = in.next(SLOTS);
        if (slots[v][s] != null) {
          trace("  " + NAMES[v] + " drops ref " + slots[v][s].id);
          slots[v][s].cap.close();
          slots[v][s] = null;
        }
        break;
      }
      case 12: {
        Ref r = slots[2][in.next(SLOTS)];
        if (r != null) {
          trace("  carol waits for ref " + r.id + " to resolve");
          r.cap.whenResolved();
        }
        break;
      }
      default:
        network();
        break;
    }
  }

  /** Slow links, reachability, disconnection. */
  private void network() {
    switch (in.next(6)) {
      case 0:
      case 1:
      case 2: {
        String from = NAMES[in.next(vatCount)];
        String to = NAMES[in.next(vatCount)];
        if (!from.equals(to)) {
          String link = from + ">" + to;
          boolean hold = heldLinks.add(link);
          if (!hold) {
            heldLinks.remove(link);
          }
          trace("  " + (hold ? "hold " : "release ") + link);
          net.hold(from, to, hold);
        }
        break;
      }
      case 3:
      case 4: {
        String from = NAMES[2 + in.next(vatCount - 2)];
        boolean cut = unreachable.add(from);
        if (!cut) {
          unreachable.remove(from);
        }
        trace("  bob " + (cut ? "unreachable" : "reachable") + " from " + from);
        net.setReachable(from, "bob", !cut);
        break;
      }
      default: {
        int v = in.next(vatCount);
        // (by peer name: the network's map order is not deterministic)
        List<RpcConnection> cs =
            new ArrayList<>(new java.util.TreeMap<>(vats[v].connections()).values());
        if (!cs.isEmpty()) {
          RpcConnection c = cs.get(in.next(cs.size()));
          trace("  disconnect " + c);
          lossy = true;
          loops[v].run(c::close);
        }
        break;
      }
    }
  }

  private void call(int vat, int slot) {
    if (vat >= vatCount) {
      return;
    }
    Ref r = slots[vat][slot];
    if (r == null) {
      if (vat == 2) {
        // an empty slot of Carol's: a call to Alice that Alice's handler tail-calls to X, which
        // Level 3 forwards (Bob answers Carol directly); E-order per this pseudo-reference
        int seq = fwdSeq++;
        int id = callIds++;
        trace("  carol calls alice, forwarded to X, #" + seq);
        ResponsePromise<AnyPointer.Reader, Pipeline> c =
            send(aliceAtCarol, "fwd:" + FWD_REF + ":" + seq + ":" + id, null);
        calls.add(c);
        forwarded.add(c);
      }
      return;
    }
    int seq = r.nextSeq++;
    int id = callIds++;
    trace("  " + NAMES[vat] + " calls ref " + r.id + " #" + seq);
    calls.add(send(r.cap, r.id + ":" + seq + ":" + id, null));
  }

  private ResponsePromise<AnyPointer.Reader, Pipeline> send(Capability target, String text,
      Capability arg) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = target.newCall(IFACE, 0);
    AnyStruct.Builder s = r.getParams().initAs(AnyStruct.factory(PARAMS));
    s.getPointer(0).setAs(Text.FACTORY, new Text.Reader(text));
    if (arg != null) {
      arg.writeTo(s.getPointer(1));
    }
    return r.send();
  }

  private Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request(Capability target,
      String text) {
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = target.newCall(IFACE, 0);
    r.getParams().initAs(AnyStruct.factory(PARAMS)).getPointer(0)
        .setAs(Text.FACTORY, new Text.Reader(text));
    return r;
  }

  private void resolveOldest(boolean toX) {
    if (promises.isEmpty()) {
      return;
    }
    CompletableFuture<Capability> p = promises.remove(0);
    trace("  alice resolves a promise to " + (toX ? "X" : "an error"));
    if (toX) {
      p.complete(x.dup());
    } else {
      lossy = true;
      p.completeExceptionally(RpcException.failed("promise broken by the fuzzer"));
    }
  }

  /** Carol's answered requests for a promise: the promise goes into one of her slots. */
  private void takeGets() {
    for (int i = 0; i < gets.size(); i++) {
      ResponsePromise<AnyPointer.Reader, Pipeline> g = gets.get(i);
      if (!g.isDone()) {
        continue;
      }
      gets.remove(i--);
      if (g.isCompletedExceptionally()) {
        calls.add(g); // (checked with the calls)
        continue;
      }
      try (Response<AnyPointer.Reader> r = g.join()) {
        AnyPointer.Reader p = r.get().getAs(AnyStruct.FACTORY).getPointer(1);
        if (!p.isNull()) {
          put(2, Capability.fromPointer(p));
        }
      }
    }
  }

  private void put(int vat, Capability cap) {
    int s = refs % SLOTS;
    if (slots[vat][s] != null) {
      slots[vat][s].cap.close();
    }
    slots[vat][s] = new Ref(cap, refs++);
    trace("  " + NAMES[vat] + " slot " + s + " = ref " + slots[vat][s].id + " " + cap);
  }

  // ============================================================================== servers

  private static String text(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
    return ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(0).getAs(Text.FACTORY)
        .toString();
  }

  /** Alice: "get" answers a new promise of hers (resolved by the input, or at the end). */
  final class Alice extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String t = text(ctx);
      if (t.startsWith("fwd:")) {
        ctx.releaseParams();
        return ctx.tailCall(request(x, t.substring(4)));
      }
      AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(PARAMS));
      if (t.equals("get")) {
        CompletableFuture<Capability> f = new CompletableFuture<>();
        promises.add(f);
        try (Capability p = Capability.promise(f)) {
          p.writeTo(out.getPointer(1));
        }
      }
      return Server.done();
    }
  }

  /** Bob's object X: checks E-order per reference and that no call arrives twice. */
  final class Bob extends Server {
    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      String[] parts = text(ctx).split(":");
      ctx.getResults().initAs(AnyStruct.factory(PARAMS));
      if (parts.length != 3) {
        findings.add("Bob received an unexpected call: " + text(ctx));
        return Server.done();
      }
      int ref = Integer.parseInt(parts[0]);
      int seq = Integer.parseInt(parts[1]);
      int id = Integer.parseInt(parts[2]);
      trace("  bob receives ref " + ref + " #" + seq);
      if (!delivered.add(id)) {
        findings.add("call " + id + " (ref " + ref + " #" + seq + ") delivered twice");
      }
      Integer last = lastSeq.put(ref, seq);
      if (last != null && last >= seq) {
        findings.add("E-order: ref " + ref + " call #" + seq + " arrived after #" + last);
      }
      return Server.done();
    }
  }

  /** Carol's and Dave's bootstrap: "take" keeps the capability passed. */
  final class Taker extends Server {
    private final int vat;

    Taker(int vat) {
      this.vat = vat;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      AnyPointer.Reader p = ctx.getParams().getAs(AnyStruct.FACTORY).getPointer(1);
      if (!p.isNull()) {
        put(vat, Capability.fromPointer(p));
      }
      ctx.releaseParams();
      ctx.getResults().initAs(AnyStruct.factory(PARAMS));
      return Server.done();
    }
  }

  // ============================================================================== oracles

  private void check() {
    if (!findings.isEmpty()) {
      throw new AssertionError(String.join("\n", findings));
    }
    for (EventLoop l : loops) {
      if (l.uncaughtExceptions() != 0) {
        throw new AssertionError(l.uncaughtExceptions() + " uncaught exceptions on " + l);
      }
    }
    for (InMemoryNetwork.Vat v : vats) {
      seen.addAll(v.connections().values());
    }
    for (RpcConnection c : seen) {
      String bad = c.checkInvariants();
      if (bad != null) {
        throw new AssertionError("invariant violated on " + c + ": " + bad);
      }
      if (!lossy && !closing && c.disconnectReason() != null) {
        throw new AssertionError(c + " was lost: " + c.disconnectReason());
      }
    }
  }

  /** Runs every loop until none has anything left to do. */
  private int pump() {
    int total = 0;
    for (int round = 0; round < 100_000; round++) {
      int n = 0;
      for (EventLoop l : loops) {
        n += l.runPending();
      }
      total += n;
      if (n == 0) {
        return total;
      }
    }
    throw new AssertionError("the loops never went quiet");
  }

  private void finish() {
    for (String link : heldLinks) {
      String[] ft = link.split(">");
      net.hold(ft[0], ft[1], false);
    }
    heldLinks.clear();
    for (String from : unreachable) {
      net.setReachable(from, "bob", true);
    }
    unreachable.clear();
    for (int round = 0; round < 100; round++) {
      int n = pump();
      takeGets();
      while (!promises.isEmpty()) {
        resolveOldest(true);
        n++;
      }
      if (n == 0 && gets.isEmpty()) {
        break;
      }
    }
    check();
    if (lossy) {
      // a forwarded call whose ThirdPartyAnswer was lost with a connection waits for it at
      // most acceptTimeoutMillis (real time, which the schedule does not run): cancel those
      boolean any = false;
      for (ResponsePromise<AnyPointer.Reader, Pipeline> c : forwarded) {
        if (!c.isDone()) {
          trace("  cancel a forwarded call still awaiting its ThirdPartyAnswer");
          c.cancel(false);
          calls.remove(c);
          any = true;
        }
      }
      if (any) {
        pump();
      }
    }
    for (int i = 0; i < calls.size(); i++) {
      ResponsePromise<AnyPointer.Reader, Pipeline> c = calls.get(i);
      if (!c.isDone()) {
        throw new AssertionError("call " + i + " of " + calls.size() + " never completed"
            + dump());
      }
      if (c.isCompletedExceptionally()) {
        Throwable e;
        try {
          c.join();
          e = null;
        } catch (RuntimeException ex) {
          e = ex.getCause() != null ? ex.getCause() : ex;
        }
        if (!(e instanceof RpcException)) {
          throw new AssertionError("call " + i + " failed with a non-RPC exception", e);
        }
        if (!lossy) {
          throw new AssertionError("call " + i + " failed although nothing was lost", e);
        }
      } else {
        c.join().close();
      }
    }
    for (Ref[] vs : slots) {
      for (int s = 0; s < SLOTS; s++) {
        if (vs[s] != null) {
          vs[s].cap.close();
          vs[s] = null;
        }
      }
    }
    for (Capability c : new Capability[] {x, carolAtAlice, aliceAtCarol, daveAtCarol}) {
      if (c != null) {
        c.close();
      }
    }
    pump();
    for (int s = 0; s < SLOTS; s++) { // (taken during the last pump)
      for (Ref[] vs : slots) {
        if (vs[s] != null) {
          vs[s].cap.close();
          vs[s] = null;
        }
      }
    }
    pump();
    check();
    for (InMemoryNetwork.Vat v : vats) {
      for (RpcConnection c : v.connections().values()) {
        if (!c.tablesEmpty()) {
          throw new AssertionError("tables not empty at the end:" + dump());
        }
      }
    }
    closing = true;
    for (InMemoryNetwork.Vat v : vats) {
      v.close();
    }
    pump();
    check();
  }

  private String dump() {
    StringBuilder sb = new StringBuilder();
    for (InMemoryNetwork.Vat v : vats) {
      for (RpcConnection c : v.connections().values()) {
        sb.append('\n').append(c.dumpTables());
      }
    }
    return sb.toString();
  }
}
