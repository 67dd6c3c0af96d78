package dev.capnp.rpc.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.TextList;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The interop scenarios as a Java client runs them against a {@code TestService} (the C++
 * server); the same checks as interop/src/interop-client.c++, under the same names.
 */
final class JavaClientScenarios {
  private static final long TIMEOUT_SECONDS = 20;
  /** How long the server delays the answers that the pipeline scenario pipelines on. */
  private static final int PIPELINE_DELAY_MS = 100;

  /** One scenario against the bootstrap {@code service}; callbacks are served on {@code loop}. */
  @FunctionalInterface
  interface Scenario {
    void run(Interop.TestService.Client service, EventLoop loop) throws Exception;
  }

  /** Every scenario by name, in the C++ client's order. */
  static final Map<String, Scenario> ALL = new LinkedHashMap<>();

  static {
    ALL.put("bootstrap", JavaClientScenarios::bootstrap);
    ALL.put("calls", JavaClientScenarios::calls);
    ALL.put("callback", JavaClientScenarios::callback);
    ALL.put("hold", JavaClientScenarios::hold);
    ALL.put("pipeline", JavaClientScenarios::pipeline);
    ALL.put("embargo-return", JavaClientScenarios::embargoReturn);
    ALL.put("embargo-resolve", JavaClientScenarios::embargoResolve);
    ALL.put("tail-call", JavaClientScenarios::tailCall);
    ALL.put("cancel", JavaClientScenarios::cancel);
    ALL.put("early-finish", JavaClientScenarios::earlyFinish);
    ALL.put("exceptions", JavaClientScenarios::exceptions);
    ALL.put("big", JavaClientScenarios::big);
    ALL.put("ordering", JavaClientScenarios::ordering);
    ALL.put("streaming", JavaClientScenarios::streaming);
  }

  private JavaClientScenarios() {}

