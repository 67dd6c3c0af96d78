package dev.capnp.bench;

import dev.capnp.bench.BenchProtos.AddressBook;
import dev.capnp.bench.BenchProtos.Person;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import java.nio.ByteBuffer;
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
 * One round of a realistic workload: build an address book of {@code people} entries with the
 * generated builders, serialize it (standard framing, optionally packed) to a buffer, read it back
 * and walk every field with the generated readers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AddressBookBenchmark {
  private static final String[] NAMES = {"Alice", "Bob", "Carol", "Dave", "Eve", "Mallory"};

  /** Number of people in the address book. */
  @Param({"10"})
  public int people;

  /** Builds, serializes, reads and walks one address book (standard framing). */
  @Benchmark
  public long buildSerializeRead() {
    ByteBuffer bytes = Serialize.toByteBuffer(build(people));
    return walk(Serialize.read(bytes));
  }

  /** Sizes each new message's first segment from the previous one. */
  private final MessageBuilder.Sizing sizing = new MessageBuilder.Sizing();

  /**
   * {@link #buildSerializeRead} with each new message's first segment sized from the previous
   * message ({@code new MessageBuilder(MessageBuilder.Sizing)}) instead of the fixed 1024 words
   * of the C++ twin: the JVM zeroes about what the message needs (1,984 bytes, not 8 KiB).
   */
  @Benchmark
  public long buildSerializeReadSized() {
    MessageBuilder message = new MessageBuilder(sizing);
    fill(message, people);
    return walk(Serialize.read(Serialize.toByteBuffer(message)));
  }

  /** The same round with the packed encoding. */
  @Benchmark
  public long buildSerializeReadPacked() {
    ByteBuffer bytes = ByteBuffer.wrap(SerializePacked.toBytes(build(people)));
    return walk(SerializePacked.read(bytes));
  }

  /** Reads with an unlimited traversal budget, so one reader can be walked again and again. */
  private static final ReaderOptions UNLIMITED =
      new ReaderOptions(Long.MAX_VALUE, ReaderOptions.DEFAULT_NESTING_LIMIT);

  /** The message {@link #buildSerializeReadReusing} builds into, emptied every round. */
  private final MessageBuilder reused = new MessageBuilder(1024);

  /**
   * {@link #buildSerializeRead} with one {@link MessageBuilder} emptied ({@code reset()}) and
   * built again every round instead of a new one.
   */
  @Benchmark
  public long buildSerializeReadReusing() {
    reused.reset();
    fill(reused, people);
    ByteBuffer bytes = Serialize.toByteBuffer(reused);
    return walk(Serialize.read(bytes));
  }

  private MessageBuilder built;
  private byte[] packed;
  private ByteBuffer standard;
  private MessageReader reader;

  /** A built address book and its packed bytes, for the one-direction benchmarks. */
  @Setup
  public void prepare() {
    built = build(people);
    packed = SerializePacked.toBytes(built);
    standard = Serialize.toByteBuffer(built);
    reader = Serialize.read(standard.duplicate(), UNLIMITED);
  }

  /**
   * Reads (standard framing, no copy) and walks an already serialized address book: the read
   * path alone, including the {@link MessageReader} and its segment table.
   */
  @Benchmark
  public long readWalk() {
    return walk(Serialize.read(standard.duplicate()));
  }

  /**
   * Walks every field of an already read message through the generated readers: what one walk
   * allocates is the cost of the readers themselves ({@code -prof gc}: B/op).
   */
  @Benchmark
  public long walkOnly() {
    return walk(reader);
  }

  /** Packs an already built address book (the packed write path alone). */
  @Benchmark
  public byte[] packOnly() {
    return SerializePacked.toBytes(built);
  }

  /** Unpacks and walks an already packed address book (the packed read path alone). */
  @Benchmark
  public long unpackRead() {
    return walk(SerializePacked.read(ByteBuffer.wrap(packed)));
  }

  /**
   * {@link #walkOnly} with the struct-list elements read through two reused readers
   * ({@code StructList.Reader.get(int, R)}): one reader per list type for the whole run.
   */
  @Benchmark
  public long walkOnlyReusingReaders() {
    return walkReusing(reader, cursors);
  }

  private final Cursors cursors = new Cursors();

  /**
   * {@link #walkOnly} through readers reused across walks (one per reader type, moved from
   * value to value: {@code MessageReader.getRoot(factory, reuse)}, the generated
   * {@code getX(reuse)} getters and {@code StructList.Reader.get(int, reuse)}): allocates
   * nothing whether or not escape analysis removes readers.
   */
  @Benchmark
  public long walkOnlyCursors() {
    return walkCursors(reader, cursors);
  }

  /** {@link #readWalk} through the reused readers of {@link #walkOnlyCursors}. */
  @Benchmark
  public long readWalkCursors() {
    return walkCursors(Serialize.read(standard.duplicate()), cursors);
  }

  /** Readers reused across walks. */
  static final class Cursors {
    AddressBook.Reader book;
    StructList.Reader<Person.Reader> people;
    Person.Reader person;
    Person.Employment.Reader employment;
    StructList.Reader<Person.PhoneNumber.Reader> phones;
    Person.PhoneNumber.Reader phone;
    Text.Reader text;
  }

  /**
   * {@link #walk} with every reader read into one of {@code c}'s (each {@code getX(reuse)}
   * returns its argument, moved; a null one the first time reads a new reader, kept for the
   * next walks).
   */
  static long walkCursors(MessageReader message, Cursors c) {
    long sum = 0;
    AddressBook.Reader book = c.book = message.getRoot(AddressBook.FACTORY, c.book);
    StructList.Reader<Person.Reader> people = c.people = book.getPeople(c.people);
    for (int i = 0; i < people.size(); i++) {
      Person.Reader person = c.person = people.get(i, c.person);
      sum += person.getId();
      sum += (c.text = person.getName(c.text)).size();
      sum += (c.text = person.getEmail(c.text)).size();
      StructList.Reader<Person.PhoneNumber.Reader> phones = c.phones = person.getPhones(c.phones);
      for (int j = 0; j < phones.size(); j++) {
        Person.PhoneNumber.Reader phone = c.phone = phones.get(j, c.phone);
        sum += (c.text = phone.getNumber(c.text)).size() + phone.getType().ordinal();
      }
      Person.Employment.Reader employment = c.employment =
          person.getEmployment(c.employment);
      if (employment.isEmployer()) {
        sum += (c.text = employment.getEmployer(c.text)).size();
      }
    }
    return sum;
  }

  static long walkReusing(MessageReader message, Cursors c) {
    long sum = 0;
    StructList.Reader<Person.Reader> people = message.getRoot(AddressBook.FACTORY).getPeople();
    for (int i = 0; i < people.size(); i++) {
      Person.Reader person = c.person == null ? c.person = people.get(i)
          : people.get(i, c.person);
      sum += person.getId();
      sum += person.getName().size() + person.getEmail().size();
      StructList.Reader<Person.PhoneNumber.Reader> phones = person.getPhones();
      for (int j = 0; j < phones.size(); j++) {
        Person.PhoneNumber.Reader phone = c.phone == null ? c.phone = phones.get(j)
            : phones.get(j, c.phone);
        sum += phone.getNumber().size() + phone.getType().ordinal();
      }
      if (person.getEmployment().isEmployer()) {
        sum += person.getEmployment().getEmployer().size();
      }
    }
    return sum;
  }

  static MessageBuilder build(int count) {
    MessageBuilder message = new MessageBuilder(1024);
    fill(message, count);
    return message;
  }

  static void fill(MessageBuilder message, int count) {
    AddressBook.Builder book = message.initRoot(AddressBook.FACTORY);
    StructList.Builder<Person.Builder> list = book.initPeople(count);
    for (int i = 0; i < count; i++) {
      Person.Builder person = list.get(i);
      String name = NAMES[i % NAMES.length];
      person.setId(i);
      person.setName(name);
      person.setEmail(name.toLowerCase() + i + "@example.com");
      StructList.Builder<Person.PhoneNumber.Builder> phones = person.initPhones(2);
      phones.get(0).setNumber("555-" + (1000 + i));
      phones.get(0).setType(Person.PhoneNumber.Type.MOBILE);
      phones.get(1).setNumber("555-" + (2000 + i));
      phones.get(1).setType(Person.PhoneNumber.Type.WORK);
      if (i % 2 == 0) {
        person.getEmployment().setEmployer("Example Corp");
      } else {
        person.getEmployment().setUnemployed();
      }
    }
  }

  static long walk(MessageReader message) {
    long sum = 0;
    for (Person.Reader person : message.getRoot(AddressBook.FACTORY).getPeople()) {
      sum += person.getId();
      sum += person.getName().size() + person.getEmail().size();
      for (Person.PhoneNumber.Reader phone : person.getPhones()) {
        sum += phone.getNumber().size() + phone.getType().ordinal();
      }
      if (person.getEmployment().isEmployer()) {
        sum += person.getEmployment().getEmployer().size();
      }
    }
    return sum;
  }
}
