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
//
// The same flags and output as the Java benchmark dev.capnp.bench.rpc.RpcBench (issue 12,
// benchmarks/compare-cxx.sh):
//   echo-bench --serve --transport tcp|unix
//       As "server" above (the Echo also answers echoData).
//   echo-bench --connect ADDRESS [--workload ping|inflight|blob] [--caller loop] [--warmup N]
//       [--calls N] [--in-flight 100] [--blob-bytes 1048576] [--sync]
//       ping: one ping at a time (median, p99 round trip); inflight: --in-flight lanes, each
//       sending its next ping when its previous one is answered (calls/s); blob: echoData of
//       --blob-bytes, one at a time (MiB/s of payload). The caller is always the event loop
//       (each next call chained on the previous one's completion). --warmup 0 (cold): also the
//       time from the first send to the 1,000th and 20,000th completion. --sync: print READY
//       after the warm-up and read a line from stdin before measuring, and read one more after
//       the result. Prints one line:
//       "RESULT impl=cxx workload=W caller=loop transport=T calls=N seconds=S calls_per_s=R
//        median_us=M p99_us=P mib_per_s=B first1000_ms=F first20000_ms=G" ("-": not applicable).

#include "echo_bench.capnp.h"

#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include <algorithm>
#include <cmath>
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

  kj::Promise<void> echoData(EchoDataContext context) override {
    context.getResults().setData(context.getParams().getData());
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

int positive(const char* option, const char* value);

// ---------------------------------------------------------------- RpcBench twin (issue 12)

struct BenchOptions {
  std::string connect;
  std::string workload = "ping";
  int warmup = -1;
  int calls = -1;
  int inFlight = 100;
  int blobBytes = 1 << 20;
  bool sync = false;
};

// Per-call round trips and the completion times of the 1,000th and 20,000th call.
struct Recorder {
  std::vector<int64_t> latencies;
  Clock::time_point start = Clock::now();
  Clock::time_point end;
  Clock::time_point at1000;
  Clock::time_point at20000;
  int completed = 0;

  explicit Recorder(int calls): latencies(calls) {}

  void done(int index, Clock::time_point sent) {
    auto now = Clock::now();
    latencies[index] = std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent).count();
    int n = ++completed;
    if (n == 1000) at1000 = now;
    if (n == 20000) at20000 = now;
    if (n == static_cast<int>(latencies.size())) end = now;
  }

  double seconds() const { return std::chrono::duration<double>(end - start).count(); }

  double percentileMicros(double p) const {
    std::vector<int64_t> sorted = latencies;
    std::sort(sorted.begin(), sorted.end());
    long rank = static_cast<long>(std::ceil(p * sorted.size())) - 1;
    rank = std::max(0L, std::min(static_cast<long>(sorted.size()) - 1, rank));
    return sorted[rank] / 1000.0;
  }

  // NaN when fewer than n calls completed
  double milestoneMillis(int n) const {
    if (completed < n) return std::nan("");
    auto at = n == 1000 ? at1000 : at20000;
    return std::chrono::duration<double, std::milli>(at - start).count();
  }
};

struct Lanes {
  Echo::Client echo;
  int calls;
  bool blob;
  kj::ArrayPtr<const capnp::byte> payload;
  Recorder recorder;
  int next = 0;

  Lanes(Echo::Client echo, int calls, bool blob, kj::ArrayPtr<const capnp::byte> payload)
      : echo(kj::mv(echo)), calls(calls), blob(blob), payload(payload), recorder(calls) {}

  kj::Promise<void> lane() {
    if (next >= calls) return kj::READY_NOW;
    int index = next++;
    auto sent = Clock::now();
    if (blob) {
      auto request = echo.echoDataRequest();
      request.setData(payload);
      return request.send().then(
          [this, index, sent](capnp::Response<Echo::EchoDataResults>&& response) {
        KJ_REQUIRE(response.getData().size() == payload.size(), "wrong echoData size",
                   response.getData().size());
        recorder.done(index, sent);
        return lane();
      });
    }
    auto request = echo.pingRequest();
    request.setMsg("ping");
    return request.send().then(
        [this, index, sent](capnp::Response<Echo::PingResults>&& response) {
      KJ_REQUIRE(response.getReply() == "echo:ping", "wrong reply", response.getReply());
      recorder.done(index, sent);
      return lane();
    });
  }
};

Recorder runLanes(Echo::Client echo, const BenchOptions& o, int calls,
                  kj::ArrayPtr<const capnp::byte> payload, kj::WaitScope& waitScope) {
  bool blob = o.workload == "blob";
  int lanes = o.workload == "inflight" ? std::min(o.inFlight, calls) : 1;
  Lanes l(kj::mv(echo), calls, blob, payload);
  l.recorder.start = Clock::now();
  auto promises = kj::heapArrayBuilder<kj::Promise<void>>(lanes);
  for (int i = 0; i < lanes; i++) promises.add(l.lane());
  kj::joinPromises(promises.finish()).wait(waitScope);
  return kj::mv(l.recorder);
}

