package dev.capnp.examples;

import dev.capnp.examples.AddressBookProtos.AddressBook;
import dev.capnp.examples.AddressBookProtos.Person;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import java.io.IOException;
import java.nio.channels.Channels;

/**
 * The address book example: {@code write} builds an address book with the generated builders and
 * writes it to standard output as a framed message; {@code read} reads one from standard input
 * with the generated readers and prints it.
 */
public final class AddressBookMain {
  private AddressBookMain() {}

  /**
   * Entry point: {@code AddressBookMain write|read}.
   *
   * @param args {@code write} or {@code read}
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1 || !(args[0].equals("write") || args[0].equals("read"))) {
      System.err.println("usage: AddressBookMain write|read");
      System.exit(2);
    }
    if (args[0].equals("write")) {
      Serialize.write(Channels.newChannel(System.out), build());
      System.out.flush();
    } else {
      print(Serialize.read(Channels.newChannel(System.in)));
    }
  }

  /** Builds the example address book. */
  static MessageBuilder build() {
    MessageBuilder message = new MessageBuilder();
    AddressBook.Builder book = message.initRoot(AddressBook.FACTORY);
    StructList.Builder<Person.Builder> people = book.initPeople(2);

    Person.Builder alice = people.get(0);
    alice.setId(123);
    alice.setName("Alice");
    alice.setEmail("alice@example.com");
    StructList.Builder<Person.PhoneNumber.Builder> alicePhones = alice.initPhones(1);
    alicePhones.get(0).setNumber("555-1212");
    alicePhones.get(0).setType(Person.PhoneNumber.Type.MOBILE);
    alice.getEmployment().setSchool("MIT");

    Person.Builder bob = people.get(1);
    bob.setId(456);
    bob.setName("Bob");
    bob.setEmail("bob@example.com");
    StructList.Builder<Person.PhoneNumber.Builder> bobPhones = bob.initPhones(2);
    bobPhones.get(0).setNumber("555-4567");
    bobPhones.get(0).setType(Person.PhoneNumber.Type.HOME);
    bobPhones.get(1).setNumber("555-7654");
    bobPhones.get(1).setType(Person.PhoneNumber.Type.WORK);
    bob.getEmployment().setUnemployed();
    return message;
  }

  private static void print(MessageReader message) {
    AddressBook.Reader book = message.getRoot(AddressBook.FACTORY);
    for (Person.Reader person : book.getPeople()) {
      System.out.println(person.getName() + ": " + person.getEmail());
      for (Person.PhoneNumber.Reader phone : person.getPhones()) {
        System.out.println("  " + phone.getType() + " phone: " + phone.getNumber());
      }
      Person.Employment.Reader employment = person.getEmployment();
      switch (employment.which()) {
        case UNEMPLOYED -> System.out.println("  unemployed");
        case EMPLOYER -> System.out.println("  employer: " + employment.getEmployer());
        case SCHOOL -> System.out.println("  student at: " + employment.getSchool());
        case SELF_EMPLOYED -> System.out.println("  self-employed");
        default -> System.out.println("  (unknown employment)");
      }
    }
  }
}
