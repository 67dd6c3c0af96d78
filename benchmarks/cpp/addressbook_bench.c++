// The C++ twin of dev.capnp.bench.AddressBookBenchmark: build an address book of N people,
// serialize it (standard framing, or packed), read it back and walk every field, in a loop.
// Built and run by benchmarks/cpp/run.sh; prints microseconds per round (wall and thread CPU time).
#include "addressbook.capnp.h"
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <ctime>

namespace {
const char* const NAMES[] = {"Alice", "Bob", "Carol", "Dave", "Eve", "Mallory"};

void build(capnp::MessageBuilder& message, int count) {
  auto book = message.initRoot<AddressBook>();
  auto list = book.initPeople(count);
  for (int i = 0; i < count; i++) {
    auto person = list[i];
    std::string name = NAMES[i % 6];
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(tolower(c));
    person.setId(i);
    person.setName(name);
    person.setEmail(lower + std::to_string(i) + "@example.com");
    auto phones = person.initPhones(2);
    phones[0].setNumber("555-" + std::to_string(1000 + i));
    phones[0].setType(Person::PhoneNumber::Type::MOBILE);
    phones[1].setNumber("555-" + std::to_string(2000 + i));
    phones[1].setType(Person::PhoneNumber::Type::WORK);
    if (i % 2 == 0) {
      person.getEmployment().setEmployer("Example Corp");
    } else {
      person.getEmployment().setUnemployed();
    }
  }
}

long walk(AddressBook::Reader book) {
  long sum = 0;
  for (auto person : book.getPeople()) {
    sum += person.getId();
    sum += person.getName().size() + person.getEmail().size();
    for (auto phone : person.getPhones()) {
      sum += phone.getNumber().size() + static_cast<long>(phone.getType());
    }
    if (person.getEmployment().isEmployer()) {
      sum += person.getEmployment().getEmployer().size();
    }
  }
  return sum;
}

long roundTrip(int people, bool packed) {
  capnp::MallocMessageBuilder message(1024);
  build(message, people);
  kj::VectorOutputStream out;
  if (packed) {
    capnp::writePackedMessage(out, message);
  } else {
    capnp::writeMessage(out, message);
  }
  kj::ArrayInputStream in(out.getArray());
  if (packed) {
    capnp::PackedMessageReader reader(in);
    return walk(reader.getRoot<AddressBook>());
  }
  capnp::InputStreamMessageReader reader(in);
  return walk(reader.getRoot<AddressBook>());
}
// CPU time of this thread: unlike wall time, not inflated while other processes hold the CPU.
double threadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
}  // namespace

int main(int argc, char** argv) {
  int people = argc > 1 ? atoi(argv[1]) : 10;
  double seconds = argc > 2 ? atof(argv[2]) : 5;
  for (bool packed : {false, true}) {
    long sink = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds / 4);
    while (std::chrono::steady_clock::now() < deadline) sink += roundTrip(people, packed);  // warm-up
    long rounds = 0;
    double cpuStart = threadCpuSeconds();
    auto start = std::chrono::steady_clock::now();
    auto end = start + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      for (int i = 0; i < 100; i++) sink += roundTrip(people, packed);
      rounds += 100;
    }
    double micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    double cpuMicros = (threadCpuSeconds() - cpuStart) * 1e6;
    printf("C++ %-28s people=%d  %.3f us/op  cpu %.3f us/op  (checksum %ld)\n",
           packed ? "buildSerializeReadPacked" : "buildSerializeRead", people, micros / rounds,
           cpuMicros / rounds, sink);
  }
  return 0;
}
