// interop-client: runs interop scenarios against a TestService served over Cap'n Proto two-party
// RPC at HOST:PORT, using the C++ reference implementation.
//
// Usage: interop-client HOST:PORT [SCENARIO...]    (no scenario: all of them, in order)
//        interop-client --list
// Prints "PASS <scenario>" or "FAIL <scenario>: <reason>" per scenario; the exit status is 0 when
// every scenario passed, 1 otherwise, 2 on bad usage.

#include "interop.capnp.h"
#include "common.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/vector.h>

#include <iostream>
#include <memory>
#include <string.h>

namespace interop {
namespace {

constexpr kj::Duration TIMEOUT = 20 * kj::SECONDS;
// How long the server delays the answers that the pipeline scenario pipelines on.
constexpr uint32_t PIPELINE_DELAY_MS = 100;

// A Callback implemented by this client: counts calls, checks that seq values strictly increase,
// and notes when it is destroyed (the server released its last reference).
struct CallbackStats {
  uint32_t calls = 0;
  int64_t lastSeq = -1;
  bool outOfOrder = false;
  kj::String firstViolation;
  bool destroyed = false;
};

class CallbackImpl final: public Callback::Server {
public:
  // The stats are shared: the peer may release this object after the scenario is over.
  explicit CallbackImpl(std::shared_ptr<CallbackStats> statsParam)
      : statsRef(kj::mv(statsParam)), stats(*statsRef) {}
  ~CallbackImpl() noexcept(false) { stats.destroyed = true; }

protected:
  kj::Promise<void> call(CallContext context) override {
    auto params = context.getParams();
    uint32_t seq = params.getSeq();
    if (static_cast<int64_t>(seq) <= stats.lastSeq && !stats.outOfOrder) {
      stats.outOfOrder = true;
      stats.firstViolation = kj::str("seq ", seq, " arrived after seq ", stats.lastSeq);
    }
    stats.lastSeq = seq;
    stats.calls++;
    auto results = context.getResults();
    results.setText(kj::str("cb:", params.getText()));
    results.setSeq(seq);
    return kj::READY_NOW;
  }

private:
  std::shared_ptr<CallbackStats> statsRef;
  CallbackStats& stats;
};

class Scenarios {
public:
  Scenarios(kj::AsyncIoContext& io, TestService::Client service)
      : io(io), waitScope(io.waitScope), service(kj::mv(service)) {}

  // Waits for a promise, failing after TIMEOUT.
  template <typename T>
  T await(kj::Promise<T>&& promise, kj::StringPtr what) {
    return promise.exclusiveJoin(io.provider->getTimer().afterDelay(TIMEOUT).then([what]() -> T {
      KJ_FAIL_REQUIRE("timed out", what);
    })).wait(waitScope);
  }

  void sleep(kj::Duration d) { io.provider->getTimer().afterDelay(d).wait(waitScope); }

  // Runs `body` expecting it to throw a kj::Exception; returns that exception.
  template <typename Func>
  kj::Exception expectException(Func&& body, kj::StringPtr what) {
    KJ_IF_MAYBE(e, kj::runCatchingExceptions(kj::fwd<Func>(body))) {
      return kj::mv(*e);
    }
    KJ_FAIL_REQUIRE("expected an exception", what);
  }

  kj::String echo(kj::StringPtr text) {
    auto request = service.echoRequest();
    request.setText(text);
    return kj::heapString(await(request.send(), "echo").getText());
  }

  void bootstrap() {
    KJ_REQUIRE(echo("hello") == "hello");
  }

  void calls() {
    KJ_REQUIRE(echo("") == "");
    kj::StringPtr unicode = "gr\xc3\xbc\xc3\x9f dich \xe2\x9c\x93";
    KJ_REQUIRE(echo(unicode) == unicode);
    auto add = service.addRequest();
    add.setA(int64_t(1) << 40);
    add.setB(-5);
    auto sum = await(add.send(), "add").getSum();
    KJ_REQUIRE(sum == (int64_t(1) << 40) - 5, sum);
    // Several calls in flight on the bootstrap capability, answered independently.
    kj::Vector<kj::Promise<void>> pending;
    for (int i = 0; i < 50; i++) {
      auto request = service.echoRequest();
      request.setText(kj::str("m", i));
      pending.add(request.send().then([i](auto&& response) {
        KJ_REQUIRE(response.getText() == kj::str("m", i), response.getText(), i);
      }));
    }
    await(kj::joinPromises(pending.releaseAsArray()), "50 echo calls");
  }

