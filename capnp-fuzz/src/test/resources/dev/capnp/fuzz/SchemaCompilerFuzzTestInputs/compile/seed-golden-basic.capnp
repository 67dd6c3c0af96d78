@0xbf5147cbbecf40c1;
# A file with the basic declarations.

struct Foo {  # doc foo
  a @0 :Int32 = 5;  # doc a
  b @1 :Bar;
  c @2 :List(Bar);
  struct Bar {
    x @0 :Bool;
  }
  d @3 :Text;
  e @4 :Float64 = -1.5;
  f @5 :UInt8 = 200;
  g @6 :Bool = true;
  h @7 :Data = 0x"01 02 ff";
  i @8 :Color = green;
  j @9 :Int64 = -9223372036854775808;
}

enum Color {
  red @0;
  green @1;  # the green one
  blue @2;
}

const pi :Float32 = 3.14159;
const name :Text = "hello\n\"world\"";
const answer :UInt64 = 0xffffffffffffffff;
const favorite :Color = blue;
const alsoPi :Float32 = .pi;
