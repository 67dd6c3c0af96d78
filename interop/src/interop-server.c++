// interop-server: serves interop.capnp's TestService over Cap'n Proto two-party RPC (C++ reference
// implementation), one fresh TestService object per accepted connection.
//
// Usage: interop-server [HOST:PORT]     (default 127.0.0.1:0)
// Prints "PORT <n>" on stdout once listening, then serves until stdin reaches end-of-file (so the
// process ends with the test that started it) or it is killed.

#include "interop.capnp.h"
#include "common.h"

#include <capnp/rpc-twoparty.h>
#include <capnp/message.h>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/main.h>

#include <iostream>
#include <memory>
#include <set>
#include <thread>
#include <unistd.h>

namespace interop {
namespace {

class CalleeImpl final: public Callee::Server {
public:
  explicit CalleeImpl(kj::String name): calleeName(kj::mv(name)) {}

protected:
  kj::Promise<void> echo(EchoContext context) override {
    context.getResults().setText(kj::str(calleeName, ":", context.getParams().getText()));
    return kj::READY_NOW;
  }

  kj::Promise<void> child(ChildContext context) override {
    context.getResults().setChild(
        kj::heap<CalleeImpl>(kj::str(calleeName, "/", context.getParams().getName())));
    return kj::READY_NOW;
  }

  kj::Promise<void> name(NameContext context) override {
    context.getResults().setName(calleeName);
    return kj::READY_NOW;
  }

private:
  kj::String calleeName;
};

class CounterImpl final: public Counter::Server {
protected:
  kj::Promise<void> next(NextContext context) override {
    context.getResults().setGot(count++);
    return kj::READY_NOW;
  }

private:
  uint32_t count = 0;
};

// The state of one ByteSink, shared with the TestService that made it (for releaseSink).
struct SinkState {
  uint32_t delayMs = 0;
  bool holdFirst = false;
  uint32_t writes = 0;
  uint64_t bytes = 0;
  uint64_t checksum = FNV_OFFSET;
  bool inOrder = true;
  bool overlapped = false;
  bool inProgress = false;
  kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> held;
};

class ByteSinkImpl final: public ByteSink::Server {
public:
  ByteSinkImpl(kj::Timer& timer, std::shared_ptr<SinkState> state)
      : timer(timer), state(kj::mv(state)) {}

protected:
  kj::Promise<void> write(WriteContext context) override {
    auto params = context.getParams();
    auto& s = *state;
    if (s.inProgress) s.overlapped = true;
    s.inProgress = true;
    if (params.getSeq() != s.writes) s.inOrder = false;
    s.writes++;
    auto data = params.getData();
    s.bytes += data.size();
    s.checksum = fnv1a64(data, s.checksum);
    kj::Promise<void> wait = nullptr;
    if (s.holdFirst && s.writes == 1) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      s.held = kj::mv(paf.fulfiller);
      wait = kj::mv(paf.promise);
    } else {
      wait = timer.afterDelay(s.delayMs * kj::MILLISECONDS);
    }
    auto shared = state;
    return wait.then([shared]() { shared->inProgress = false; });
  }

  kj::Promise<void> fail(FailContext context) override {
    return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                         kj::heapString(context.getParams().getReason()));
  }

  kj::Promise<void> done(DoneContext context) override {
    auto results = context.getResults();
    results.setWrites(state->writes);
    results.setBytes(state->bytes);
    results.setChecksum(state->checksum);
    results.setInOrder(state->inOrder);
    results.setOverlapped(state->overlapped);
    return kj::READY_NOW;
  }

private:
  kj::Timer& timer;
  std::shared_ptr<SinkState> state;
};

kj::Exception::Type toKjType(ErrorType type) {
  switch (type) {
    case ErrorType::FAILED: return kj::Exception::Type::FAILED;
    case ErrorType::OVERLOADED: return kj::Exception::Type::OVERLOADED;
    case ErrorType::DISCONNECTED: return kj::Exception::Type::DISCONNECTED;
    case ErrorType::UNIMPLEMENTED: return kj::Exception::Type::UNIMPLEMENTED;
  }
  return kj::Exception::Type::FAILED;
}

class TestServiceImpl final: public TestService::Server {
public:
  explicit TestServiceImpl(kj::Timer& timer)
      : timer(timer), canceled(std::make_shared<std::set<uint32_t>>()) {}

#if CAPNP_VERSION >= 1000000
  // From libcapnp 1.0 on, a call delivered to a generated server ignores the caller's
  // cancellation (Finish) unless its method, interface or file is annotated
  // $Cxx.allowCancellation, an annotation 0.9.2's c++.capnp lacks (it had
  // CallContext::allowCancellation() instead). `slow` exists to be canceled, so its calls are
  // made cancelable here, where the generated dispatch reports the mode.
  DispatchCallResult dispatchCall(uint64_t interfaceId, uint16_t methodId,
      capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer> context) override {
    DispatchCallResult result = TestService::Server::dispatchCall(interfaceId, methodId, context);
    if (interfaceId == capnp::typeId<TestService>() && methodId == 14) {  // slow @14
      result.allowCancellation = true;
    }
    return result;
  }
#endif

protected:
  kj::Promise<void> echo(EchoContext context) override {
    context.getResults().setText(context.getParams().getText());
    return kj::READY_NOW;
  }

