@0xe2a36c1f5b7d9a84;

struct Point {
  x @0 :Int32;
  y @1 :Int32;
  label @2 :Text;
  tags @3 :List(Text);
}

struct Holder {
  p @0 :Point = (x = 1, y = -2, label = "origin", tags = ["a", "b"]);
  ps @1 :List(Point) = [(x = 1), (y = 2)];
  ints @2 :List(Int16) = [1, -2, 3];
  bools @3 :List(Bool) = [true, false, true];
  nested @4 :List(List(UInt8)) = [[1, 2], [], [3]];
  empty @5 :Text = "";
}

const origin :Point = (x = 0, y = 0);
const points :List(Point) = [(x = 1, y = 1), .origin];
const copy :Point = .origin;
