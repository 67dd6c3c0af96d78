/**
 * Capability RPC: the API applications program against.
 *
 * <p>{@link dev.capnp.rpc.Capability} (a reference to an object, local or remote),
 * {@link dev.capnp.rpc.Request} and {@link dev.capnp.rpc.ResponsePromise} (calls and promise
 * pipelining), {@link dev.capnp.rpc.Server} and {@link dev.capnp.rpc.CallContext} (implementing
 * objects), {@link dev.capnp.rpc.RpcException}; {@link dev.capnp.rpc.EventLoop} (the thread that
 * owns a vat's state) and {@link dev.capnp.rpc.RpcConnection} (one two-party connection, the
 * driver around the protocol core), with its {@link dev.capnp.rpc.ConnectionLimits}.
 *
 * <p>The layers below are not API: {@code dev.capnp.rpc.internal} (the capability machinery:
 * reference-counted hooks, promises, pipelines, call parameters and results),
 * {@code dev.capnp.rpc.protocol} (the protocol core: the five tables and the handling of every
 * {@code rpc.capnp} message, knowing no transport, loop, future or clock) and
 * {@link dev.capnp.rpc.transport} (moving framed messages). {@code docs/ARCHITECTURE.md} walks
 * one call through them.
 */
package dev.capnp.rpc;