  kj::Promise<void> add(AddContext context) override {
    auto params = context.getParams();
    context.getResults().setSum(params.getA() + params.getB());
    return kj::READY_NOW;
  }

  kj::Promise<void> getCallee(GetCalleeContext context) override {
    auto delay = context.getParams().getDelayMs() * kj::MILLISECONDS;
    return timer.afterDelay(delay).then([context]() mutable {
      context.getResults().setCallee(
          kj::heap<CalleeImpl>(kj::heapString(context.getParams().getName())));
    });
  }

  kj::Promise<void> getHolder(GetHolderContext context) override {
    auto delay = context.getParams().getDelayMs() * kj::MILLISECONDS;
    return timer.afterDelay(delay).then([context]() mutable {
      auto name = context.getParams().getName();
      auto holder = context.getResults().initHolder();
      holder.setLabel(name);
      holder.getInner().setCallee(kj::heap<CalleeImpl>(kj::heapString(name)));
    });
  }

  kj::Promise<void> getCounter(GetCounterContext context) override {
    context.getResults().setCounter(kj::heap<CounterImpl>());
    return kj::READY_NOW;
  }

  kj::Promise<void> callBack(CallBackContext context) override {
    auto params = context.getParams();
    auto state = kj::heap<CallBackState>(params.getCb(), kj::heapString(params.getText()),
                                         params.getTimes());
    auto promise = callBackStep(*state, 0);
    return promise.then([context, &state = *state]() mutable {
      auto texts = context.getResults().initTexts(state.replies.size());
      for (size_t i = 0; i < state.replies.size(); i++) texts.set(i, state.replies[i]);
    }).attach(kj::mv(state));
  }

  kj::Promise<void> hold(HoldContext context) override {
    held = context.getParams().getCb();
    return kj::READY_NOW;
  }

  kj::Promise<void> callHeld(CallHeldContext context) override {
    KJ_IF_MAYBE(cb, held) {
      auto params = context.getParams();
      auto request = cb->callRequest();
      request.setSeq(params.getSeq());
      request.setText(params.getText());
      return request.send().then([context](auto&& response) mutable {
        context.getResults().setText(response.getText());
      });
    } else {
      return KJ_EXCEPTION(FAILED, "callHeld: no callback is held");
    }
  }

  kj::Promise<void> releaseHeld(ReleaseHeldContext context) override {
    held = nullptr;
    return kj::READY_NOW;
  }

  kj::Promise<void> reflect(ReflectContext context) override {
    context.getResults().setCb(context.getParams().getCb());
    return kj::READY_NOW;
  }

  kj::Promise<void> promiseCallback(PromiseCallbackContext context) override {
    auto paf = kj::newPromiseAndFulfiller<Callback::Client>();
    pending = Pending { kj::mv(paf.fulfiller), context.getParams().getCb() };
    context.getResults().setCb(Callback::Client(kj::mv(paf.promise)));
    return kj::READY_NOW;
  }

  kj::Promise<void> resolvePromise(ResolvePromiseContext context) override {
    KJ_IF_MAYBE(p, pending) {
      auto fulfiller = kj::mv(p->fulfiller);
      auto cb = kj::mv(p->cb);
      pending = nullptr;
      fulfiller->fulfill(kj::mv(cb));
      return kj::READY_NOW;
    } else {
      return KJ_EXCEPTION(FAILED, "resolvePromise: no promiseCallback is pending");
    }
  }

  kj::Promise<void> forward(ForwardContext context) override {
    auto params = context.getParams();
    auto request = params.getCb().callRequest();
    request.setSeq(params.getSeq());
    request.setText(params.getText());
    return context.tailCall(kj::mv(request));
  }

  kj::Promise<void> forwardLocal(ForwardLocalContext context) override {
    Callee::Client local = kj::heap<CalleeImpl>(kj::heapString("local"));
    auto request = local.echoRequest();
    request.setText(context.getParams().getText());
    return context.tailCall(kj::mv(request));
  }

  kj::Promise<void> slow(SlowContext context) override {
#if CAPNP_VERSION < 1000000
    context.allowCancellation();  // (from 1.0 on: dispatchCall above)
#endif
    uint32_t id = context.getParams().getId();
    auto canceledIds = canceled;
    kj::Promise<void> never = kj::NEVER_DONE;
    // The promise never completes, so the only way it is destroyed is cancellation.
    return never.attach(kj::defer([canceledIds, id]() { canceledIds->insert(id); }));
  }

  kj::Promise<void> wasCanceled(WasCanceledContext context) override {
    context.getResults().setCanceled(canceled->count(context.getParams().getId()) > 0);
    return kj::READY_NOW;
  }

