# Interoperability test schema: capnp-java's RPC against the C++ reference implementation.
#
# The C++ peers in this directory (interop-server, interop-client) and the Java tests in
# capnp-rpc/src/test/java/dev/capnp/rpc/interop implement the same semantics, so that every
# scenario can run in both directions (Java client -> C++ server, C++ client -> Java server).
# The semantics of each method are specified in the comments below; both implementations must
# follow them exactly.

@0xd02d1e412a7983f5;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.rpc.interop");
$Java.outerClassname("Interop");

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("interop");

enum ErrorType {
  # Mirrors rpc.capnp's Exception.Type.
  failed @0;
  overloaded @1;
  disconnected @2;
  unimplemented @3;
}

struct CallReply {
  # Results of Callback.call, also of TestService.forward, which tail-calls Callback.call (a tail
  # call needs both methods to share their results type).
  text @0 :Text;
  seq @1 :UInt32;
}

struct TextReply {
  # Results of Callee.echo, also of TestService.forwardLocal (tail call, as above).
  text @0 :Text;
}

interface Callback {
  # Implemented by the client and called by the server.

  call @0 (seq :UInt32, text :Text) -> CallReply;
  # Returns text = "cb:" + text and the same seq. The implementation counts the calls it receives
  # and notes whether their `seq` values were strictly increasing (E-order); the client inspects
  # both locally after each scenario.
}

interface Callee {
  # A server-side object handed out by `TestService.getCallee`, used for pipelining.

  echo @0 (text :Text) -> TextReply;
  # Returns (name + ":" + text).

  child @1 (name :Text) -> (child :Callee);
  # Returns a new Callee whose name is (this.name + "/" + name).

  name @2 () -> (name :Text);
}

interface Counter {
  # Checks ordering: returns its current count, then increments it. A fresh Counter starts at 0.

  next @0 (expected :UInt32) -> (got :UInt32);
  # `got` is the count before this call; `expected` is what the caller believes it should be.
  # The server does not judge; the caller compares `got` with `expected`.
}

struct CalleeHolder {
  # A capability inside a nested struct, for pipelining through several pointer fields.
  label @0 :Text;
  inner :group {
    callee @1 :Callee;
  }
}

interface ByteSink {
  # A file-like sink for the streaming scenario: `-> stream` methods with flow control. Both
  # servers run the streaming calls to one sink one at a time, in order, and a failed streaming
  # call fails every later call to the sink (the Cap'n Proto streaming rules).

  write @0 (seq :UInt32, data :Data) -> stream;
  # Appends data. Completes `delayMs` milliseconds after it started (the sink's newSink
  # argument); the first write of a sink made with holdFirst completes only when
  # TestService.releaseSink is called. Records whether seq equals the number of earlier writes
  # (E-order) and whether the write started while another write was still in progress.

  fail @1 (reason :Text) -> stream;
  # Fails with a FAILED exception whose description is `reason`: the stream is broken.

  done @2 () -> (writes :UInt32, bytes :UInt64, checksum :UInt64, inOrder :Bool, overlapped :Bool);
  # writes and bytes received, checksum = fnv1a64 over all the data in order, inOrder = every seq
  # was as expected, overlapped = some write started before the previous one had completed.
}

interface TestService {
  # The bootstrap interface of both servers. Each connection gets its own TestService object, so
  # the state below (held callback, pending promise, canceled ids) is per connection.

  # --- plain calls ---
  echo @0 (text :Text) -> (text :Text);
  # Returns the text unchanged.

  add @1 (a :Int64, b :Int64) -> (sum :Int64);

  # --- capabilities from server to client; pipelining ---
  getCallee @2 (name :Text, delayMs :UInt32) -> (callee :Callee);
  # Returns a new Callee with the given name, after waiting delayMs milliseconds (so that calls
  # pipelined on the answer surely go out before it arrives).

  getHolder @3 (name :Text, delayMs :UInt32) -> (holder :CalleeHolder);
  # Returns holder.label = name and holder.inner.callee = a new Callee named name, after waiting
  # delayMs milliseconds.

  getCounter @4 () -> (counter :Counter);
  # Returns a new Counter starting at 0.

  # --- capabilities from client to server (callbacks) ---
  callBack @5 (cb :Callback, text :Text, times :UInt32) -> (texts :List(Text));
  # Calls cb.call(seq = i, text = text + "#" + i) for i in 0..times-1, one after another (each
  # call waits for the previous answer), and returns the replies' texts in order.

  hold @6 (cb :Callback);
  # Keeps a reference to cb (replacing and releasing any previously held one).

  callHeld @7 (seq :UInt32, text :Text) -> (text :Text);
  # Calls held.call(seq, text) and returns the reply's text. Fails if nothing is held.

  releaseHeld @8 ();
  # Drops the held reference (the client can then observe that its object was released).

  # --- embargoes: promises that resolve to the caller's own capability ---
  reflect @9 (cb :Callback) -> (cb :Callback);
  # Returns the capability it was given. A client pipelining calls on `cb` of the promised result
  # sends them to the server, which forwards them back; when the answer arrives the promise
  # resolves to the client's own object, and the client must embargo.

  promiseCallback @10 (cb :Callback) -> (cb :Callback);
  # Returns a *promise* capability that resolves to the given cb only when `resolvePromise` is
  # called. Calls made on it before then queue at the server; afterwards the server sends a
  # Resolve pointing back at the client's own export.

  resolvePromise @11 ();
  # Resolves the promise handed out by the most recent promiseCallback. Fails if none is pending.

  # --- tail calls ---
  forward @12 (cb :Callback, seq :UInt32, text :Text) -> CallReply;
  # Tail-calls cb.call(seq, text): the results are cb's results (so text = "cb:" + text).

  forwardLocal @13 (text :Text) -> TextReply;
  # Tail-calls a server-side Callee named "local": text = "local:" + text.

  # --- cancellation ---
  slow @14 (id :UInt32) -> ();
  # Never returns (until canceled). When the call is canceled the server records `id`.

  wasCanceled @15 (id :UInt32) -> (canceled :Bool);
  # True once a `slow` call with this id was canceled.

  # --- exceptions ---
  fail @16 (type :ErrorType, reason :Text) -> ();
  # Throws an exception of the given type whose description contains `reason`.

  unimplemented @17 () -> ();
  # Not implemented by either server: answers with an `unimplemented` exception.

  # --- multi-segment messages ---
  bigEcho @18 (data :Data, text :Text, reply :UInt32) -> (data :Data, text :Text, checksum :UInt64);
  # checksum = fnv1a64(data) of the received data. Returns `reply` bytes of data with byte i =
  # (i * 7 + 3) & 0xFF and text = the received text reversed (ASCII only).

  # --- streaming ---
  newSink @19 (delayMs :UInt32, holdFirst :Bool) -> (sink :ByteSink);
  # A new ByteSink (see there); it becomes this service's current sink.

  releaseSink @20 ();
  # Lets the held first write of the current sink complete. Fails if it is not being held (not
  # arrived yet, already released, or the sink was made without holdFirst).

  # --- early Finish ---
  useCallee @21 (callee :Callee, text :Text) -> (text :Text);
  # Calls callee.echo(text) and returns the reply's text. The early-finish scenario passes a
  # callee pipelined on a getCallee call whose promise the client drops before it returns.
}
