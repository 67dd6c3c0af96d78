# Imported by test.capnp: checks cross-file type references.
@0x8bcab2a607f60217;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.test.imported");
$Java.outerClassname("TestImport");

struct ImportedStruct {
  value @0 :Int32;
  nested @1 :Nested;
  struct Nested {
    name @0 :Text;
  }
}
