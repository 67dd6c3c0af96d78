package dev.capnp.rpc.protocol;

import dev.capnp.rpc.proto.Rpc;

/**
 * The struct readers {@link RpcProtocol#handle} reads an incoming message's header with, kept
 * from one message to the next so that handling a message makes no reader objects of its own
 * (issue 12). A reader here is moved to the next message's data by the next {@code handle}, so
 * the rule is: <b>no reader taken from a scratch may be kept past the handling of its
 * message</b>. What outlives the message is read as a new object (a call's params content, a
 * Return's results, a Disembargo's target...); only the header readers that the dispatch code
 * uses and drops are taken from here.
 *
 * <p>One scratch belongs to one connection and is used on its loop. {@link RpcProtocol#handle}
 * takes it for the duration of one message ({@link #inUse}); a nested {@code handle} of the
 * same connection (none happens today: a message arriving while one is handled is queued as a
 * task) would get a fresh, empty scratch instead, whose readers are new objects, so a nested
 * message can never move the readers of the message around it.
 */
final class ReaderScratch {
  /** Taken by a {@code handle} now. */
  boolean inUse;
  Rpc.Message.Reader message;
  Rpc.Call.Reader call;
  Rpc.Payload.Reader payload;
  Rpc.MessageTarget.Reader target;
  Rpc.Call.SendResultsTo.Reader sendResultsTo;
  Rpc.Finish.Reader finish;
  Rpc.Return.Reader ret;
}
