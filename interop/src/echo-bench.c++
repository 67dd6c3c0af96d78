// echo-bench: the RPC echo benchmark of benchmarks/ (dev.capnp.bench.rpc.EchoBench) written
// against the C++ reference implementation, on the same schema
// (benchmarks/src/main/capnp/echo_bench.capnp): Echo.ping(msg) -> (reply = "echo:" + msg).
//
// Usage:
//   echo-bench server tcp|unix
//       Listens on TCP loopback (an ephemeral port) or a Unix socket in a fresh temporary
//       directory, serves a fresh Echo as the bootstrap capability of each connection (plain
//       two-party protocol), prints "ADDRESS tcp:127.0.0.1:<port>" or "ADDRESS unix:<path>" and
//       serves until its stdin reaches end-of-file.
//   echo-bench client ADDRESS [--calls N] [--in-flight N] [--warmup N]
//       Connects to ADDRESS (as printed by either server, Java's `EchoBench --serve --stack raw`
//       included), bootstraps Echo, sends --warmup pings (default 20000) and then --calls pings
//       (default 100000) with at most --in-flight (default 12) outstanding, measuring each
//       round trip, and prints the same line as EchoBench:
//       "echo cxx tcp processes=2: N calls in T s: X calls/s, median round trip Y us".

#include "echo_bench.capnp.h"

#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>
#include <stdlib.h>
#include <unistd.h>

namespace echobench {
namespace {

using Clock = std::chrono::steady_clock;

class EchoImpl final: public Echo::Server {
protected:
  kj::Promise<void> ping(PingContext context) override {
    context.getResults().setReply(kj::str("echo:", context.getParams().getMsg()));
    return kj::READY_NOW;
  }
};

// One accepted connection: its stream, its two-party network and its RPC system.
struct Connection {
  explicit Connection(kj::Own<kj::AsyncIoStream>&& streamParam)
      : stream(kj::mv(streamParam)),
        network(*stream, capnp::rpc::twoparty::Side::SERVER),
        rpcSystem(capnp::makeRpcServer(network, kj::heap<EchoImpl>())) {}

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

kj::Promise<void> acceptLoop(kj::ConnectionReceiver& listener, kj::TaskSet& tasks) {
  return listener.accept().then([&listener, &tasks](kj::Own<kj::AsyncIoStream>&& stream) {
    auto connection = kj::heap<Connection>(kj::mv(stream));
    auto disconnected = connection->network.onDisconnect();
    tasks.add(disconnected.attach(kj::mv(connection)));
    return acceptLoop(listener, tasks);
  });
}

// "tcp:HOST:PORT" -> "HOST:PORT"; "unix:PATH" stays (kj parses it).
std::string kjAddress(const std::string& address) {
  if (address.rfind("tcp:", 0) == 0) return address.substr(4);
  if (address.rfind("unix:", 0) == 0) return address;
  throw std::invalid_argument("address must be tcp:HOST:PORT or unix:PATH, not " + address);
}

int serve(const std::string& transport) {
  std::string listenAt;
  std::string socketDir;
  if (transport == "tcp") {
    listenAt = "127.0.0.1:0";
  } else if (transport == "unix") {
    char dirTemplate[] = "/tmp/echo-bench-XXXXXX";
    if (mkdtemp(dirTemplate) == nullptr) {
      perror("mkdtemp");
      return 1;
    }
    socketDir = dirTemplate;
    listenAt = "unix:" + socketDir + "/echo.sock";
  } else {
    std::cerr << "transport must be tcp or unix, not " << transport << std::endl;
    return 2;
  }
  auto io = kj::setupAsyncIo();
  auto& waitScope = io.waitScope;
  auto addr = io.provider->getNetwork().parseAddress(listenAt).wait(waitScope);
  auto listener = addr->listen();
  if (transport == "tcp") {
    std::cout << "ADDRESS tcp:127.0.0.1:" << listener->getPort() << std::endl;
  } else {
    std::cout << "ADDRESS " << listenAt << std::endl;
  }

  // End when whoever started us closes our stdin (removing the socket file first).
  std::thread([socketDir]() {
    char buffer[256];
    while (read(0, buffer, sizeof(buffer)) > 0) {}
    if (!socketDir.empty()) {
      unlink((socketDir + "/echo.sock").c_str());
      rmdir(socketDir.c_str());
    }
    _exit(0);
  }).detach();

  ErrorLogger errorLogger;
  kj::TaskSet tasks(errorLogger);
  acceptLoop(*listener, tasks).wait(waitScope);
  return 0;
}

// Keeps at most `inFlight` pings outstanding: each of `inFlight` lanes sends its next ping when
// its previous one is answered, taking the next index from a shared counter.
struct Run {
  Echo::Client echo;
  int calls;
  int next = 0;
  std::vector<int64_t> latencies;