  void callback() {
    auto statsPtr = std::make_shared<CallbackStats>();
    CallbackStats& stats = *statsPtr;
    Callback::Client cb = kj::heap<CallbackImpl>(statsPtr);
    auto request = service.callBackRequest();
    request.setCb(cb);
    request.setText("hi");
    request.setTimes(3);
    auto response = await(request.send(), "callBack");
    auto texts = response.getTexts();
    KJ_REQUIRE(texts.size() == 3, texts.size());
    for (uint i = 0; i < 3; i++) {
      KJ_REQUIRE(texts[i] == kj::str("cb:hi#", i), texts[i]);
    }
    KJ_REQUIRE(stats.calls == 3, stats.calls);
    KJ_REQUIRE(!stats.outOfOrder, stats.firstViolation);
  }

  void hold() {
    auto statsPtr = std::make_shared<CallbackStats>();
    CallbackStats& stats = *statsPtr;
    {
      Callback::Client cb = kj::heap<CallbackImpl>(statsPtr);
      auto request = service.holdRequest();
      request.setCb(cb);
      await(request.send(), "hold");
    }
    auto callHeld = service.callHeldRequest();
    callHeld.setSeq(7);
    callHeld.setText("later");
    auto text = kj::heapString(await(callHeld.send(), "callHeld").getText());
    KJ_REQUIRE(text == "cb:later", text);
    KJ_REQUIRE(stats.calls == 1, stats.calls);
    KJ_REQUIRE(!stats.destroyed, "released while the server still holds it");
    await(service.releaseHeldRequest().send(), "releaseHeld");
    for (int i = 0; i < 500 && !stats.destroyed; i++) sleep(10 * kj::MILLISECONDS);
    KJ_REQUIRE(stats.destroyed, "the server's release did not reach our object");
  }

  void pipeline() {
    auto getCallee = service.getCalleeRequest();
    getCallee.setName("a");
    getCallee.setDelayMs(PIPELINE_DELAY_MS);
    auto calleePromise = getCallee.send();
    auto callee = calleePromise.getCallee();

    auto echoRequest = callee.echoRequest();
    echoRequest.setText("x");
    auto echoPromise = echoRequest.send();

    auto childRequest = callee.childRequest();
    childRequest.setName("b");
    auto child = childRequest.send().getChild();
    auto childEcho = child.echoRequest();
    childEcho.setText("y");
    auto childEchoPromise = childEcho.send();
    auto childNamePromise = child.nameRequest().send();

    auto getHolder = service.getHolderRequest();
    getHolder.setName("h");
    getHolder.setDelayMs(PIPELINE_DELAY_MS);
    auto holderPromise = getHolder.send();
    auto holderEcho = holderPromise.getHolder().getInner().getCallee().echoRequest();
    holderEcho.setText("z");
    auto holderEchoPromise = holderEcho.send();

    // Nothing awaited so far: every call above went out before any answer.
    auto e1 = await(kj::mv(echoPromise), "pipelined echo");
    KJ_REQUIRE(e1.getText() == "a:x", e1.getText());
    auto e2 = await(kj::mv(childEchoPromise), "pipelined child echo");
    KJ_REQUIRE(e2.getText() == "a/b:y", e2.getText());
    auto n = await(kj::mv(childNamePromise), "pipelined child name");
    KJ_REQUIRE(n.getName() == "a/b", n.getName());
    auto e3 = await(kj::mv(holderEchoPromise), "pipelined holder echo");
    KJ_REQUIRE(e3.getText() == "h:z", e3.getText());
    auto holder = await(kj::mv(holderPromise), "getHolder");
    KJ_REQUIRE(holder.getHolder().getLabel() == "h", holder.getHolder().getLabel());
    await(kj::mv(calleePromise), "getCallee");
    // The resolved capability still works directly.
    auto direct = callee.nameRequest().send();
    auto name = await(kj::mv(direct), "name");
    KJ_REQUIRE(name.getName() == "a", name.getName());
  }

