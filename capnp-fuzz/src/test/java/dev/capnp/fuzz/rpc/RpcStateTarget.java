package dev.capnp.fuzz.rpc;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructSize;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fuzz target 2: the RPC state machine of two or three vats on one manual event loop, connected
 * by manual in-memory transports (vat 1 is connected to vat 0 and, with three vats, to vat 2, so
 * capabilities of vat 2 reach vat 0 proxied through vat 1).
 *
 * <p>Input: byte 0 chooses two or three vats; then each step is one byte choosing the action and
 * the following bytes its operands: bootstrap; deliver one queued message; call a capability
 * with 0–2 capabilities as arguments; take a field of a promised answer (pipelining);
 * finish/cancel a question; create a service; release a capability; answer a pending call with
 * capabilities, with an error, or by tail-returning another call. Capabilities, questions and
 * pending calls live in fixed-size slot arrays per vat; putting a value into a full slot frees
 * the old one.
 *
 * <p>Byte 0 of the form {@code 0xF?} selects the extended modes (older inputs keep their meaning):
 * bit 0 three vats, bit 1 threaded (each vat on its own {@link EventLoop#start} thread), bit 2
 * (threaded only) services created on a separate service loop, so the vats reach them through
 * {@code CrossLoopClient} bridges; extended inputs also create local promises
 * ({@link Capability#promise}) and resolve them later to a chosen capability or an error.
 *
 * <p>Oracles: a shadow object graph (direct references, no network; results alias the
 * capabilities they return, tail calls alias the tail call's answer) says which object each call
 * must reach, and a call may only arrive once its target is known and not broken; per-reference
 * sequence numbers check E-order (skips are allowed: canceled calls may never arrive); after every
 * step every connection satisfies {@link RpcConnection#checkInvariants()} and no exception
 * escaped onto the loop; at the end, once everything is released and answered, every table on
 * every connection is empty and {@link Capability#liveReferenceCount()} is back to its start.
 */
final class RpcStateTarget {
  static final long IFACE = 0x7a3b9c1d2e4f5a6bL;
  static final StructSize PARAMS = new StructSize(0, 3);
  static final int CAP_SLOTS = 8;
  static final int QUESTION_SLOTS = 6;
  static final int PENDING_SLOTS = 4;
  static final int PROMISE_SLOTS = 3;
  /** How long the threaded mode waits for a loop before calling it a hang. */
  static final long LOOP_TIMEOUT_SECONDS = 20;
  /** {@code -Drpcfuzz.trace=true} prints every step (for reproducing a finding). */
  static final boolean TRACE = Boolean.getBoolean("rpcfuzz.trace");

  private static void trace(String s) {
    if (TRACE) {
      System.out.println(s);
    }
  }

  /** Where a reference points, in the shadow graph (immutable). */
  static final class Shadow {
    final Obj obj;
    final AnswerNode answer;
    final int field;

    Shadow(Obj obj, AnswerNode answer, int field) {
      this.obj = obj;
      this.answer = answer;
      this.field = field;
    }
  }

  /** A call's answer in the shadow graph. */
  static final class AnswerNode {
    boolean done;
    boolean error;
    final Shadow[] fields = new Shadow[3];
    AnswerNode alias;
    /** The reference the call was made on (its answer waits on it until the call arrives). */
    Shadow target;
    /** The vat that made the call. */
    int askedBy;
    /** Whether the call reached an object. */
    boolean arrived;
  }

  /**
   * Whether resolving {@code s} waits (through unresolved answers, tail calls and the targets of
   * calls still on their way) on {@code goal}: a tail call on such a reference would make a
   * promise cycle.
   */
  static boolean dependsOn(Shadow s, AnswerNode goal) {
    for (int depth = 0; depth < 10000 && s != null && s.obj == null; depth++) {
      AnswerNode a = s.answer;
      while (true) {
        if (a == goal) {
          return true;
        }
        if (a.alias == null) {
          break;
        }
        a = a.alias;
      }
      if (a.done) {
        if (a.error) {
          return false;
        }
        s = a.fields[s.field];
      } else if (!a.arrived) {
        s = a.target;
      } else {
        return false; // pending at an object, which answers it on its own
      }
    }
    return false;
  }

  /** The result of resolving a shadow reference. */
  private static final Obj BROKEN = new Obj(null, -1, -1);
  private static final Obj UNKNOWN = new Obj(null, -1, -2);

  static Obj resolve(Shadow s) {
    for (int depth = 0; depth < 10000; depth++) {
      if (s == null) {
        return BROKEN;
      }
      if (s.obj != null) {
        return s.obj;
      }
      AnswerNode a = s.answer;
      while (a.alias != null) {
        a = a.alias;
      }
      if (!a.done) {
        return UNKNOWN;
      }
      if (a.error) {
        return BROKEN;
      }
      s = a.fields[s.field];
    }
    throw new AssertionError("shadow graph cycle");
  }

  /** A held reference. */
  static final class Ref {
    final Capability cap;
    final int id;

    Ref(Capability cap, int id) {
      this.cap = cap;
      this.id = id;
    }
  }

  /** A call we made and still hold. */
  static final class Question {
    final ResponsePromise<AnyPointer.Reader, Pipeline> promise;
    final AnswerNode node;

    Question(ResponsePromise<AnyPointer.Reader, Pipeline> promise, AnswerNode node) {
      this.promise = promise;
      this.node = node;
    }
  }

  /** A call an object received and has not answered yet. */
  static final class Pending {
    final CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AnswerNode node;
    /** The loop of the object that received the call (where its handler runs). */
    final EventLoop home;

    Pending(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx, AnswerNode node,
        EventLoop home) {
      this.ctx = ctx;
      this.node = node;
      this.home = home;
    }
  }

  /** A local promise we created and have not resolved yet. */
  static final class LocalPromise {
    final CompletableFuture<Capability> resolver = new CompletableFuture<>();
    final AnswerNode node = new AnswerNode();

    LocalPromise() {
      node.arrived = true; // resolved by the harness, not by a call
    }
  }

  /** One vat's handles. */
  final class Vat {
    final int index;
    final EventLoop loop;
    final LocalPromise[] promises = new LocalPromise[PROMISE_SLOTS];
    final Obj bootstrap;
    final Ref[] caps = new Ref[CAP_SLOTS];
    final Question[] questions = new Question[QUESTION_SLOTS];
    final Pending[] pending = new Pending[PENDING_SLOTS];
    final List<RpcConnection> conns = new ArrayList<>();
    final List<Vat> peers = new ArrayList<>();
    int nextPending;

    Vat(int index, EventLoop loop) {
      this.index = index;
      this.loop = loop;
      this.bootstrap = new Obj(RpcStateTarget.this, index, objects++);
    }
  }

  /** A service object: checks where calls land and their order, then leaves them pending. */
  static final class Obj extends Server {
    final RpcStateTarget t;
    final int vat;
    final int id;
    final Map<Integer, Integer> lastSeq = new HashMap<>();

    Obj(RpcStateTarget t, int vat, int id) {
      this.t = t;
      this.vat = vat;
      this.id = id;
    }

    @Override
    protected CompletionStage<Void> dispatch(long interfaceId, int methodId,
        CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
      return t.received(this, ctx);
    }

    @Override
    public String toString() {
      return this == BROKEN ? "broken" : this == UNKNOWN ? "unknown" : "obj" + id + "@vat" + vat;
    }
  }

  private final FuzzInput in;
  /** The manual loop of every vat (manual mode), else null. */
  private final EventLoop loop;
  private final boolean extended;
  private final boolean threaded;
  /** Threaded mode: the loop of services on a separate loop (or null). */
  private final EventLoop serviceLoop;
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Vat> vats = new ArrayList<>();
  private final List<InMemoryTransport> wires = new ArrayList<>();
  private final List<RpcConnection> conns = new ArrayList<>();
  private final Map<Integer, Shadow> shadows = new HashMap<>();
  private final Map<Integer, AnswerNode> nodes = new HashMap<>();
  private final Map<Integer, Integer> nextSeq = new HashMap<>();
  private final List<String> findings = new ArrayList<>();
  private int objects;
  private int refs;
  private int answerIds;

  private RpcStateTarget(byte[] data) {
    this.in = new FuzzInput(data);
    int b0 = in.next(256);
    extended = (b0 & 0xF0) == 0xF0;
    threaded = extended && (b0 & 2) != 0;
    int n = 2 + (b0 & 1);
    if (threaded) {
      loop = null;
      for (int i = 0; i < n; i++) {
        EventLoop l = EventLoop.start("rpcfuzz-vat" + i);
        loops.add(l);
        vats.add(new Vat(i, l));
      }
      serviceLoop = (b0 & 4) != 0 ? EventLoop.start("rpcfuzz-services") : null;
      if (serviceLoop != null) {
        loops.add(serviceLoop);
      }
    } else {
      loop = EventLoop.manual();
      loops.add(loop);
      serviceLoop = null;
      for (int i = 0; i < n; i++) {
        vats.add(new Vat(i, loop));
      }
    }
    connect(vats.get(0), vats.get(1));
    if (n == 3) {
      connect(vats.get(1), vats.get(2));
    }
  }

  private void connect(Vat a, Vat b) {
    InMemoryTransport[] w = InMemoryTransport.pair(true);
    wires.add(w[0]);
    wires.add(w[1]);
    RpcConnection ca = RpcConnection.create(a.loop, w[0], Capability.of(a.bootstrap, a.loop),
        "vat" + a.index + "->vat" + b.index);
    RpcConnection cb = RpcConnection.create(b.loop, w[1], Capability.of(b.bootstrap, b.loop),
        "vat" + b.index + "->vat" + a.index);
    a.conns.add(ca);
    a.peers.add(b);
    b.conns.add(cb);
    b.peers.add(a);
    conns.add(ca);
    conns.add(cb);
  }

  /** Runs one input. */
  static void run(byte[] data) {
    long liveBefore = Capability.liveReferenceCount();
    RpcStateTarget t = new RpcStateTarget(data);
    try {
      t.runSteps();
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

  private void runSteps() {
    int steps = 0;
    while (in.more() && steps++ < 500) {
      synchronized (this) {
        step();
      }
      runLoops();
      check();
    }
    finish();
  }

  /** Manual mode: runs the loop's tasks; threaded mode: the loops run on their own. */
  private int runLoops() {
    return threaded ? 0 : loop.runPending();
  }

  /**
   * Threaded mode: delivers every message and waits until every loop is idle and no message is
   * waiting, three times in a row (tasks one loop posts to another are caught by the next round).
   */
  private void settle() {
    int quiet = 0;
    for (int round = 0; round < 100000 && quiet < 3; round++) {
      int n = 0;
      for (InMemoryTransport w : wires) {
        n += w.deliverAll();
      }
      boolean idle = true;
      for (EventLoop l : loops) {
        try {
          l.submit(() -> null).get(LOOP_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError(l + " did not answer: " + e);
        }
        idle &= l.isIdle();
      }
      for (InMemoryTransport w : wires) {
        idle &= w.pending().isEmpty();
      }
      quiet = n == 0 && idle ? quiet + 1 : 0;
    }
    if (quiet < 3) {
      throw new AssertionError("the loops never settled");
    }
  }

  private long uncaught() {
    long n = 0;
    for (EventLoop l : loops) {
      n += l.uncaughtExceptions();
    }
    return n;
  }

  private void check() {
    synchronized (this) {
      if (!findings.isEmpty()) {
        throw new AssertionError(String.join("\n", findings));
      }
    }
    if (uncaught() != 0) {
      throw new AssertionError(uncaught() + " uncaught exceptions on the loops");
    }
    for (RpcConnection c : conns) {
      String bad = c.checkInvariants();
      if (bad != null) {
        throw new AssertionError("invariant violated on " + c + ": " + bad);
      }
      if (c.disconnectReason() != null) {
        throw new AssertionError(c + " was disconnected: " + c.disconnectReason());
      }
    }
  }

  // ================================================================================ steps

  private void step() {
    Vat v = vats.get(in.next(vats.size()));
    int op = in.next(extended ? 12 : 10);
    trace("vat" + v.index + " op " + op);
    switch (op) {
      case 0: {
        int c = in.next(v.conns.size());
        Vat peer = v.peers.get(c);
        put(v, new Shadow(peer.bootstrap, null, 0), v.conns.get(c).bootstrap());
        break;
      }
      case 1:
      case 2: {
        int wi = in.next(wires.size());
        InMemoryTransport w = wires.get(wi);
        if (TRACE && !w.pending().isEmpty()) {
          trace("  deliver on wire " + wi + ": " + summary(w.pending().get(0)));
        }
        w.deliverOne();
        break;
      }
      case 3:
      case 4: {
        Ref target = v.caps[in.next(CAP_SLOTS)];
        if (target != null) {
          call(v, target, in.next(QUESTION_SLOTS));
        }
        break;
      }
      case 5: {
        Question q = v.questions[in.next(QUESTION_SLOTS)];
        if (q != null) {
          int field = in.next(3);
          put(v, new Shadow(null, q.node, field), q.promise.getPipelinedCap(field));
        }
        break;
      }
      case 6: {
        int i = in.next(QUESTION_SLOTS);
        drop(v.questions[i]);
        v.questions[i] = null;
        break;
      }
      case 7: {
        Obj o = new Obj(this, v.index, objects++);
        EventLoop home = serviceLoop != null && in.next(2) == 1 ? serviceLoop : v.loop;
        put(v, new Shadow(o, null, 0), Capability.of(o, home));
        break;
      }
      case 10: {
        int i = in.next(PROMISE_SLOTS);
        if (v.promises[i] != null) {
          resolvePromise(v, v.promises[i], null);
        }
        LocalPromise lp = new LocalPromise();
        v.promises[i] = lp;
        Capability cap = onLoop(v.loop, () -> Capability.promise(lp.resolver));
        trace("  promise " + i);
        put(v, new Shadow(null, lp.node, 0), cap);
        break;
      }
      case 11: {
        int i = in.next(PROMISE_SLOTS);
        LocalPromise lp = v.promises[i];
        if (lp != null) {
          v.promises[i] = null;
          int c = in.next(CAP_SLOTS + 1);
          resolvePromise(v, lp, c < CAP_SLOTS ? v.caps[c] : null);
        }
        break;
      }
      case 8: {
        int i = in.next(CAP_SLOTS);
        if (v.caps[i] != null) {
          v.caps[i].cap.close();
          v.caps[i] = null;
        }
        break;
      }
      case 9: {
        int i = in.next(PENDING_SLOTS);
        Pending p = v.pending[i];
        if (p != null) {
          v.pending[i] = null;
          answer(v, p, in.next(3));
        }
        break;
      }
    }
  }

  /**
   * Evaluates {@code f} on {@code l} (manual mode: here, the loop's own thread). Called holding
   * this target's monitor, which it gives up while waiting (the loop may be delivering a call
   * to {@link #received}, which needs it).
   */
  private <T> T onLoop(EventLoop l, java.util.function.Supplier<T> f) {
    if (!threaded) {
      return f.get();
    }
    CompletableFuture<T> r = l.submit(f);
    long deadline = System.nanoTime() + LOOP_TIMEOUT_SECONDS * 1_000_000_000L;
    while (!r.isDone()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(l + " did not answer");
      }
      try {
        wait(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
    return r.join();
  }

  /**
   * Resolves a local promise to {@code target} (a new reference to it), or to an error when
   * {@code target} is null. A resolution that would wait on the promise itself is a cycle:
   * resolving a promise to itself the core must break ("Attempt to create a cycle"); longer
   * cycles (through calls and other vats, which no implementation detects) are resolved with an
   * error instead. Either way the promise is broken in the shadow graph.
   */
  private void resolvePromise(Vat v, LocalPromise lp, Ref target) {
    if (target == null) {
      trace("  resolve promise to an error");
      lp.node.done = true;
      lp.node.error = true;
      lp.resolver.completeExceptionally(RpcException.failed("promise broken by the fuzzer"));
      return;
    }
    Shadow ts = shadows.get(target.id);
    if (dependsOn(ts, lp.node)) {
      lp.node.done = true;
      lp.node.error = true;
      if (ts.answer == lp.node) {
        trace("  resolve promise to itself");
        lp.resolver.complete(target.cap.dup());
      } else {
        trace("  resolve promise: a cycle, resolved to an error");
        lp.resolver.completeExceptionally(RpcException.failed("promise cycle avoided"));
      }
      return;
    }
    trace("  resolve promise to ref " + target.id);
    lp.node.fields[0] = ts;
    lp.node.done = true;
    lp.resolver.complete(target.cap.dup());
  }

  private void put(Vat v, Shadow s, Capability cap) {
    int i = in.next(CAP_SLOTS);
    if (v.caps[i] != null) {
      v.caps[i].cap.close();
    }
    int id = refs++;
    shadows.put(id, s);
    v.caps[i] = new Ref(cap, id);
    trace("  slot " + i + " = ref " + id + " " + cap);
  }

  private Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> newCall(Vat v, Ref target,
      AnswerNode node) {
    int answerId = answerIds++;
    nodes.put(answerId, node);
    node.target = shadows.get(target.id);
    node.askedBy = v.index;
    int seq = nextSeq.merge(target.id, 1, Integer::sum);
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = target.cap.newCall(IFACE, 0);
    AnyStruct.Builder s = r.getParams().initAs(AnyStruct.factory(PARAMS));
    int nargs = in.next(3);
    int[] args = {-1, -1};
    for (int i = 0; i < nargs; i++) {
      Ref a = v.caps[in.next(CAP_SLOTS)];
      if (a != null) {
        args[i] = a.id;
        a.cap.writeTo(s.getPointer(1 + i));
      }
    }
    s.getPointer(0).setAs(Text.FACTORY, new Text.Reader(target.id + ":" + seq + ":" + answerId
        + ":" + args[0] + ":" + args[1]));
    return r;
  }

  private void call(Vat v, Ref target, int slot) {
    AnswerNode node = new AnswerNode();
    Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = newCall(v, target, node);
    trace("  call on ref " + target.id + " -> question slot " + slot);
    Question q = new Question(r.send(), node);
    drop(v.questions[slot]);
    v.questions[slot] = q;
  }

  private static void drop(Question q) {
    if (q == null) {
      return;
    }
    if (!q.promise.cancel(false) && q.promise.isDone() && !q.promise.isCompletedExceptionally()) {
      q.promise.join().close();
    }
  }

  /** Answers a pending call: 0 with capabilities, 1 with an error, 2 by a tail call. */
  private void answer(Vat v, Pending p, int how) {
    trace("  answer " + how);
    if (how == 2) {
      Ref target = v.caps[in.next(CAP_SLOTS)];
      if (target != null) {
        Shadow ts = shadows.get(target.id);
        if (dependsOn(ts, p.node) && !(ts.answer == p.node && p.node.askedBy == v.index)) {
          // A promise cycle: the answer would wait on itself. Within one vat the RPC core breaks
          // the direct case (a tail call on the call's own pipelined result, asked by this vat:
          // "Attempt to create a cycle"); across vats no implementation can see the cycle (no
          // hop count, no distributed cycle detection in the protocol, rpc.c++ neither), and
          // every call on it, even canceled ones, is forwarded from vat to vat forever, its
          // Finish one hop behind. Such inputs are answered with an error instead.
          trace("  (tail call would make a promise cycle: answered with an error)");
          answer(v, p, 1);
          return;
        }
        AnswerNode tail = new AnswerNode();
        Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> r = newCall(v, target, tail);
        p.node.alias = tail;
        // as a handler would, on the object's loop: a tail call made from another thread is
        // ordered on the object's loop, so a later call this thread makes on the same
        // capability could overtake it (see docs/FUZZING.md, known limitations)
        CompletionStage<Void> s = onLoop(p.home, () -> p.ctx.tailCall(r));
        s.whenComplete((x, e) -> {
          if (e != null) {
            p.done.completeExceptionally(e);
          } else {
            p.done.complete(null);
          }
        });
        return;
      }
      how = 1;
    }
    if (how == 1) {
      p.node.done = true;
      p.node.error = true;
      p.done.completeExceptionally(RpcException.failed("answered with an error"));
      return;
    }
    AnyStruct.Builder out = p.ctx.getResults().initAs(AnyStruct.factory(PARAMS));
    out.getPointer(0).setAs(Text.FACTORY, new Text.Reader("result"));
    int n = in.next(3);
    for (int i = 1; i <= n; i++) {
      Ref c = v.caps[in.next(CAP_SLOTS)];
      if (c != null) {
        c.cap.writeTo(out.getPointer(i));
        p.node.fields[i] = shadows.get(c.id);
      }
    }
    p.node.done = true;
    p.done.complete(null);
  }

  /** A call arrived at {@code o}: check its target and order, keep its capabilities. */
  synchronized CompletionStage<Void> received(Obj o,
      CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx) {
    AnyStruct.Reader params = ctx.getParams().getAs(AnyStruct.FACTORY);
    String[] parts = params.getPointer(0).getAs(Text.FACTORY).toString().split(":");
    int refId = Integer.parseInt(parts[0]);
    int seq = Integer.parseInt(parts[1]);
    AnswerNode node = nodes.get(Integer.parseInt(parts[2]));
    node.arrived = true;
    Obj expected = resolve(shadows.get(refId));
    if (expected != o) {
      findings.add("call " + seq + " on ref " + refId + " reached " + o + ", the shadow graph says "
          + expected);
    }
    Integer last = o.lastSeq.put(refId, seq);
    if (last != null && last >= seq) {
      findings.add("E-order: call " + seq + " on ref " + refId + " reached " + o
          + " after call " + last);
    }
    Vat v = vats.get(o.vat);
    for (int i = 0; i < 2; i++) {
      int argRef = Integer.parseInt(parts[3 + i]);
      AnyPointer.Reader p = params.getPointer(1 + i);
      if (argRef >= 0 && !p.isNull()) {
        Capability c = Capability.fromPointer(p);
        int id = refs++;
        shadows.put(id, shadows.get(argRef));
        int slot = id % CAP_SLOTS;
        if (v.caps[slot] != null) {
          v.caps[slot].cap.close();
        }
        v.caps[slot] = new Ref(c, id);
      }
    }
    ctx.releaseParams();
    Pending p = new Pending(ctx, node, EventLoop.current());
    int slot = v.nextPending++ % PENDING_SLOTS;
    Pending old = v.pending[slot];
    v.pending[slot] = p;
    if (old != null) {
      answer(v, old, 1);
    }
    return p.done;
  }

  static String summary(dev.capnp.runtime.MessageReader m) {
    dev.capnp.rpc.proto.Rpc.Message.Reader msg = m.getRoot(dev.capnp.rpc.proto.Rpc.Message.FACTORY);
    switch (msg.which()) {
      case CALL:
        return "call q" + msg.getCall().getQuestionId() + " caps "
            + msg.getCall().getParams().getCapTable().size()
            + (msg.getCall().getTarget().isPromisedAnswer() ? " ->pa"
                + msg.getCall().getTarget().getPromisedAnswer().getQuestionId()
                : " ->imp" + msg.getCall().getTarget().getImportedCap())
            + (msg.getCall().getSendResultsTo().isYourself() ? " yourself" : "");
      case DISEMBARGO:
        return "disembargo " + msg.getDisembargo().getContext().which() + " "
            + (msg.getDisembargo().getTarget().isPromisedAnswer() ? "pa"
                + msg.getDisembargo().getTarget().getPromisedAnswer().getQuestionId()
                : "imp" + msg.getDisembargo().getTarget().getImportedCap());
      case RETURN:
        return "return a" + msg.getReturn().getAnswerId() + " " + msg.getReturn().which();
      case FINISH:
        return "finish q" + msg.getFinish().getQuestionId();
      case RELEASE:
        return "release " + msg.getRelease().getId() + "x" + msg.getRelease().getReferenceCount();
      case RESOLVE: {
        dev.capnp.rpc.proto.Rpc.Resolve.Reader r = msg.getResolve();
        if (!r.isCap()) {
          return "resolve " + r.getPromiseId() + " to an exception";
        }
        dev.capnp.rpc.proto.Rpc.CapDescriptor.Reader d = r.getCap();
        String to;
        switch (d.which()) {
          case SENDER_HOSTED:
            to = "senderHosted " + d.getSenderHosted();
            break;
          case SENDER_PROMISE:
            to = "senderPromise " + d.getSenderPromise();
            break;
          case RECEIVER_HOSTED:
            to = "receiverHosted " + d.getReceiverHosted();
            break;
          case RECEIVER_ANSWER:
            to = "receiverAnswer " + d.getReceiverAnswer().getQuestionId();
            break;
          default:
            to = d.which().toString();
        }
        return "resolve " + r.getPromiseId() + " to " + to;
      }
      default:
        return msg.which().toString();
    }
  }

  // ================================================================================= end

  private void finish() {
    synchronized (this) {
      for (Vat v : vats) {
        for (int i = 0; i < CAP_SLOTS; i++) {
          if (v.caps[i] != null) {
            v.caps[i].cap.close();
            v.caps[i] = null;
          }
        }
        for (int i = 0; i < QUESTION_SLOTS; i++) {
          drop(v.questions[i]);
          v.questions[i] = null;
        }
      }
    }
    for (int round = 0; round < 1000; round++) {
      int n = 0;
      if (threaded) {
        settle();
      } else {
        n += loop.runPending();
        for (int wi = 0; wi < wires.size(); wi++) {
          InMemoryTransport w = wires.get(wi);
          if (TRACE) {
            for (dev.capnp.runtime.MessageReader m : w.pending()) {
              trace("  drain wire " + wi + ": " + summary(m));
            }
          }
          n += w.deliverAll();
        }
        n += loop.runPending();
      }
      synchronized (this) {
        for (Vat v : vats) {
          for (int i = 0; i < PENDING_SLOTS; i++) {
            if (v.pending[i] != null) {
              Pending p = v.pending[i];
              v.pending[i] = null;
              answer(v, p, 1);
              n++;
            }
          }
          for (int i = 0; i < PROMISE_SLOTS; i++) {
            if (v.promises[i] != null) {
              resolvePromise(v, v.promises[i], null);
              v.promises[i] = null;
              n++;
            }
          }
          // capabilities received by calls during the drain
          for (int i = 0; i < CAP_SLOTS; i++) {
            if (v.caps[i] != null) {
              v.caps[i].cap.close();
              v.caps[i] = null;
              n++;
            }
          }
        }
      }
      if (n == 0) {
        break;
      }
    }
    check();
    for (RpcConnection c : conns) {
      if (!c.tablesEmpty()) {
        StringBuilder sb = new StringBuilder("tables not empty at the end:\n");
        for (RpcConnection d : conns) {
          sb.append(d.dumpTables());
        }
        throw new AssertionError(sb.toString());
      }
    }
    for (RpcConnection c : conns) {
      c.close();
    }
    if (threaded) {
      settle();
    } else {
      loop.runPending();
      for (InMemoryTransport w : wires) {
        w.deliverAll();
      }
      loop.runPending();
    }
    if (uncaught() != 0) {
      throw new AssertionError(uncaught() + " uncaught exceptions on the loops");
    }
  }
}
