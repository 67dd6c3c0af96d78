@0xf7a2b4c6d8e01357;

using Shared = import "/shared.capnp";

enum Kind {
  circle @0;
  polygon @1;
}

struct Shape {
  name @0 :Text;
  kind @1 :Kind;
  points @2 :List(Shared.Point);
  tags @3 :List(Text);
  union {
    radius @4 :Float32;
    sides @5 :UInt16;
  }
  payload @6 :Data;
  struct Style {
    color @0 :UInt32;
    dashed @1 :Bool;
  }
  style @7 :Style;
}

struct Wrapper(T) {
  item @0 :T;
}

struct Chain {
  next @0 :Chain;
}
