# Imports our Java annotations without any -I: capnp-java supplies /capnp/java.capnp itself.
@0xe2a4c1a7b8d9f0e3;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.tool.test");
$Java.outerClassname("Annotated");

struct Point {
  x @0 :Int32;
  y @1 :Int32;
}
