package dev.capnp.rpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The pipeline of one of our questions: a promise per pointer path until the Return arrives,
 * then the capabilities of the results.
 */
final class RpcPipeline extends PipelineHook {
  private final RpcProtocol protocol;
  private final QuestionTable.Question question;
  private Map<String, PromiseClient> clients = new HashMap<>();
  private Results results;
  private RpcException error;
  /** Whether this pipeline holds a reference on its question (tail calls). */
  boolean holdsQuestion;

  RpcPipeline(RpcProtocol protocol, QuestionTable.Question question) {
    this.protocol = protocol;
    this.question = question;
  }

  @Override
  void release() {
    if (holdsQuestion) {
      holdsQuestion = false;
      if (!protocol.isDisconnected()) {
        protocol.questions.dropRef(question);
      }
    }
  }

  @Override
  ClientHook getPipelinedCap(short[] ops) {
    if (results != null) {
      return results.capAt(ops, protocol.loop);
    }
    if (error != null) {
      return new BrokenClient(protocol.loop, error);
    }
    if (protocol.isDisconnected()) {
      return new BrokenClient(protocol.loop, protocol.disconnectReason());
    }
    if (question.finishSent()) {
      // the question was canceled (Finish sent): its answer may be gone on the peer's side,
      // so naming it would be a protocol error (e.g. the pipeline of our answer whose call,
      // forwarded as this question, was canceled while the caller still pipelines on it)
      return new BrokenClient(protocol.loop, RpcException.failed("Call canceled"));
    }
    String key = Arrays.toString(ops);
    PromiseClient c = clients.get(key);
    if (c != null && c.tryAddRef()) {
      return c;
    }
    c = new PromiseClient(protocol, new PipelineClient(protocol, question, ops), -1);
    clients.put(key, c);
    return c;
  }

  /** The Return arrived with {@code r}: each pipelined promise resolves to its capability. */
  void onReturn(Results r) {
    results = r;
    Map<String, PromiseClient> cs = clients;
    clients = new HashMap<>();
    for (PromiseClient c : new ArrayList<>(cs.values())) {
      if (c.isLive()) {
        c.resolve(r.capAt(c.initialOps(), protocol.loop), false);
      }
    }
  }

  /** The question failed with {@code e}: each pipelined promise breaks. */
  void onError(RpcException e) {
    error = e;
    Map<String, PromiseClient> cs = clients;
    clients = new HashMap<>();
    for (PromiseClient c : cs.values()) {
      if (c.isLive()) {
        c.resolve(new BrokenClient(protocol.loop, e), true);
      }
    }
  }
}
