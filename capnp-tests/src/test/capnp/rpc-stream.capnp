# Streaming methods ("-> stream") for the generated-code streaming tests.
@0xd9e87d0a7bbcb2b2;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.test.rpc");
$Java.outerClassname("RpcStream");

interface ByteSink {
  # A file-like sink: writes are streamed, done() ends the stream.

  write @0 (seq :UInt32, data :Data) -> stream;
  # Appends data; seq numbers the writes from 0.

  fail @1 (reason :Text) -> stream;
  # A streaming call that fails with `reason`, breaking the stream.

  done @2 () -> (writes :UInt32, bytes :UInt64);
  # How many writes and bytes were received.
}

interface NoteSink extends(ByteSink) {
  # Inherits the streaming methods and adds one of its own.

  note @0 (text :Text) -> stream;
}

interface Feed(T) {
  # A generic streaming method with an implicit parameter as well.

  push @0 (value :T) -> stream;
  pushWith @1 [U] (value :T, extra :U) -> stream;
  count @2 () -> (n :UInt32);
}

interface SinkMaker {
  # Hands out a sink (the test holds the answer to stream on the promised sink meanwhile).

  make @0 () -> (sink :ByteSink);
}