std::string field(const char* format, double v) {
  if (std::isnan(v)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, v);
  return buffer;
}

void readLine() {
  std::string line;
  std::getline(std::cin, line);
}

int benchClient(const BenchOptions& o) {
  std::string transport = o.connect.substr(0, o.connect.find(':'));
  auto io = kj::setupAsyncIo();
  auto& waitScope = io.waitScope;
  auto addr = io.provider->getNetwork().parseAddress(kjAddress(o.connect)).wait(waitScope);
  auto stream = addr->connect().wait(waitScope);  // kj sets TCP_NODELAY on TCP sockets
  capnp::TwoPartyClient twoParty(*stream);
  auto echo = twoParty.bootstrap().castAs<Echo>();
  bool blob = o.workload == "blob";
  auto payload = kj::heapArray<capnp::byte>(blob ? o.blobBytes : 0);
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<capnp::byte>(i * 31 + 7);
  if (o.warmup > 0) runLanes(echo, o, o.warmup, payload, waitScope);
  if (o.sync) {
    std::printf("READY\n");
    std::fflush(stdout);
    readLine();
  }
  Recorder r = runLanes(echo, o, o.calls, payload, waitScope);
  double seconds = r.seconds();
  double mib = blob ? static_cast<double>(o.calls) * o.blobBytes / (1 << 20) / seconds
                    : std::nan("");
  bool cold = o.warmup == 0;
  std::string line = "RESULT impl=cxx workload=" + o.workload + " caller=loop transport="
      + transport + " calls=" + std::to_string(o.calls)
      + " seconds=" + field("%.4f", seconds)
      + " calls_per_s=" + field("%.0f", o.calls / seconds)
      + " median_us=" + field("%.1f", r.percentileMicros(0.5))
      + " p99_us=" + field("%.1f", r.percentileMicros(0.99))
      + " mib_per_s=" + field("%.1f", mib)
      + " first1000_ms=" + field("%.1f", cold ? r.milestoneMillis(1000) : std::nan(""))
      + " first20000_ms=" + field("%.1f", cold ? r.milestoneMillis(20000) : std::nan(""));
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (o.sync) readLine();
  return 0;
}

int flagsMain(int argc, char* argv[]) {
  bool serveMode = false;
  std::string transport = "tcp";
  BenchOptions o;
  for (int i = 1; i < argc; i++) {
    std::string option = argv[i];
    if (option == "--serve") { serveMode = true; continue; }
    if (option == "--sync") { o.sync = true; continue; }
    if (i + 1 >= argc) throw std::invalid_argument(option + " needs a value");
    std::string value = argv[++i];
    if (option == "--transport") transport = value;
    else if (option == "--connect") o.connect = value;
    else if (option == "--workload") o.workload = value;
    else if (option == "--caller") {
      if (value != "loop") {
        throw std::invalid_argument("the C++ client's caller is always the event loop (--caller"
                                    " loop), not " + value);
      }
    }
    else if (option == "--warmup") o.warmup = positive("--warmup", value.c_str());
    else if (option == "--calls") o.calls = positive("--calls", value.c_str());
    else if (option == "--in-flight") o.inFlight = positive("--in-flight", value.c_str());
    else if (option == "--blob-bytes") o.blobBytes = positive("--blob-bytes", value.c_str());
    else throw std::invalid_argument("unknown option " + option);
  }
  if (serveMode == !o.connect.empty()) {
    throw std::invalid_argument("give --serve or --connect ADDRESS");
  }
  if (serveMode) return serve(transport);
  if (o.workload != "ping" && o.workload != "inflight" && o.workload != "blob") {
    throw std::invalid_argument("--workload must be ping, inflight or blob, not " + o.workload);
  }
  bool blob = o.workload == "blob";
  if (o.warmup < 0) o.warmup = blob ? 200 : 20000;
  if (o.calls < 0) o.calls = blob ? 1000 : o.workload == "ping" ? 20000 : 100000;
  if (o.calls < 1 || o.inFlight < 1) {
    throw std::invalid_argument("--calls and --in-flight must be at least 1");
  }
  return benchClient(o);
}

int usage(const char* self) {
  std::cerr << "usage: " << self << " server tcp|unix\n"
            << "       " << self
            << " client tcp:HOST:PORT|unix:PATH [--calls N] [--in-flight N] [--warmup N]\n"
            << "       " << self << " --serve --transport tcp|unix\n"
            << "       " << self
            << " --connect ADDRESS [--workload ping|inflight|blob] [--caller loop] [--warmup N]"
            << " [--calls N] [--in-flight N] [--blob-bytes N] [--sync]" << std::endl;
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
  if (argc >= 2 && std::strncmp(argv[1], "--", 2) == 0) {
    try {
      return flagsMain(argc, argv);
    } catch (const std::exception& e) {
      std::cerr << argv[0] << ": " << e.what() << std::endl;
      usage(argv[0]);
      return 2;
    } catch (const kj::Exception& e) {
      std::cerr << argv[0] << ": " << kj::str(e).cStr() << std::endl;
      return 1;
    }
  }
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
