# Message shapes for dev.capnp.bench.ShapesBenchmark (twin: src/main/proto/shapes.proto).
@0xf7bb68b43f005463;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.bench");
$Java.outerClassname("CapnpShapes");

# A wide struct of primitives (32 fields).
struct Wide {
  i0 @0 :Int32;
  i1 @1 :Int32;
  i2 @2 :Int32;
  i3 @3 :Int32;
  i4 @4 :Int32;
  i5 @5 :Int32;
  i6 @6 :Int32;
  i7 @7 :Int32;
  l0 @8 :Int64;
  l1 @9 :Int64;
  l2 @10 :Int64;
  l3 @11 :Int64;
  l4 @12 :Int64;
  l5 @13 :Int64;
  l6 @14 :Int64;
  l7 @15 :Int64;
  d0 @16 :Float64;
  d1 @17 :Float64;
  d2 @18 :Float64;
  d3 @19 :Float64;
  d4 @20 :Float64;
  d5 @21 :Float64;
  d6 @22 :Float64;
  d7 @23 :Float64;
  b0 @24 :Bool;
  b1 @25 :Bool;
  b2 @26 :Bool;
  b3 @27 :Bool;
  b4 @28 :Bool;
  b5 @29 :Bool;
  b6 @30 :Bool;
  b7 @31 :Bool;
}

struct WideBatch {
  items @0 :List(Wide);
}

# A deep tree.
struct Node {
  value @0 :Int64;
  children @1 :List(Node);
}

# A large list of doubles.
struct Doubles {
  values @0 :List(Float64);
}

# A blob.
struct Blob {
  data @0 :Data;
}

# Text-heavy records.
struct TextRecord {
  key @0 :Text;
  title @1 :Text;
  author @2 :Text;
  body @3 :Text;
}

struct TextBatch {
  records @0 :List(TextRecord);
}
