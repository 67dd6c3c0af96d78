/**
 * Not API: the Cap'n Proto RPC protocol core (Level 1, two-party) and the connection's
 * capabilities; it may change in any release.
 *
 * <p>{@link dev.capnp.rpc.protocol.RpcProtocol} takes decoded messages and local events in and
 * puts messages to send in its {@link dev.capnp.rpc.protocol.Outbox}; it holds one table class
 * per id space, each with its lifecycle written at its top:
 * {@link dev.capnp.rpc.protocol.QuestionTable}, {@link dev.capnp.rpc.protocol.AnswerTable},
 * {@link dev.capnp.rpc.protocol.ImportTable}, {@link dev.capnp.rpc.protocol.ExportTable},
 * {@link dev.capnp.rpc.protocol.EmbargoTable}. It knows no transport, no event loop, no future
 * and no clock: {@link dev.capnp.rpc.RpcConnection} (the driver) and
 * {@link dev.capnp.rpc.protocol.ConnectionDelivery} (its link to the capability layer) own
 * those. The hooks the core hands out for the peer's capabilities are
 * {@link dev.capnp.rpc.protocol.ImportClient}, {@link dev.capnp.rpc.protocol.PipelineClient} and
 * {@link dev.capnp.rpc.protocol.PromiseClient}.
 */
package dev.capnp.rpc.protocol;