  // Sends cb.call(seq, "t" + seq) and adds the check of its answer to `out`.
  void callCb(Callback::Client& cb, uint32_t seq, kj::Vector<kj::Promise<void>>& out) {
    auto request = cb.callRequest();
    request.setSeq(seq);
    request.setText(kj::str("t", seq));
    out.add(request.send().then([seq](auto&& response) {
      KJ_REQUIRE(response.getSeq() == seq, response.getSeq(), seq);
      KJ_REQUIRE(response.getText() == kj::str("cb:t", seq), response.getText());
    }));
  }

  void embargoReturn() {
    auto statsPtr = std::make_shared<CallbackStats>();
    CallbackStats& stats = *statsPtr;
    Callback::Client cb = kj::heap<CallbackImpl>(statsPtr);
    auto request = service.reflectRequest();
    request.setCb(cb);
    auto reflected = request.send();
    Callback::Client promised = reflected.getCb();
    kj::Vector<kj::Promise<void>> calls;
    uint32_t seq = 0;
    for (; seq < 50; seq++) callCb(promised, seq, calls);      // pipelined: go via the server
    await(kj::mv(reflected), "reflect");
    for (; seq < 100; seq++) callCb(promised, seq, calls);     // after resolution: embargoed
    await(kj::joinPromises(calls.releaseAsArray()), "calls on the reflected capability");
    await(promised.whenResolved(), "resolution");
    kj::Vector<kj::Promise<void>> more;
    for (; seq < 120; seq++) callCb(promised, seq, more);
    await(kj::joinPromises(more.releaseAsArray()), "calls after the embargo");
    KJ_REQUIRE(stats.calls == 120, stats.calls);
    KJ_REQUIRE(!stats.outOfOrder, stats.firstViolation);
  }

  void embargoResolve() {
    auto statsPtr = std::make_shared<CallbackStats>();
    CallbackStats& stats = *statsPtr;
    Callback::Client cb = kj::heap<CallbackImpl>(statsPtr);
    auto request = service.promiseCallbackRequest();
    request.setCb(cb);
    auto response = await(request.send(), "promiseCallback");
    Callback::Client promise = response.getCb();
    kj::Vector<kj::Promise<void>> calls;
    uint32_t seq = 0;
    for (; seq < 20; seq++) callCb(promise, seq, calls);        // queue at the server
    auto resolved = service.resolvePromiseRequest().send();
    for (; seq < 40; seq++) callCb(promise, seq, calls);        // race the Resolve
    await(kj::mv(resolved), "resolvePromise");
    for (; seq < 60; seq++) callCb(promise, seq, calls);
    await(kj::joinPromises(calls.releaseAsArray()), "calls on the promised capability");
    await(promise.whenResolved(), "resolution");
    kj::Vector<kj::Promise<void>> more;
    for (; seq < 80; seq++) callCb(promise, seq, more);
    await(kj::joinPromises(more.releaseAsArray()), "calls after resolution");
    KJ_REQUIRE(stats.calls == 80, stats.calls);
    KJ_REQUIRE(!stats.outOfOrder, stats.firstViolation);
  }