  kj::Promise<void> fail(FailContext context) override {
    auto params = context.getParams();
    return kj::Exception(toKjType(params.getType()), __FILE__, __LINE__,
                         kj::heapString(params.getReason()));
  }

  // unimplemented() is deliberately not overridden.

  kj::Promise<void> bigEcho(BigEchoContext context) override {
    auto params = context.getParams();
    auto data = params.getData();
    uint64_t checksum = fnv1a64(data);
    auto text = reversed(params.getText());
    uint32_t reply = params.getReply();
    auto results = context.getResults();
    results.setChecksum(checksum);
    results.setText(text);
    auto out = results.initData(reply);
    for (size_t i = 0; i < reply; i++) out[i] = replyByte(i);
    return kj::READY_NOW;
  }

  kj::Promise<void> newSink(NewSinkContext context) override {
    auto params = context.getParams();
    sink = std::make_shared<SinkState>();
    sink->delayMs = params.getDelayMs();
    sink->holdFirst = params.getHoldFirst();
    context.getResults().setSink(kj::heap<ByteSinkImpl>(timer, sink));
    return kj::READY_NOW;
  }

  kj::Promise<void> useCallee(UseCalleeContext context) override {
    auto params = context.getParams();
    auto request = params.getCallee().echoRequest();
    request.setText(params.getText());
    return request.send().then([context](auto&& response) mutable {
      context.getResults().setText(response.getText());
    });
  }

  kj::Promise<void> releaseSink(ReleaseSinkContext context) override {
    if (sink) {
      KJ_IF_MAYBE(fulfiller, sink->held) {
        auto f = kj::mv(*fulfiller);
        sink->held = nullptr;
        f->fulfill();
        return kj::READY_NOW;
      }
    }
    return KJ_EXCEPTION(FAILED, "releaseSink: no write is being held");
  }

private:
  struct CallBackState {
    CallBackState(Callback::Client cb, kj::String text, uint32_t times)
        : cb(kj::mv(cb)), text(kj::mv(text)), times(times) {}
    Callback::Client cb;
    kj::String text;
    uint32_t times;
    kj::Vector<kj::String> replies;
  };

  static kj::Promise<void> callBackStep(CallBackState& state, uint32_t i) {
    if (i >= state.times) return kj::READY_NOW;
    auto request = state.cb.callRequest();
    request.setSeq(i);
    request.setText(kj::str(state.text, "#", i));
    return request.send().then([&state, i](auto&& response) {
      state.replies.add(kj::heapString(response.getText()));
      return callBackStep(state, i + 1);
    });
  }

  struct Pending {
    kj::Own<kj::PromiseFulfiller<Callback::Client>> fulfiller;
    Callback::Client cb;
  };

  kj::Timer& timer;
  kj::Maybe<Callback::Client> held;
  kj::Maybe<Pending> pending;
  std::shared_ptr<std::set<uint32_t>> canceled;
  std::shared_ptr<SinkState> sink;
};

// One accepted connection: its stream, its two-party network and its RPC system.
struct Connection {
  Connection(kj::Own<kj::AsyncIoStream>&& streamParam, kj::Timer& timer)
      : stream(kj::mv(streamParam)),
        network(*stream, capnp::rpc::twoparty::Side::SERVER),
        rpcSystem(capnp::makeRpcServer(network, kj::heap<TestServiceImpl>(timer))) {}

  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpcSystem;
};

class ErrorLogger final: public kj::TaskSet::ErrorHandler {
public:
  void taskFailed(kj::Exception&& exception) override {
    KJ_LOG(WARNING, "connection ended with an error", exception);
  }
};

kj::Promise<void> acceptLoop(kj::ConnectionReceiver& listener, kj::Timer& timer,
                             kj::TaskSet& tasks) {
  return listener.accept().then([&listener, &timer, &tasks](kj::Own<kj::AsyncIoStream>&& stream) {
    auto connection = kj::heap<Connection>(kj::mv(stream), timer);
    auto disconnected = connection->network.onDisconnect();
    tasks.add(disconnected.attach(kj::mv(connection)));
    return acceptLoop(listener, timer, tasks);
  });
}

int run(const char* address) {
  auto io = kj::setupAsyncIo();
  auto& waitScope = io.waitScope;
  auto addr = io.provider->getNetwork().parseAddress(address).wait(waitScope);
  auto listener = addr->listen();
  std::cout << "PORT " << listener->getPort() << std::endl;

  // End when whoever started us closes our stdin.
  std::thread([]() {
    char buffer[256];
    while (read(0, buffer, sizeof(buffer)) > 0) {}
    _exit(0);
  }).detach();

  ErrorLogger errorLogger;
  kj::TaskSet tasks(errorLogger);
  acceptLoop(*listener, io.provider->getTimer(), tasks).wait(waitScope);
  return 0;
}

}  // namespace
}  // namespace interop

int main(int argc, char* argv[]) {
  if (argc > 2) {
    std::cerr << "usage: " << argv[0] << " [HOST:PORT]" << std::endl;
    return 2;
  }
  return interop::run(argc == 2 ? argv[1] : "127.0.0.1:0");
}
