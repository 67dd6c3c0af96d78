@0x9a7c3f2b1e5d4c6a;

interface Base {
  ping @0 () -> ();
}

interface Calc extends(Base) {
  add @0 (a :Int32, b :Int32 = 1) -> (sum :Int32);
  # adds

  stream @1 (data :Data) -> stream;
  struct Thing {
    x @0 :Text;
  }
  get @2 Thing -> Thing;
}

annotation tag(struct, field) :Text;
annotation flag(*) :Void;

struct Annotated $tag("s") {
  x @0 :Int32 $tag("f") $flag;
}

using T = Calc.Thing;
struct UsesAlias {
  t @0 :T;
  l @1 :List(List(Text));
  p @2 :AnyPointer;
  s @3 :AnyStruct;
  c @4 :Capability;
  i @5 :Calc;
}
