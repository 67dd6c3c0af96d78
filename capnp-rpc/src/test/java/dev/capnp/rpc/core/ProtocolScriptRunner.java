package dev.capnp.rpc.core;

import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.ConnectionLimits;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.core.ProtocolScriptFormat.Tokens;
import dev.capnp.rpc.core.TestSupport.Recorder;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Text;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one protocol script (the language is described in {@code ProtocolScriptTest}) against a
 * fresh {@link dev.capnp.rpc.RpcConnection} driven by a raw peer ({@link RawPeerHarness}) on
 * its own manual loop. Every line runs to quiescence before the next; a failed expectation
 * throws an {@link AssertionError} naming the script line, what was expected, what happened,
 * and the transcript so far.
 */
final class ProtocolScriptRunner {
  /** The raw peer, used as a plain object with the script's own loop. */
  private static final class Peer extends RawPeerHarness {
  }

  /** A call an object of behaviour {@code hold} has not answered yet. */
  private record Held(CallContext<AnyPointer.Reader, AnyPointer.Builder> ctx, String msg,
      CompletableFuture<Void> done) {
  }

  private final String name;
  private final Peer peer = new Peer();
  private final long liveBefore = Capability.liveReferenceCount();
  private ConnectionLimits limits = ConnectionLimits.DEFAULT;
  /** Set by {@code vat level3}: the connection's stub Level 3 network. */
  private StubNetwork level3;
  private final Map<String, Recorder> objects = new LinkedHashMap<>();
  private final Map<String, Integer> callsSeen = new LinkedHashMap<>();
  private final Map<String, Deque<Held>> held = new LinkedHashMap<>();
  private final Map<String, Capability> caps = new LinkedHashMap<>();
  private final Map<String, ResponsePromise<AnyPointer.Reader, Pipeline>> calls =
      new LinkedHashMap<>();
  private final Map<String, CompletableFuture<Capability>> promises = new LinkedHashMap<>();
  private final List<String> transcript = new ArrayList<>();
  private int consumed;
  private int shown;
  private int lineNo;
  private boolean tornDown;

  ProtocolScriptRunner(String name) {
    this.name = name;
  }

