@0xe4b1c2d3a5f60718;
# Imported through -I by tooltest.capnp.

struct Point {
  x @0 :Float64;
  y @1 :Float64;
}