  Run(Echo::Client echo, int calls): echo(kj::mv(echo)), calls(calls), latencies(calls) {}

  kj::Promise<void> lane() {
    if (next >= calls) return kj::READY_NOW;
    int index = next++;
    auto request = echo.pingRequest();
    request.setMsg("ping");
    auto sent = Clock::now();
    return request.send().then([this, index, sent](capnp::Response<Echo::PingResults>&& response) {
      latencies[index] =
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count();
      KJ_REQUIRE(response.getReply() == "echo:ping", "wrong reply", response.getReply());
      return lane();
    });
  }
};

struct Result {
  int calls;
  double seconds;
  double callsPerSecond;
  double medianMicros;
};

Result run(Echo::Client echo, int calls, int inFlight, kj::WaitScope& waitScope) {
  Run r(kj::mv(echo), calls);
  auto start = Clock::now();
  auto lanes = kj::heapArrayBuilder<kj::Promise<void>>(inFlight);
  for (int i = 0; i < inFlight; i++) lanes.add(r.lane());
  kj::joinPromises(lanes.finish()).wait(waitScope);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(r.latencies.begin(), r.latencies.end());
  return {calls, seconds, calls / seconds, r.latencies[calls / 2] / 1000.0};
}

int client(const std::string& address, int calls, int inFlight, int warmup) {
  std::string transport = address.substr(0, address.find(':'));
  auto io = kj::setupAsyncIo();
  auto& waitScope = io.waitScope;
  auto addr = io.provider->getNetwork().parseAddress(kjAddress(address)).wait(waitScope);
  auto stream = addr->connect().wait(waitScope);  // kj sets TCP_NODELAY on TCP sockets
  capnp::TwoPartyClient twoParty(*stream);
  auto echo = twoParty.bootstrap().castAs<Echo>();
  if (warmup > 0) run(echo, warmup, inFlight, waitScope);
  Result r = run(echo, calls, inFlight, waitScope);
  std::printf("echo cxx %s processes=2: %d calls in %.2f s: %.0f calls/s,"
              " median round trip %.1f us\n",
              transport.c_str(), r.calls, r.seconds, r.callsPerSecond, r.medianMicros);
  std::fflush(stdout);
  return 0;
}

int usage(const char* self) {
  std::cerr << "usage: " << self << " server tcp|unix\n"
            << "       " << self
            << " client tcp:HOST:PORT|unix:PATH [--calls N] [--in-flight N] [--warmup N]"
            << std::endl;
  return 2;
}

int positive(const char* option, const char* value) {
  char* end = nullptr;
  long n = std::strtol(value, &end, 10);
  if (*value == '\0' || *end != '\0' || n < 0 || n > 100000000) {
    throw std::invalid_argument(std::string(option) + " needs a count, not " + value);
  }
  return static_cast<int>(n);
}

int main(int argc, char* argv[]) {
  if (argc < 3) return usage(argv[0]);
  std::string mode = argv[1];
  try {
    if (mode == "server" && argc == 3) return serve(argv[2]);
    if (mode != "client") return usage(argv[0]);
    int calls = 100000;
    int inFlight = 12;
    int warmup = 20000;
    for (int i = 3; i < argc; i++) {
      std::string option = argv[i];
      if (i + 1 >= argc) return usage(argv[0]);
      if (option == "--calls") calls = positive("--calls", argv[++i]);
      else if (option == "--in-flight") inFlight = positive("--in-flight", argv[++i]);
      else if (option == "--warmup") warmup = positive("--warmup", argv[++i]);
      else return usage(argv[0]);
    }
    if (calls < 1 || inFlight < 1) {
      std::cerr << "--calls and --in-flight must be at least 1" << std::endl;
      return 2;
    }
    return client(argv[2], calls, inFlight, warmup);
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << std::endl;
    return 2;
  } catch (const kj::Exception& e) {
    std::cerr << argv[0] << ": " << kj::str(e).cStr() << std::endl;
    return 1;
  }
}

}  // namespace
}  // namespace echobench

int main(int argc, char* argv[]) {
  return echobench::main(argc, argv);
}
