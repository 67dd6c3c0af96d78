# The classic Cap'n Proto example schema, used by the demo and the README.
@0xd1a7e3b5c6f0a9b3;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.bench");
$Java.outerClassname("BenchProtos");

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