  void tailCall() {
    auto statsPtr = std::make_shared<CallbackStats>();
    CallbackStats& stats = *statsPtr;
    Callback::Client cb = kj::heap<CallbackImpl>(statsPtr);
    auto request = service.forwardRequest();
    request.setCb(cb);
    request.setSeq(42);
    request.setText("tail");
    auto response = await(request.send(), "forward");
    KJ_REQUIRE(response.getText() == "cb:tail", response.getText());
    KJ_REQUIRE(response.getSeq() == 42, response.getSeq());
    KJ_REQUIRE(stats.calls == 1, stats.calls);

    auto local = service.forwardLocalRequest();
    local.setText("x");
    auto localResponse = await(local.send(), "forwardLocal");
    KJ_REQUIRE(localResponse.getText() == "local:x", localResponse.getText());

    // Several tail calls in flight at once.
    kj::Vector<kj::Promise<void>> pending;
    for (uint32_t i = 100; i < 120; i++) {
      auto r = service.forwardRequest();
      r.setCb(cb);
      r.setSeq(i);
      r.setText(kj::str("t", i));
      pending.add(r.send().then([i](auto&& response) {
        KJ_REQUIRE(response.getSeq() == i, response.getSeq(), i);
        KJ_REQUIRE(response.getText() == kj::str("cb:t", i), response.getText());
      }));
    }
    await(kj::joinPromises(pending.releaseAsArray()), "20 tail calls");
    KJ_REQUIRE(stats.calls == 21, stats.calls);
  }

  bool wasCanceled(uint32_t id) {
    auto request = service.wasCanceledRequest();
    request.setId(id);
    return await(request.send(), "wasCanceled").getCanceled();
  }

  void cancel() {
    const uint32_t id = 1001;
    {
      auto slow = service.slowRequest();
      slow.setId(id);
      auto promise = slow.send();
      // E-order: once echo answers, the slow call has reached the server.
      KJ_REQUIRE(echo("after slow") == "after slow");
      KJ_REQUIRE(!wasCanceled(id), "canceled before we dropped it");
      // Dropping the promise cancels the call (Finish).
    }
    bool canceled = false;
    for (int i = 0; i < 500 && !(canceled = wasCanceled(id)); i++) sleep(10 * kj::MILLISECONDS);
    KJ_REQUIRE(canceled, "the server never saw the cancellation");
    KJ_REQUIRE(echo("still alive") == "still alive");
  }

  void earlyFinish() {
    // libcapnp's own client pattern (the calculator's getOperator -> evaluate): a capability
    // pipelined on getCallee goes into useCallee's params, then every local reference to
    // getCallee's promise and pipeline is dropped before it returns, so the client sends Finish
    // for it early while useCallee's params still name its answer (receiverAnswer). The server
    // must not cancel getCallee: useCallee needs the callee.
    kj::Promise<kj::String> used = nullptr;
    {
      auto getCallee = service.getCalleeRequest();
      getCallee.setName("early");
      getCallee.setDelayMs(PIPELINE_DELAY_MS);
      auto calleePromise = getCallee.send();
      auto request = service.useCalleeRequest();
      request.setCallee(calleePromise.getCallee());
      request.setText("x");
      used = request.send().then([](auto&& response) {
        return kj::heapString(response.getText());
      });
    }
    // E-order: once echo answers, both calls and the Finish have reached the server.
    KJ_REQUIRE(echo("after early finish") == "after early finish");
    auto text = await(kj::mv(used), "useCallee");
    KJ_REQUIRE(text == "early:x", text);
  }

  void exceptions() {
    struct Case { ErrorType type; kj::Exception::Type expected; };
    Case cases[] = {
      {ErrorType::FAILED, kj::Exception::Type::FAILED},
      {ErrorType::OVERLOADED, kj::Exception::Type::OVERLOADED},
      {ErrorType::DISCONNECTED, kj::Exception::Type::DISCONNECTED},
      {ErrorType::UNIMPLEMENTED, kj::Exception::Type::UNIMPLEMENTED},
    };
    for (auto& c: cases) {
      auto reason = kj::str("boom-", static_cast<uint>(c.type));
      auto e = expectException([&]() {
        auto request = service.failRequest();
        request.setType(c.type);
        request.setReason(reason);
        await(request.send(), "fail");
      }, "fail");
      KJ_REQUIRE(e.getType() == c.expected, e.getType(), c.expected);
      KJ_REQUIRE(strstr(e.getDescription().cStr(), reason.cStr()) != nullptr, e.getDescription());
    }
    auto e = expectException([&]() {
      await(service.unimplementedRequest().send(), "unimplemented");
    }, "unimplemented");
    KJ_REQUIRE(e.getType() == kj::Exception::Type::UNIMPLEMENTED, e.getType());
    // The connection survives exceptions.
    KJ_REQUIRE(echo("ok") == "ok");
  }