  /** Runs the script {@code text}; throws {@link AssertionError} at the first failure. */
  void run(String text) {
    peer.loop = EventLoop.manual();
    try {
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        lineNo = i + 1;
        String line = stripComment(lines[i]).trim();
        if (line.isEmpty()) {
          continue;
        }
        if (tornDown) {
          fail("nothing may follow 'expect no leaks'");
        }
        transcript.add(String.format("%4d  %s", lineNo, line));
        try {
          execute(line);
        } catch (IllegalArgumentException e) {
          fail("cannot read this line: " + e.getMessage());
        }
        settle();
      }
      lineNo = lines.length;
      if (peer.conn != null) {
        expectNoMoreMessages();
      }
      objects.keySet().forEach(o -> expectNoMoreCalls(o));
      if (!tornDown) {
        expectNoLeaks();
      }
    } finally {
      if (!tornDown) {
        teardown();
      }
      peer.loop.close();
    }
  }

  /** The line without its comment: from a {@code #} followed by white space (outside quotes). */
  static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && quoted) {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted
          && (i + 1 == line.length() || Character.isWhitespace(line.charAt(i + 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private void settle() {
    if (peer.conn != null) {
      peer.run();
    } else {
      peer.loop.runPending();
    }
    while (shown < peer.received.size()) {
      transcript.add("        vat sent: " + actual(shown++));
    }
  }

  private String actual(int i) {
    return ProtocolScriptFormat.summarize(peer.received.get(i).getRoot(Rpc.Message.FACTORY));
  }

  private AssertionError failure(String problem) {
    return new AssertionError(name + ":" + lineNo + ": " + problem + "\ntranscript so far:\n"
        + String.join("\n", transcript));
  }

  private void fail(String problem) {
    throw failure(problem);
  }

  private void execute(String line) {
    if (line.startsWith("peer>")) {
      String msg = line.substring(5).trim();
      ProtocolScriptFormat.build(msg, new MessageBuilder().initRoot(Rpc.Message.FACTORY));
      connection();
      peer.peerSends(m -> ProtocolScriptFormat.build(msg, m));
      return;
    }
    if (line.startsWith("vat>")) {
      expectMessage(line.substring(4).trim());
      return;
    }
    Tokens t = new Tokens(line);
    String w = t.word();
    switch (w) {
      case "object":
        object(t);
        break;
      case "vat":
        vat(t);
        break;
      case "local":
        local(t);
        break;
      case "expect":
        expect(t);
        break;
      default:
        throw new IllegalArgumentException("a line starts with peer>, vat>, object, vat, local"
            + " or expect, not '" + w + "'");
    }
    t.end();
  }

  private dev.capnp.rpc.RpcConnection connection() {
    if (peer.conn == null) {
      throw new IllegalArgumentException("no connection yet: start it with 'vat serves ...'");
    }
    return peer.conn;
  }

  private void expectMessage(String expectedLine) {
    MessageBuilder mb = new MessageBuilder();
    ProtocolScriptFormat.build(expectedLine, mb.initRoot(Rpc.Message.FACTORY));
    String expected = ProtocolScriptFormat.summarize(mb.getRoot(Rpc.Message.FACTORY).asReader());
    connection();
    if (consumed >= peer.received.size()) {
      fail("the vat sent no further message\n  expected: " + expected + "\n  actual:   nothing");
    }
    String actual = actual(consumed);
    if (!ProtocolScriptFormat.matches(expected, actual)) {
      fail("the vat's next message differs\n  expected: " + expected + "\n  actual:   " + actual);
    }
    consumed++;
  }

  // ============================================================================== setup

  private void object(Tokens t) {
    String obj = t.word();
    Recorder r = new Recorder(obj);
    String behaviour = t.atEnd() ? "echo" : t.word();
    switch (behaviour) {
      case "echo":
        break;
      case "hold": {
        Deque<Held> queue = new ArrayDeque<>();
        held.put(obj, queue);
        r.handler = ctx -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          queue.add(new Held(ctx, TestSupport.text(ctx.getParams(), 0), done));
          return done;
        };
        break;
      }
      case "fails": {
        String reason = t.string();
        r.handler = ctx -> CompletableFuture.failedFuture(RpcException.failed(reason));
        break;
      }
      case "gives": {
        String given = t.word();
        r.handler = ctx -> {
          String msg = TestSupport.text(ctx.getParams(), 0);
          ctx.releaseParams();
          AnyStruct.Builder out = ctx.getResults().initAs(AnyStruct.factory(TestSupport.PARAMS));
          out.getPointer(0).setAs(Text.FACTORY, new Text.Reader("got:" + msg));
          cap(given).writeTo(out.getPointer(1));
          return Server.done();
        };
        break;
      }
      case "tailcalls":
        r.handler = ctx -> {
          String msg = TestSupport.text(ctx.getParams(), 0);
          try (Capability next = SeedScenariosTest.param(ctx, 1)) {
            ctx.releaseParams();
            return ctx.tailCall(TestSupport.call(next, msg));
          }
        };
        break;
      default:
        throw new IllegalArgumentException("an object's behaviour is echo, hold, fails \"..\","
            + " gives CAP or tailcalls, not '" + behaviour + "'");
    }
    define(obj);
    objects.put(obj, r);
    callsSeen.put(obj, 0);
    caps.put(obj, Capability.of(r));
  }

  private void vat(Tokens t) {
    String w = t.word();
    if (w.equals("level3")) {
      if (peer.conn != null) {
        throw new IllegalArgumentException("vat level3 comes before vat serves");
      }
      level3 = new StubNetwork();
    } else if (w.equals("limits")) {
      while (!t.atEnd()) {
        String[] kv = t.word().split("=", 2);
        int v = Integer.parseInt(kv[1]);
        switch (kv[0]) {
          case "maxAnswers" -> limits = limits.withMaxAnswers(v);
          case "maxImports" -> limits = limits.withMaxImports(v);
          case "maxExports" -> limits = limits.withMaxExports(v);
          case "maxCapTableEntries" -> limits = limits.withMaxCapTableEntries(v);
          case "maxBytesInFlight" -> limits = limits.withMaxBytesInFlight(v);
          default -> throw new IllegalArgumentException("unknown limit '" + kv[0] + "'");
        }
      }
    } else if (w.equals("serves")) {
      if (peer.conn != null) {
        throw new IllegalArgumentException("the vat is already connected");
      }
      String served = t.word();
      peer.connect(served.equals("nothing") ? null : cap(served).dup(), limits, level3);
    } else if (w.equals("disconnects")) {
      connection().disconnect(RpcException.failed(t.string()));
    } else {
      throw new IllegalArgumentException("vat level3, vat limits, vat serves or vat disconnects,"
          + " not " + w);
    }
  }

  // ===================================================================== local actions

  private void local(Tokens t) {
    String subject = t.word();
    String verb = t.word();
    switch (verb) {
      case "=":
        assign(subject, t);
        break;
      case "resolves": {
        t.expect("to");
        promise(subject).complete(cap(t.word()).dup());
        break;
      }
      case "breaks":
        promise(subject).completeExceptionally(RpcException.failed(t.string()));
        break;
      case "drop":
        drop(subject);
        break;
      case "got": {
        String msg = t.string();
        List<String> log = recorder(subject).log;
        int seen = callsSeen.get(subject);
        if (seen >= log.size()) {
          fail(subject + " received no further call\n  expected: " + ProtocolScriptFormat.quote(
              msg) + "\n  actual:   nothing");
        }
        if (!log.get(seen).equals(msg)) {
          fail(subject + "'s next call differs\n  expected: " + ProtocolScriptFormat.quote(msg)
              + "\n  actual:   " + ProtocolScriptFormat.quote(log.get(seen)));
        }
        callsSeen.put(subject, seen + 1);
        break;
      }
      case "answers":
      case "fails": {
        Deque<Held> queue = held.get(subject);
        if (queue == null || queue.isEmpty()) {
          fail(subject + " holds no call to answer");
        }
        Held h = queue.poll();
        if (h.ctx().isCanceled()) {
          h.done().complete(null); // (a canceled call's params and results are gone)
        } else if (verb.equals("fails")) {
          h.done().completeExceptionally(RpcException.failed(t.string()));
        } else {
          TestSupport.echo(h.ctx(), "got:" + h.msg());
          h.done().complete(null);
        }
        break;
      }
      default:
        throw new IllegalArgumentException("unknown local action '" + verb + "'");
    }
  }

  private void assign(String var, Tokens t) {
    define(var);
    String what = t.word();
    if (what.equals("bootstrap")) {
      caps.put(var, connection().bootstrap());
    } else if (what.equals("promise")) {
      CompletableFuture<Capability> f = new CompletableFuture<>();
      promises.put(var, f);
      caps.put(var, Capability.promise(f));
    } else if (what.equals("broken")) {
      caps.put(var, Capability.broken(RpcException.failed(t.string())));
    } else if (what.equals("call")) {
      Capability target = cap(t.word());
      String msg = t.string();
      List<Capability> args = new ArrayList<>();
      while (!t.atEnd()) {
        args.add(cap(t.word()));
      }
      calls.put(var, TestSupport.call(target, msg, args.toArray(new Capability[0])).send());
    } else if (what.contains(".")) {
      String[] parts = what.split("\\.", 2);
      caps.put(var, call(parts[0]).getPipelinedCap(Integer.parseInt(parts[1])));
    } else {
      throw new IllegalArgumentException("local VAR = bootstrap | promise | broken \"..\" |"
          + " call CAP \"msg\" CAP.. | CALL.N, not '" + what + "'");
    }
  }

  private void drop(String var) {
    if (calls.containsKey(var)) {
      closeCall(calls.remove(var));
    } else if (caps.containsKey(var)) {
      caps.remove(var).close();
    } else {
      throw new IllegalArgumentException("nothing named '" + var + "' to drop");
    }
  }

  private static void closeCall(ResponsePromise<AnyPointer.Reader, Pipeline> c) {
    if (!c.isDone()) {
      c.cancel(false);
    } else if (!c.isCompletedExceptionally()) {
      c.join().close();
    }
  }

  private void define(String var) {
    if (caps.containsKey(var) || calls.containsKey(var)) {
      throw new IllegalArgumentException("'" + var + "' is already defined");
    }
  }

  private Capability cap(String var) {
    Capability c = caps.get(var);
    if (c == null) {
      throw new IllegalArgumentException("no capability named '" + var + "'");
    }
    return c;
  }

  private ResponsePromise<AnyPointer.Reader, Pipeline> call(String var) {
    ResponsePromise<AnyPointer.Reader, Pipeline> c = calls.get(var);
    if (c == null) {
      throw new IllegalArgumentException("no call named '" + var + "'");
    }
    return c;
  }

  private CompletableFuture<Capability> promise(String var) {
    CompletableFuture<Capability> f = promises.get(var);
    if (f == null) {
      throw new IllegalArgumentException("no promise named '" + var + "'");
    }
    return f;
  }

  private Recorder recorder(String var) {
    Recorder r = objects.get(var);
    if (r == null) {
      throw new IllegalArgumentException("no object named '" + var + "'");
    }
    return r;
  }

  // ====================================================================== expectations

  private void expect(Tokens t) {
    String w = t.word();
    switch (w) {
      case "no": {
        String what = t.word();
        if (what.equals("more")) {
          t.expect("messages");
          expectNoMoreMessages();
        } else if (what.equals("leaks")) {
          expectNoLeaks();
        } else {
          throw new IllegalArgumentException("expect no more messages | no leaks");
        }
        break;
      }
      case "tables":
        expectTables(t);
        break;
      case "invariants": {
        String bad = connection().checkInvariants();
        if (bad != null) {
          fail("invariant broken: " + bad);
        }
        if (peer.loop.uncaughtExceptions() != 0) {
          fail(peer.loop.uncaughtExceptions() + " uncaught exceptions on the loop");
        }
        break;
      }
      case "connected":
        if (connection().disconnectReason() != null) {
          fail("the connection is disconnected: " + connection().disconnectReason());
        }
        break;
      case "aborted": {
        String prefix = t.string();
        RpcException reason = connection().disconnectReason();
        if (reason == null || !reason.getReason().startsWith(prefix)) {
          fail("expected the connection aborted with \"" + prefix + "...\"\n  actual:   "
              + (reason == null ? "connected" : ProtocolScriptFormat.quote(reason.getReason())));
        }
        break;
      }
      default:
        expectOn(w, t);
    }
  }

  private void expectOn(String subject, Tokens t) {
    String state = t.word();
    String got;
    String wanted = state;
    if (state.equals("released") || state.equals("alive")) {
      got = recorder(subject).released ? "released" : "alive";
    } else if (state.equals("canceled")) {
      Deque<Held> queue = held.get(subject);
      got = queue == null || queue.isEmpty() ? "holding no call"
          : queue.peek().ctx().isCanceled() ? "canceled" : "running";
    } else if (state.equals("broken")) {
      String prefix = t.string();
      wanted = "broken \"" + prefix + "...\"";
      RpcException p = cap(subject).problem();
      got = p == null ? "not broken" : "broken " + ProtocolScriptFormat.quote(p.getMessage());
      if (p != null && p.getMessage().startsWith(prefix)) {
        got = wanted;
      }
    } else {
      ResponsePromise<AnyPointer.Reader, Pipeline> c = call(subject);
      got = !c.isDone() ? "pending" : c.isCompletedExceptionally()
          ? "failed " + ProtocolScriptFormat.quote(BasicProtocolTest.catchIt(c).getMessage())
          : "returned " + ProtocolScriptFormat.quote(String.valueOf(returnedText(c.join())));
      if (state.equals("failed") || state.equals("returned")) {
        String text = t.string();
        wanted = state + " " + ProtocolScriptFormat.quote(text);
        if (state.equals("failed") && got.startsWith("failed \"" + text)) {
          got = wanted;
        }
      } else if (!state.equals("pending")) {
        throw new IllegalArgumentException("expect NAME released | alive | canceled |"
            + " broken \"..\" | pending | returned \"..\" | failed \"..\", not '" + state + "'");
      }
    }
    if (!got.equals(wanted)) {
      fail(subject + " is not as expected\n  expected: " + wanted + "\n  actual:   " + got);
    }
  }

  private static String returnedText(Response<AnyPointer.Reader> r) {
    AnyPointer.Reader p = r.get();
    return p.isStruct() ? TestSupport.text(p, 0) : null;
  }

  private void expectTables(Tokens t) {
    dev.capnp.rpc.RpcConnection conn = connection();
    if (t.peekIs("empty")) {
      t.word();
      if (!conn.tablesEmpty()) {
        fail("tables not empty:\n" + conn.dumpTables());
      }
      return;
    }
    String[] names = {"questions", "answers", "imports", "exports", "embargoes"};
    int[] sizes = conn.tableSizes();
    while (!t.atEnd()) {
      String[] kv = t.word().split("=", 2);
      int i = java.util.Arrays.asList(names).indexOf(kv[0]);
      if (i < 0 || kv.length < 2) {
        throw new IllegalArgumentException("expect tables empty | questions=N answers=N"
            + " imports=N exports=N embargoes=N");
      }
      if (sizes[i] != Integer.parseInt(kv[1])) {
        fail("table " + kv[0] + " has " + sizes[i] + " entries, expected " + kv[1] + "\n"
            + conn.dumpTables());
      }
    }
  }

  private void expectNoMoreMessages() {
    if (consumed < peer.received.size()) {
      List<String> extra = new ArrayList<>();
      for (int i = consumed; i < peer.received.size(); i++) {
        extra.add("  " + actual(i));
      }
      fail("the vat sent messages the script does not expect:\n" + String.join("\n", extra));
    }
  }

  private void expectNoMoreCalls(String obj) {
    List<String> log = objects.get(obj).log;
    if (callsSeen.get(obj) < log.size()) {
      fail(obj + " received calls the script does not expect: "
          + log.subList(callsSeen.get(obj), log.size()));
    }
  }

  /** Drops every reference the script holds, closes the connection, checks nothing is left. */
  private void expectNoLeaks() {
    if (peer.conn != null) {
      expectNoMoreMessages();
    }
    teardown();
    long live = Capability.liveReferenceCount();
    if (live > liveBefore) {
      fail((live - liveBefore) + " capability references still live after the script dropped"
          + " everything and closed the connection");
    }
    for (Recorder r : objects.values()) {
      if (!r.released) {
        fail("object " + r.name + " was never released");
      }
    }
  }

  private void teardown() {
    tornDown = true;
    calls.values().forEach(ProtocolScriptRunner::closeCall);
    calls.clear();
    caps.values().forEach(Capability::close);
    caps.clear();
    promises.values().forEach(f -> f.completeExceptionally(RpcException.failed("script ended")));
    held.values().forEach(q -> q.forEach(
        h -> h.done().completeExceptionally(RpcException.failed("script ended"))));
    if (peer.conn != null) {
      peer.conn.close();
      settle();
      consumed = peer.received.size(); // (the Abort of close, if still connected)
    }
    peer.loop.runPending();
  }

  /**
   * The Level 3 network of {@code vat level3}: the peer is the introducer (its {@code Provide})
   * and the recipient (its {@code Accept}) at once, so the vat plays the host. The values are
   * Texts: a {@code Provide.recipient} offers the provided capability under that text, an
   * {@code Accept.provision} of the same text takes it (now, or when the {@code Provide}
   * comes), "garbage" is an unreadable {@code ThirdPartyToAwait}, and an {@code Accept} whose
   * text starts with "none" matches nothing and fails at once. The vat never introduces and
   * cannot dial anyone.
   */
  private static final class StubNetwork implements dev.capnp.rpc.ThirdPartyNetwork {
    private final Map<String, Object> offers = new LinkedHashMap<>();
    private final Map<String, List<CompletableFuture<Object>>> waiting = new LinkedHashMap<>();
    private final java.util.Set<String> withdrawn = new java.util.HashSet<>();

    @Override
    public boolean peerSupportsLevel3(dev.capnp.rpc.RpcConnection connection) {
      return true;
    }

    @Override
    public boolean introduce(dev.capnp.rpc.RpcConnection provider,
        dev.capnp.rpc.RpcConnection recipient, AnyPointer.Builder contact,
        AnyPointer.Builder await) {
      return false;
    }

    @Override
    public java.util.concurrent.CompletionStage<Introduced> connectToIntroduced(
        dev.capnp.rpc.RpcConnection from, AnyPointer.Reader contact) {
      return CompletableFuture.failedFuture(RpcException.disconnected("no one to dial"));
    }

    @Override
    public Runnable awaitThirdParty(dev.capnp.rpc.RpcConnection from, AnyPointer.Reader await,
        Object value) {
      String key = await.getAs(Text.FACTORY).toString();
      if (key.equals("garbage")) {
        throw RpcException.failed("unreadable ThirdPartyToAwait");
      }
      offers.put(key, value);
      List<CompletableFuture<Object>> w = waiting.remove(key);
      if (w != null) {
        w.forEach(f -> f.complete(value));
      }
      return () -> {
        offers.remove(key);
        withdrawn.add(key);
      };
    }

    @Override
    public java.util.concurrent.CompletionStage<Object> completeThirdParty(
        dev.capnp.rpc.RpcConnection from, AnyPointer.Reader completion) {
      String key = completion.getAs(Text.FACTORY).toString();
      if (offers.containsKey(key)) {
        return CompletableFuture.completedFuture(offers.get(key));
      }
      if (withdrawn.contains(key)) {
        return CompletableFuture.failedFuture(RpcException.failed("the provision " + key
            + " was withdrawn"));
      }
      if (key.startsWith("none")) {
        return CompletableFuture.failedFuture(RpcException.failed("no such provision"));
      }
      CompletableFuture<Object> f = new CompletableFuture<>();
      waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
      return f;
    }
  }
}
