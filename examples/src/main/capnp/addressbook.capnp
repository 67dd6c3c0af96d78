# The classic Cap'n Proto example schema, used by the demo and the README.
@0x8d7bdbb5e29892a1;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.examples");
$Java.outerClassname("AddressBookProtos");

struct Person {
  id @0 :UInt32;
  name @1 :Text;
  email @2 :Text;
  phones @3 :List(PhoneNumber);

  struct PhoneNumber {
    number @0 :Text;
    type @1 :Type;

    enum Type {
      mobile @0;
      home @1;
      work @2;
    }
  }

  employment :union {
    unemployed @4 :Void;
    employer @5 :Text;
    school @6 :Text;
    selfEmployed @7 :Void;
  }
}

struct AddressBook {
  people @0 :List(Person);
}