  static <T> T await(Future<T> future, String what) throws Exception {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": no answer within " + TIMEOUT_SECONDS + " s", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  static String echo(Interop.TestService.Client service, String text) throws Exception {
    var request = service.echoRequest();
    request.getParams().setText(text);
    try (var response = await(request.send(), "echo")) {
      return response.get().getText().toString();
    }
  }

  static void bootstrap(Interop.TestService.Client service, EventLoop loop) throws Exception {
    assertThat(echo(service, "hello")).isEqualTo("hello");
  }

  static void calls(Interop.TestService.Client service, EventLoop loop) throws Exception {
    assertThat(echo(service, "")).isEqualTo("");
    String unicode = "grüß dich ✓";
    assertThat(echo(service, unicode)).isEqualTo(unicode);
    var add = service.addRequest();
    add.getParams().setA(1L << 40);
    add.getParams().setB(-5);
    try (var response = await(add.send(), "add")) {
      assertThat(response.get().getSum()).isEqualTo((1L << 40) - 5);
    }
    List<CompletableFuture<String>> pending = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      var request = service.echoRequest();
      request.getParams().setText("m" + i);
      pending.add(request.send().thenApply(r -> {
        try (r) {
          return r.get().getText().toString();
        }
      }));
    }
    for (int i = 0; i < 50; i++) {
      assertThat(await(pending.get(i), "echo " + i)).isEqualTo("m" + i);
    }
    // the same with listeners (Request.send(ResponseListener): no promise, no pipeline; the
    // question entries and their results objects are reused by the later calls)
    List<CompletableFuture<String>> listened = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      var request = service.echoRequest();
      request.getParams().setText("l" + i);
      CompletableFuture<String> f = new CompletableFuture<>();
      request.send((r, e) -> {
        if (e != null) {
          f.completeExceptionally(e);
        } else {
          f.complete(r.get().getText().toString());
        }
      });
      listened.add(f);
      if (i % 10 == 9) { // (some in flight together, some one after another)
        assertThat(await(f, "listened echo " + i)).isEqualTo("l" + i);
      }
    }
    for (int i = 0; i < 50; i++) {
      assertThat(await(listened.get(i), "listened echo " + i)).isEqualTo("l" + i);
    }
  }

  static void callback(Interop.TestService.Client service, EventLoop loop) throws Exception {
    RecordingCallback stats = new RecordingCallback();
    try (var cb = new Interop.Callback.Client(Capability.of(stats, loop))) {
      var request = service.callBackRequest();
      request.getParams().setCb(cb);
      request.getParams().setText("hi");
      request.getParams().setTimes(3);
      try (var response = await(request.send(), "callBack")) {
        TextList.Reader texts = response.get().getTexts();
        assertThat(texts.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
          assertThat(texts.get(i).toString()).isEqualTo("cb:hi#" + i);
        }
      }
    }
    assertThat(stats.calls()).isEqualTo(3);
    assertThat(stats.firstViolation()).isNull();
  }

  static void hold(Interop.TestService.Client service, EventLoop loop) throws Exception {
    RecordingCallback stats = new RecordingCallback();
    try (var cb = new Interop.Callback.Client(Capability.of(stats, loop))) {
      var request = service.holdRequest();
      request.getParams().setCb(cb);
      await(request.send(), "hold").close();
    }
    var callHeld = service.callHeldRequest();
    callHeld.getParams().setSeq(7);
    callHeld.getParams().setText("later");
    try (var response = await(callHeld.send(), "callHeld")) {
      assertThat(response.get().getText().toString()).isEqualTo("cb:later");
    }
    assertThat(stats.calls()).isEqualTo(1);
    assertThat(stats.released()).as("released while the server still holds it").isNotDone();
    await(service.releaseHeldRequest().send(), "releaseHeld").close();
    await(stats.released(), "release of our callback after releaseHeld");
  }

  static void pipeline(Interop.TestService.Client service, EventLoop loop) throws Exception {
    var getCallee = service.getCalleeRequest();
    getCallee.getParams().setName("a");
    getCallee.getParams().setDelayMs(PIPELINE_DELAY_MS);
    var calleePromise = getCallee.send();
    try (var callee = calleePromise.pipeline().getCallee()) {
      var echoRequest = callee.echoRequest();
      echoRequest.getParams().setText("x");
      var echoPromise = echoRequest.send();

      var childRequest = callee.childRequest();
      childRequest.getParams().setName("b");
      var childPromise = childRequest.send();
      try (var child = childPromise.pipeline().getChild()) {
        var childEcho = child.echoRequest();
        childEcho.getParams().setText("y");
        var childEchoPromise = childEcho.send();
        var childNamePromise = child.nameRequest().send();

        var getHolder = service.getHolderRequest();
        getHolder.getParams().setName("h");
        getHolder.getParams().setDelayMs(PIPELINE_DELAY_MS);
        var holderPromise = getHolder.send();
        try (var holderCallee = holderPromise.pipeline().getHolder().getInner().getCallee()) {
          var holderEcho = holderCallee.echoRequest();
          holderEcho.getParams().setText("z");
          var holderEchoPromise = holderEcho.send();

          // Nothing awaited so far: every call above went out before any answer.
          try (var r = await(echoPromise, "pipelined echo")) {
            assertThat(r.get().getText().toString()).isEqualTo("a:x");
          }
          try (var r = await(childEchoPromise, "pipelined child echo")) {
            assertThat(r.get().getText().toString()).isEqualTo("a/b:y");
          }
          try (var r = await(childNamePromise, "pipelined child name")) {
            assertThat(r.get().getName().toString()).isEqualTo("a/b");
          }
          try (var r = await(holderEchoPromise, "pipelined holder echo")) {
            assertThat(r.get().getText().toString()).isEqualTo("h:z");
          }
          try (var r = await(holderPromise, "getHolder")) {
            assertThat(r.get().getHolder().getLabel().toString()).isEqualTo("h");
          }
        }
        await(childPromise, "child").close();
      }
      await(calleePromise, "getCallee").close();
      // The resolved capability still works directly.
      try (var r = await(callee.nameRequest().send(), "name")) {
        assertThat(r.get().getName().toString()).isEqualTo("a");
      }
    }
  }

  /** Sends cb.call(seq, "t" + seq) and adds the check of its answer to {@code out}. */
  private static void callCb(Interop.Callback.Client cb, int seq,
      List<CompletableFuture<Void>> out) {
    var request = cb.callRequest();
    request.getParams().setSeq(seq);
    request.getParams().setText("t" + seq);
    out.add(request.send().thenAccept(response -> {
      try (response) {
        assertThat(response.get().getSeq()).isEqualTo(seq);
        assertThat(response.get().getText().toString()).isEqualTo("cb:t" + seq);
      }
    }));
  }

  private static void awaitAll(List<CompletableFuture<Void>> calls, String what) throws Exception {
    await(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)), what);
  }

  static void embargoReturn(Interop.TestService.Client service, EventLoop loop) throws Exception {
    RecordingCallback stats = new RecordingCallback();
    try (var cb = new Interop.Callback.Client(Capability.of(stats, loop))) {
      var request = service.reflectRequest();
      request.getParams().setCb(cb);
      var reflected = request.send();
      try (var promised = reflected.pipeline().getCb()) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        int seq = 0;
        for (; seq < 50; seq++) {
          callCb(promised, seq, calls); // pipelined: via the server and back
        }
        await(reflected, "reflect").close();
        for (; seq < 100; seq++) {
          callCb(promised, seq, calls); // after the answer: embargoed until earlier calls are in
        }
        awaitAll(calls, "calls on the reflected capability");
        await(promised.whenResolved(), "resolution");
        List<CompletableFuture<Void>> more = new ArrayList<>();
        for (; seq < 120; seq++) {
          callCb(promised, seq, more);
        }
        awaitAll(more, "calls after the embargo");
      }
    }
    assertThat(stats.firstViolation()).isNull();
    assertThat(stats.calls()).isEqualTo(120);
  }

  static void embargoResolve(Interop.TestService.Client service, EventLoop loop) throws Exception {
    RecordingCallback stats = new RecordingCallback();
    try (var cb = new Interop.Callback.Client(Capability.of(stats, loop))) {
      var request = service.promiseCallbackRequest();
      request.getParams().setCb(cb);
      try (var response = await(request.send(), "promiseCallback");
          var promise = response.get().getCb()) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        int seq = 0;
        for (; seq < 20; seq++) {
          callCb(promise, seq, calls); // queue at the server
        }
        var resolved = service.resolvePromiseRequest().send();
        for (; seq < 40; seq++) {
          callCb(promise, seq, calls); // race the Resolve
        }
        await(resolved, "resolvePromise").close();
        for (; seq < 60; seq++) {
          callCb(promise, seq, calls);
        }
        awaitAll(calls, "calls on the promised capability");
        await(promise.whenResolved(), "resolution");
        List<CompletableFuture<Void>> more = new ArrayList<>();
        for (; seq < 80; seq++) {
          callCb(promise, seq, more);
        }
        awaitAll(more, "calls after resolution");
      }
    }
    assertThat(stats.firstViolation()).isNull();
    assertThat(stats.calls()).isEqualTo(80);
  }

  static void tailCall(Interop.TestService.Client service, EventLoop loop) throws Exception {
    RecordingCallback stats = new RecordingCallback();
    try (var cb = new Interop.Callback.Client(Capability.of(stats, loop))) {
      var request = service.forwardRequest();
      request.getParams().setCb(cb);
      request.getParams().setSeq(42);
      request.getParams().setText("tail");
      try (var response = await(request.send(), "forward")) {
        assertThat(response.get().getText().toString()).isEqualTo("cb:tail");
        assertThat(response.get().getSeq()).isEqualTo(42);
      }
      assertThat(stats.calls()).isEqualTo(1);

      var local = service.forwardLocalRequest();
      local.getParams().setText("x");
      try (var response = await(local.send(), "forwardLocal")) {
        assertThat(response.get().getText().toString()).isEqualTo("local:x");
      }

      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (int i = 100; i < 120; i++) {
        int seq = i;
        var r = service.forwardRequest();
        r.getParams().setCb(cb);
        r.getParams().setSeq(seq);
        r.getParams().setText("t" + seq);
        pending.add(r.send().thenAccept(response -> {
          try (response) {
            assertThat(response.get().getSeq()).isEqualTo(seq);
            assertThat(response.get().getText().toString()).isEqualTo("cb:t" + seq);
          }
        }));
      }
      awaitAll(pending, "20 tail calls");
    }
    assertThat(stats.calls()).isEqualTo(21);
  }

  private static boolean wasCanceled(Interop.TestService.Client service, int id) throws Exception {
    var request = service.wasCanceledRequest();
    request.getParams().setId(id);
    try (var response = await(request.send(), "wasCanceled")) {
      return response.get().getCanceled();
    }
  }

  static void cancel(Interop.TestService.Client service, EventLoop loop) throws Exception {
    int id = 1001;
    var slow = service.slowRequest();
    slow.getParams().setId(id);
    ResponsePromise<?, ?> promise = slow.send();
    // E-order: once echo answers, the slow call has reached the server.
    assertThat(echo(service, "after slow")).isEqualTo("after slow");
    assertThat(wasCanceled(service, id)).as("canceled before we canceled it").isFalse();
    assertThat(promise.cancel(false)).isTrue();
    boolean canceled = false;
    for (int i = 0; i < 500 && !(canceled = wasCanceled(service, id)); i++) {
      Thread.sleep(10);
    }
    assertThat(canceled).as("the server saw the cancellation").isTrue();
    assertThat(echo(service, "still alive")).isEqualTo("still alive");
  }

  /**
   * A capability pipelined on getCallee goes into useCallee's params; then the client drops every
   * reference to getCallee's promise and pipeline before it returns, so it sends Finish for it
   * early (as libcapnp's client does) while useCallee's params still name its answer. The server
   * must not cancel getCallee: useCallee needs the callee.
   */
  static void earlyFinish(Interop.TestService.Client service, EventLoop loop) throws Exception {
    var getCallee = service.getCalleeRequest();
    getCallee.getParams().setName("early");
    getCallee.getParams().setDelayMs(PIPELINE_DELAY_MS);
    ResponsePromise<?, ?> calleePromise = getCallee.send();
    CompletableFuture<String> used;
    try (var callee = ((Interop.TestService.GetCalleeResults.Pipeline) calleePromise.pipeline())
        .getCallee()) {
      var request = service.useCalleeRequest();
      request.getParams().setCallee(callee);
      request.getParams().setText("x");
      used = request.send().thenApply(r -> {
        try (r) {
          return r.get().getText().toString();
        }
      });
    }
    assertThat(calleePromise.cancel(false)).isTrue();
    // E-order: once echo answers, both calls and the Finish have reached the server.
    assertThat(echo(service, "after early finish")).isEqualTo("after early finish");
    assertThat(await(used, "useCallee")).isEqualTo("early:x");
  }

  static void exceptions(Interop.TestService.Client service, EventLoop loop) throws Exception {
    Map<Interop.ErrorType, RpcException.Type> cases = new LinkedHashMap<>();
    cases.put(Interop.ErrorType.FAILED, RpcException.Type.FAILED);
    cases.put(Interop.ErrorType.OVERLOADED, RpcException.Type.OVERLOADED);
    cases.put(Interop.ErrorType.DISCONNECTED, RpcException.Type.DISCONNECTED);
    cases.put(Interop.ErrorType.UNIMPLEMENTED, RpcException.Type.UNIMPLEMENTED);
    for (var c : cases.entrySet()) {
      String reason = "boom-" + c.getKey().ordinal();
      var request = service.failRequest();
      request.getParams().setType(c.getKey());
      request.getParams().setReason(reason);
      RpcException e = expectRpcException(request.send(), "fail " + c.getKey());
      assertThat(e.getType()).isEqualTo(c.getValue());
      assertThat(e.getReason()).contains(reason);
    }
    RpcException e = expectRpcException(service.unimplementedRequest().send(), "unimplemented");
    assertThat(e.getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
    assertThat(echo(service, "ok")).isEqualTo("ok");
  }

  private static RpcException expectRpcException(CompletableFuture<? extends Response<?>> call,
      String what) throws Exception {
    try {
      await(call, what).close();
    } catch (RpcException e) {
      return e;
    }
    return fail("%s: expected an exception", what);
  }

  static void big(Interop.TestService.Client service, EventLoop loop) throws Exception {
    int dataSize = 5 * 1024 * 1024 + 13;
    int textSize = 2 * 1024 * 1024 + 5;
    int replySize = 6 * 1024 * 1024 + 7;
    var request = service.bigEchoRequest();
    Data.Builder data = request.getParams().initData(dataSize);
    ByteBuffer bytes = data.asByteBuffer();
    long x = 0x9E3779B97F4A7C15L;
    for (int i = 0; i < dataSize; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      bytes.put(i, (byte) x);
    }
    long expectedChecksum = InteropValues.fnv1a64(data.asByteBuffer());
    StringBuilder text = new StringBuilder(textSize);
    for (int i = 0; i < textSize; i++) {
      text.append((char) ('a' + (i * 31L % 26)));
    }
    request.getParams().setText(text.toString());
    request.getParams().setReply(replySize);
    try (var response = await(request.send(), "bigEcho")) {
      var results = response.get();
      assertThat(results.getChecksum()).isEqualTo(expectedChecksum);
      assertThat(results.getText().toString()).isEqualTo(InteropValues.reversed(text.toString()));
      ByteBuffer out = results.getData().asByteBuffer();
      assertThat(out.remaining()).isEqualTo(replySize);
      for (int i = 0; i < replySize; i++) {
        if (out.get(i) != InteropValues.replyByte(i)) {
          fail("reply byte %d is %d, expected %d", i, out.get(i), InteropValues.replyByte(i));
        }
      }
    }
  }

  static void ordering(Interop.TestService.Client service, EventLoop loop) throws Exception {
    var counterPromise = service.getCounterRequest().send();
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    try (var counter = counterPromise.pipeline().getCounter()) {
      int n = 0;
      for (int i = 0; i < 200; i++) {
        next(counter, n++, calls); // pipelined on the promised counter
      }
      await(counterPromise, "getCounter").close();
      for (int i = 0; i < 200; i++) {
        next(counter, n++, calls); // on the resolved counter, earlier calls still in flight
      }
      awaitAll(calls, "400 counter calls");
    }
  }

  /**
   * Streaming: flow control stops the writer while the sink holds its first write (no Return,
   * so the window fills); the sink runs the writes one at a time and in order; a final regular
   * call sees them all; a failed streaming call breaks the stream and the sink.
   */
  static void streaming(Interop.TestService.Client service, EventLoop loop) throws Exception {
    final int chunk = 1024;
    var newSink = service.newSinkRequest();
    newSink.getParams().setDelayMs(1);
    newSink.getParams().setHoldFirst(true);
    try (var made = await(newSink.send(), "newSink");
        Interop.ByteSink.Client sink = made.get().getSink()) {
      long[] checksum = {InteropValues.FNV_OFFSET};
      int n = 0;
      CompletableFuture<Void> blocked = null;
      while (n < 8192) {
        CompletableFuture<Void> f = write(sink, n++, chunk, checksum);
        await(loop.submit(() -> null), "loop turn"); // the send has run on the loop
        if (!f.isDone()) {
          blocked = f;
          break;
        }
        await(f, "write");
      }
      assertThat(blocked).as("flow control never stopped the writer").isNotNull();
      // the default window (64 KiB at first) holds about 64 writes of 1 KiB plus overhead
      assertThat(n).isBetween(65536 / (chunk + 512) + 1, 65536 / chunk + 2);
      await(service.releaseSinkRequest().send(), "releaseSink").close();
      await(blocked, "the blocked write");
      for (int i = 0; i < 100; i++) {
        await(write(sink, n++, chunk, checksum), "write");
      }
      try (var done = await(sink.doneRequest().send(), "done")) {
        var r = done.get();
        assertThat(r.getWrites()).isEqualTo(n);
        assertThat(r.getBytes()).isEqualTo((long) n * chunk);
        assertThat(r.getChecksum()).isEqualTo(checksum[0]);
        assertThat(r.getInOrder()).as("sink saw the writes in order").isTrue();
        assertThat(r.getOverlapped()).as("a write started before the previous one completed")
            .isFalse();
      }
    }
    try (var made = await(service.newSinkRequest().send(), "newSink");
        Interop.ByteSink.Client sink = made.get().getSink()) {
      long[] ignored = {0};
      write(sink, 0, 10, ignored);
      var failing = sink.failRequest();
      failing.getParams().setReason("sink broke");
      failing.send();
      RpcException e = expectRpcException(sink.doneRequest().send(), "done after a failure");
      assertThat(e.getReason()).contains("sink broke");
      RpcException later = expectRpcException(write(sink, 1, 10, ignored),
          "a write after a failure");
      assertThat(later.getReason()).contains("sink broke");
    }
  }

  private static CompletableFuture<Void> write(Interop.ByteSink.Client sink, int seq, int size,
      long[] checksum) {
    var request = sink.writeRequest();
    request.getParams().setSeq(seq);
    Data.Builder data = request.getParams().initData(size);
    ByteBuffer bytes = data.asByteBuffer();
    for (int i = 0; i < size; i++) {
      bytes.put(bytes.position() + i, InteropValues.streamByte(seq, i));
    }
    checksum[0] = InteropValues.fnv1a64(checksum[0], data.asByteBuffer());
    return request.send();
  }

  private static RpcException expectRpcException(Future<?> f, String what) throws Exception {
    try {
      Object r = await(f, what);
      if (r instanceof AutoCloseable c) {
        c.close();
      }
    } catch (RpcException e) {
      return e;
    }
    return fail("%s: expected an exception", what);
  }

  private static void next(Interop.Counter.Client counter, int expected,
      List<CompletableFuture<Void>> out) {
    var request = counter.nextRequest();
    request.getParams().setExpected(expected);
    out.add(request.send().thenAccept(response -> {
      try (response) {
        assertThat(response.get().getGot()).as("counter call %d", expected).isEqualTo(expected);
      }
    }));
  }
}
