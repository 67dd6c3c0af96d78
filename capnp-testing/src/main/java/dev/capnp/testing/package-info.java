/**
 * Test helpers for capnp-java users: connected client/server pairs in one JVM
 * ({@link dev.capnp.testing.RpcPair#inMemory}, {@link dev.capnp.testing.RpcPair#loopback},
 * the deterministic {@link dev.capnp.testing.ManualRpcPair}) and a capability leak check
 * ({@link dev.capnp.testing.ReferenceLeakCheck}); the no-warnings check is in
 * {@link dev.capnp.testing.log}.
 */
package dev.capnp.testing;
