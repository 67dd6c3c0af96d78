@0xe9a1c7b5d3f20a11;
# An imported file in another Java package (tests cross-file references).

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.compiler.test.other");
$Java.outerClassname("Imported");

struct Point {
  # A point.
  x @0 :Int32;
  y @1 :Int32;
}

enum Shade {
  light @0;
  dark @1;
}

struct Wrapper(T) {
  item @0 :T;
  items @1 :List(Point);
}