  void big() {
    const size_t dataSize = 5 * 1024 * 1024 + 13;
    const size_t textSize = 2 * 1024 * 1024 + 5;
    const uint32_t replySize = 6 * 1024 * 1024 + 7;
    auto request = service.bigEchoRequest();
    auto data = request.initData(dataSize);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < dataSize; i++) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      data[i] = static_cast<kj::byte>(x);
    }
    uint64_t expectedChecksum = fnv1a64(data);
    auto text = request.initText(textSize);
    for (size_t i = 0; i < textSize; i++) text[i] = static_cast<char>('a' + (i * 31 % 26));
    auto expectedText = reversed(text);
    request.setReply(replySize);
    auto response = await(request.send(), "bigEcho");
    KJ_REQUIRE(response.getChecksum() == expectedChecksum,
               response.getChecksum(), expectedChecksum);
    KJ_REQUIRE(response.getText() == expectedText, "text not reversed");
    auto out = response.getData();
    KJ_REQUIRE(out.size() == replySize, out.size());
    for (size_t i = 0; i < out.size(); i++) {
      KJ_REQUIRE(out[i] == replyByte(i), i, out[i]);
    }
  }

  void ordering() {
    auto counterPromise = service.getCounterRequest().send();
    Counter::Client counter = counterPromise.getCounter();
    kj::Vector<kj::Promise<void>> calls;
    uint32_t n = 0;
    auto next = [&]() {
      auto request = counter.nextRequest();
      uint32_t expected = n++;
      request.setExpected(expected);
      calls.add(request.send().then([expected](auto&& response) {
        KJ_REQUIRE(response.getGot() == expected, response.getGot(), expected);
      }));
    };
    for (int i = 0; i < 200; i++) next();       // pipelined on the promised counter
    await(kj::mv(counterPromise), "getCounter");
    for (int i = 0; i < 200; i++) next();       // on the resolved counter, previous ones in flight
    await(kj::joinPromises(calls.releaseAsArray()), "400 counter calls");
  }

  // Streaming: flow control stops the writer while the sink holds its first write; the sink runs
  // the writes one at a time and in order; a final regular call sees them all; a failed
  // streaming call breaks the stream and the sink.
  void streaming() {
    constexpr size_t CHUNK = 1024;
    constexpr uint32_t MAX_UNBLOCKED = 8192;  // 8 MiB: more than any window of a loopback stream
    {
      auto newSink = service.newSinkRequest();
      newSink.setDelayMs(1);
      newSink.setHoldFirst(true);
      auto sink = await(newSink.send(), "newSink").getSink();
      uint64_t checksum = FNV_OFFSET;
      uint32_t n = 0;
      auto write = [&]() {
        auto request = sink.writeRequest();
        request.setSeq(n);
        auto data = request.initData(CHUNK);
        for (size_t i = 0; i < CHUNK; i++) data[i] = streamByte(n, i);
        checksum = fnv1a64(data, checksum);
        n++;
        return request.send();
      };
      kj::Maybe<kj::Promise<void>> blocked;
      while (n < MAX_UNBLOCKED) {
        auto promise = write();
        if (!promise.poll(waitScope)) {
          blocked = kj::mv(promise);
          break;
        }
        promise.wait(waitScope);
      }
      KJ_REQUIRE(blocked != nullptr, "flow control never stopped the writer", n);
      KJ_REQUIRE(n >= 2, "flow control stopped the writer at once", n);
      await(service.releaseSinkRequest().send(), "releaseSink");
      KJ_IF_MAYBE(b, blocked) {
        await(kj::mv(*b), "the blocked write");
      }
      for (int i = 0; i < 100; i++) await(write(), "write");
      auto done = await(sink.doneRequest().send(), "done");
      KJ_REQUIRE(done.getWrites() == n, done.getWrites(), n);
      KJ_REQUIRE(done.getBytes() == uint64_t(n) * CHUNK, done.getBytes(), n);
      KJ_REQUIRE(done.getChecksum() == checksum);
      KJ_REQUIRE(done.getInOrder(), "the sink saw writes out of order");
      KJ_REQUIRE(!done.getOverlapped(), "a write started before the previous one completed");
    }
    {
      auto newSink = service.newSinkRequest();
      auto sink = await(newSink.send(), "newSink").getSink();
      auto first = sink.writeRequest();
      first.setSeq(0);
      first.initData(10);
      auto p1 = first.send();
      auto failing = sink.failRequest();
      failing.setReason("sink broke");
      auto p2 = failing.send();
      auto e = expectException([&]() { await(sink.doneRequest().send(), "done"); },
                               "done after a failed streaming call");
      KJ_REQUIRE(strstr(e.getDescription().cStr(), "sink broke") != nullptr, e.getDescription());
      auto later = sink.writeRequest();
      later.setSeq(1);
      auto e2 = expectException([&]() { await(later.send(), "write"); },
                                "a write after a failed streaming call");
      KJ_REQUIRE(strstr(e2.getDescription().cStr(), "sink broke") != nullptr,
                 e2.getDescription());
    }
  }

