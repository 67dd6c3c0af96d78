/**
 * Not API: the capability machinery under {@link dev.capnp.rpc.Capability}, public only so that
 * the protocol core ({@code dev.capnp.rpc.protocol}) can use it; it may change in any release.
 *
 * <p>{@link dev.capnp.rpc.internal.ClientHook} is the engine behind a capability, reference
 * counted and confined to its event loop: local servers, queued promises
 * ({@link dev.capnp.rpc.internal.QueuedClient}), broken references, bridges to other loops
 * ({@link dev.capnp.rpc.internal.CrossLoopClient}). A call carries
 * {@link dev.capnp.rpc.internal.CallParams} and yields a {@link dev.capnp.rpc.internal.CallResult}:
 * the future {@link dev.capnp.rpc.internal.Results} and a
 * {@link dev.capnp.rpc.internal.PipelineHook} over them.
 */
package dev.capnp.rpc.internal;
