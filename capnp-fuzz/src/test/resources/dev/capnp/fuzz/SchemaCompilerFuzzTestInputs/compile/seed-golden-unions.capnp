@0xd1c8ac2fbea34d7e;

struct Shape {
  area @0 :Float64;
  union {
    circle @1 :Float64;
    square @2 :Float64;
    rect :group {
      width @3 :Float64;
      height @4 :Float64;
    }
    none @5 :Void;
  }
  color :union {
    rgb @6 :UInt32;
    named @7 :Text;
  }
  flags @8 :UInt16;
  b1 @9 :Bool;
  b2 @10 :Bool;
  tiny @11 :UInt8;
  inner :group {
    union {
      p @12 :Int8;
      q @13 :Int64;
    }
    r @14 :Int16;
  }
}

struct Retro {
  a @0 :Int32;
  u :union {
    b @1 :Int32;
    c @3 :Text;
  }
  d @2 :UInt16;
}