  using Scenario = void (Scenarios::*)();
  struct Named { const char* name; Scenario run; };
  static kj::ArrayPtr<const Named> all() {
    static const Named scenarios[] = {
      {"bootstrap", &Scenarios::bootstrap},
      {"calls", &Scenarios::calls},
      {"callback", &Scenarios::callback},
      {"hold", &Scenarios::hold},
      {"pipeline", &Scenarios::pipeline},
      {"embargo-return", &Scenarios::embargoReturn},
      {"embargo-resolve", &Scenarios::embargoResolve},
      {"tail-call", &Scenarios::tailCall},
      {"cancel", &Scenarios::cancel},
      {"early-finish", &Scenarios::earlyFinish},
      {"exceptions", &Scenarios::exceptions},
      {"big", &Scenarios::big},
      {"ordering", &Scenarios::ordering},
      {"streaming", &Scenarios::streaming},
    };
    return scenarios;
  }

private:
  kj::AsyncIoContext& io;
  kj::WaitScope& waitScope;
  TestService::Client service;
};

int run(kj::StringPtr address, kj::ArrayPtr<const char* const> names) {
  auto io = kj::setupAsyncIo();
  auto addr = io.provider->getNetwork().parseAddress(address).wait(io.waitScope);
  auto stream = addr->connect().wait(io.waitScope);
  capnp::TwoPartyClient client(*stream);
  Scenarios scenarios(io, client.bootstrap().castAs<TestService>());

  kj::Vector<const Scenarios::Named*> selected;
  if (names.size() == 0) {
    for (auto& s: Scenarios::all()) selected.add(&s);
  } else {
    for (auto name: names) {
      const Scenarios::Named* found = nullptr;
      for (auto& s: Scenarios::all()) if (strcmp(s.name, name) == 0) found = &s;
      if (found == nullptr) {
        std::cerr << "unknown scenario: " << name << " (see --list)" << std::endl;
        return 2;
      }
      selected.add(found);
    }
  }

  int failures = 0;
  for (auto s: selected) {
    KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() { (scenarios.*(s->run))(); })) {
      failures++;
      std::cout << "FAIL " << s->name << ": " << kj::str(*e).cStr() << std::endl;
    } else {
      std::cout << "PASS " << s->name << std::endl;
    }
  }
  std::cout << (selected.size() - failures) << " of " << selected.size() << " scenarios passed"
            << std::endl;
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace interop

int main(int argc, char* argv[]) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (auto& s: interop::Scenarios::all()) std::cout << s.name << std::endl;
    return 0;
  }
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " HOST:PORT [SCENARIO...] | --list" << std::endl;
    return 2;
  }
  return interop::run(argv[1], kj::arrayPtr(const_cast<const char* const*>(argv + 2), argc - 2));
}
