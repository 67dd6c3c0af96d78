package dev.capnp.rpc.protocol;

import dev.capnp.rpc.internal.CallParams;
import dev.capnp.rpc.internal.CallResult;
import dev.capnp.rpc.proto.Rpc;
import java.util.Arrays;

/**
 * A capability at a pointer path of one of our questions' results, before the Return: named to
 * the peer as {@code promisedAnswer}/{@code receiverAnswer}. Holds a reference on its question
 * (no Finish while it lives).
 */
public final class PipelineClient extends RpcClient {
  final QuestionTable.Question question;
  final short[] ops;

  PipelineClient(RpcProtocol protocol, QuestionTable.Question question, short[] ops) {
    super(protocol);
    this.question = question;
    this.ops = ops;
    question.refs++;
  }

  @Override
  public CallResult call(CallParams params) {
    return protocol.delivery.call(this, params);
  }

  @Override
  public void callForResults(CallParams params,
      java.util.function.BiConsumer<dev.capnp.rpc.internal.Results, Throwable> listener) {
    protocol.delivery.callForResults(this, params, listener);
  }

  @Override
  int writeDescriptor(Rpc.CapDescriptor.Builder d) {
    RpcMessages.writeOps(d.initReceiverAnswer(), question.id, ops);
    return -1;
  }

  @Override
  void writeTarget(Rpc.MessageTarget.Builder t) {
    RpcMessages.writeOps(t.initPromisedAnswer(), question.id, ops);
  }

  @Override
  public void destroy() {
    if (!protocol.isDisconnected()) {
      protocol.questions.dropRef(question);
    }
  }

  @Override
  public String describe() {
    return "answer(" + protocol.name + ":" + question.id + Arrays.toString(ops) + ")";
  }
}
