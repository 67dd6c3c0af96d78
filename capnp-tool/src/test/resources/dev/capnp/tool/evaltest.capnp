@0xd1a3b5c7e9f01299;
# Constants for capnp-java eval (compared with capnp eval).
struct S { a @0 :Int32 = 5; f @1 :Float32 = 0.1; l @2 :List(Int16) = [1, 2]; t @3 :Text; inner @4 :S; e @5 :E; }
enum E { x @0; y @1; }
const f :Float32 = 0.1;
const d :Float64 = 0.1;
const t :Text = "hi\n";
const s :S = (a = 3, l = [7, 8, 9], inner = (t = "deep"));
const l :List(Float32) = [0.1, 0.2];
const e :E = y;
const v :Void = void;
const u :UInt64 = 18446744073709551615;
const dat :Data = 0x"01ff";
const ls :List(S) = [(a = 1), (a = 2)];
