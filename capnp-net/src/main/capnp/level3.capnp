# The three-party handoff values of capnp-net's vat network (Level 3 of the RPC protocol): what
# rpc.capnp leaves to the network as `AnyPointer`s. Alice (the introducer) holds a capability
# hosted by Bob and sends it to Carol (the recipient); Carol connects to Bob directly.
#
# A vat is named by its key fingerprint in the `capnp://` URI form ("sha-256:" + base64url of
# the SHA-256 of its DER SubjectPublicKeyInfo), authenticated by the TLS handshake. Addresses are
# in the URI's `NetAddress` form ("tcp:HOST:PORT", "tcp:[IPv6]:PORT" or "unix:PATH").
@0xd6a3c0f5e9b2478b;

using Java = import "/capnp/java.capnp";
$Java.package("dev.capnp.net.proto");
$Java.outerClassname("Level3");

struct ThirdPartyToContact {
  # Alice -> Carol, in `CapDescriptor.thirdPartyHosted.id`: who and where Bob is, which handoff.

  host @0 :Text;
  # Bob's key fingerprint: Carol's TLS connection must authenticate this key.

  address @1 :Text;
  # Where Alice reached Bob (the address she dialled).

  nonce @2 :Data;
  # Names the handoff (random, 16 bytes or more, unguessable); Carol hands it to Bob.
}

struct ThirdPartyToAwait {
  # Alice -> Bob, in `Provide.recipient`: whom to expect, which handoff.

  recipient @0 :Text;
  # Carol's key fingerprint: only an `Accept` on a connection authenticated by this key matches.

  nonce @1 :Data;
  # The handoff's nonce (as in the contact).
}

struct ThirdPartyCompletion {
  # Carol -> Bob, in `Accept.provision`: which handoff, as Carol saw it.

  introducer @0 :Text;
  # Alice's key fingerprint (the peer of the connection the contact came on): nonces are
  # scoped by introducer on Bob's side.

  nonce @1 :Data;
  # The nonce from the contact.
}

struct VatHello {
  # The first message each vat sends on a connection whose TLS handshake negotiated the ALPN name
  # "capnp-java-level3", right after the handshake and before any RPC message (the RPC messages
  # follow on the same stream); never sent on any other connection. It tells the peer where the
  # sender accepts connections, so that the peer can name it in a `ThirdPartyToContact` even when
  # the sender dialled it.

  addresses @0 :List(Text);
  # Where the sender can be reached (`NetAddress` form), best first; at most 8, each at most 255
  # bytes. Empty when it does not listen (or has nothing it can say to this peer). A loopback or
  # Unix-socket address is only announced on a connection that is itself local.
}
