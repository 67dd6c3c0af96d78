package dev.capnp.rpc;

import dev.capnp.rpc.proto.Rpc;
import java.util.Arrays;

/**
 * A capability at a pointer path of one of our questions' results, before the Return: named to
 * the peer as {@code promisedAnswer}/{@code receiverAnswer}. Holds a reference on its question
 * (no Finish while it lives).
 */
final class PipelineClient extends RpcClient {
  final QuestionTable.Question question;
  final short[] ops;

  PipelineClient(RpcProtocol protocol, QuestionTable.Question question, short[] ops) {
    super(protocol);
    this.question = question;
    this.ops = ops;
    question.refs++;
  }

  @Override
  CallResult call(CallParams params) {
    return protocol.delivery.call(this, params);
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
  void destroy() {
    if (!protocol.isDisconnected()) {
      protocol.questions.dropRef(question);
    }
  }

  @Override
  String describe() {
    return "answer(" + protocol.name + ":" + question.id + Arrays.toString(ops) + ")";
  }
}
