# Annotations recognised by capnp-java's code generator (capnpc-java).
#
# Import it as `using Java = import "/capnp/java.capnp";` (add the directory holding this file's
# `capnp/` folder to the schema compiler's import path with -I). The file and annotation ids are
# the ones used by the earlier capnproto-java project, so schemas written for it compile unchanged.

@0xc5f1af96651f70ea;

annotation package @0x9ee4c8f803b3b596 (file) :Text;
# The Java package of the classes generated for the annotated file, e.g. "com.example.foo".

annotation outerClassname @0x9b066bb4881f7cd3 (file) :Text;
# The simple name of the generated outer class holding every top-level declaration of the file.
# Defaults to the file name in UpperCamelCase ("rpc-twoparty.capnp" -> "RpcTwoparty").
