package dev.capnp.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.capnp.bench.proto.AddressBookProtos.AddressBook;
import dev.capnp.bench.proto.AddressBookProtos.Person;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protobuf-java twin of {@link AddressBookBenchmark}: the same address book (same fields,
 * same data; {@code src/main/proto/addressbook.proto}) built with protobuf-java's generated
 * builders, serialized to bytes, parsed back and walked.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProtobufAddressBookBenchmark {
  private static final String[] NAMES = {"Alice", "Bob", "Carol", "Dave", "Eve", "Mallory"};

  /** Number of people in the address book. */
  @Param({"10"})
  public int people;

  private byte[] serialized;
  private AddressBook parsed;

  /** A serialized and a parsed address book, for the one-direction benchmarks. */
  @Setup
  public void prepare() throws InvalidProtocolBufferException {
    serialized = build(people).toByteArray();
    parsed = AddressBook.parseFrom(serialized);
    walk(parsed); // strings decoded once, as after any first read
  }

  /** Builds, serializes, parses and walks one address book. */
  @Benchmark
  public long buildSerializeRead() throws InvalidProtocolBufferException {
    return walk(AddressBook.parseFrom(build(people).toByteArray()));
  }

  /** Parses and walks an already serialized address book. */
  @Benchmark
  public long readWalk() throws InvalidProtocolBufferException {
    return walk(AddressBook.parseFrom(serialized));
  }

  /** Walks an already parsed address book (its objects exist already). */
  @Benchmark
  public long walkOnly() {
    return walk(parsed);
  }

  static AddressBook build(int count) {
    AddressBook.Builder book = AddressBook.newBuilder();
    for (int i = 0; i < count; i++) {
      String name = NAMES[i % NAMES.length];
      Person.Builder person = Person.newBuilder()
          .setId(i)
          .setName(name)
          .setEmail(name.toLowerCase() + i + "@example.com")
          .addPhones(Person.PhoneNumber.newBuilder()
              .setNumber("555-" + (1000 + i)).setType(Person.PhoneType.MOBILE))
          .addPhones(Person.PhoneNumber.newBuilder()
              .setNumber("555-" + (2000 + i)).setType(Person.PhoneType.WORK));
      if (i % 2 == 0) {
        person.setEmployer("Example Corp");
      } else {
        person.setUnemployed(true);
      }
      book.addPeople(person);
    }
    return book.build();
  }

  /** The same sum as {@link AddressBookBenchmark#walk} (ASCII text: chars = bytes). */
  static long walk(AddressBook book) {
    long sum = 0;
    for (Person person : book.getPeopleList()) {
      sum += person.getId();
      sum += person.getName().length() + person.getEmail().length();
      for (Person.PhoneNumber phone : person.getPhonesList()) {
        sum += phone.getNumber().length() + phone.getTypeValue();
      }
      if (person.getEmploymentCase() == Person.EmploymentCase.EMPLOYER) {
        sum += person.getEmployer().length();
      }
    }
    return sum;
  }
}
