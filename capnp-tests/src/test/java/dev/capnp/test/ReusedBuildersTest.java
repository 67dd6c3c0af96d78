package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.test.TestSchema.TestAllTypes;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code initX(reuse)} builders (the twin of the readers' {@code getX(reuse)}):
 * the builder passed in is moved to the newly initialised struct and returned (a new one if it
 * is null), so writing many messages of the same shape needs the same few builders.
 */
class ReusedBuildersTest {
  private static MessageReader copy(MessageBuilder m) {
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(m)));
  }

  @Test
  void aReusedBuilderWritesTheNewStructAndLeavesTheOldOneAlone() {
    MessageBuilder first = new MessageBuilder();
    TestAllTypes.Builder root1 = first.initRoot(TestAllTypes.FACTORY);
    TestAllTypes.Builder struct = root1.initStructField(null);
    struct.setInt32Field(1);
    struct.setTextField("one");

    // in the same message: the field is replaced by a new, zeroed struct
    assertThat(root1.initStructField(struct)).isSameAs(struct);
    assertThat(struct.getInt32Field()).isZero();
    assertThat(struct.hasTextField()).isFalse();
    struct.setInt32Field(2);
    assertThat(root1.getStructField().getInt32Field()).isEqualTo(2);

    // in another message: the builder writes there, the first message keeps its content
    MessageBuilder second = new MessageBuilder();
    TestAllTypes.Builder root2 = second.initRoot(TestAllTypes.FACTORY);
    assertThat(root2.initStructField(struct)).isSameAs(struct);
    struct.setInt32Field(3);
    struct.setTextField("three");
    // a nested struct through the reused builder, itself reused from the first message
    TestAllTypes.Builder nested = root1.getStructField().initStructField(null);
    assertThat(struct.initStructField(nested)).isSameAs(nested);
    nested.setTextField("nested");

    TestAllTypes.Reader r1 = copy(first).getRoot(TestAllTypes.FACTORY);
    TestAllTypes.Reader r2 = copy(second).getRoot(TestAllTypes.FACTORY);
    assertThat(r1.getStructField().getInt32Field()).isEqualTo(2);
    assertThat(r1.getStructField().hasTextField()).isFalse();
    assertThat(r1.getStructField().getStructField().hasTextField()).isFalse();
    assertThat(r2.getStructField().getInt32Field()).isEqualTo(3);
    assertThat(r2.getStructField().getTextField()).hasToString("three");
    assertThat(r2.getStructField().getStructField().getTextField()).hasToString("nested");
  }

  @Test
  void aReusedUnionMemberBecomesTheUnionsMember() {
    // (the RPC schema's MessageTarget: a union of an import id and a promised answer)
    MessageBuilder m = new MessageBuilder();
    Rpc.Call.Builder call = m.initRoot(Rpc.Message.FACTORY).initCall(null);
    Rpc.MessageTarget.Builder target = call.initTarget(null);
    target.setImportedCap(7);
    Rpc.PromisedAnswer.Builder answer = null;
    for (int q = 1; q <= 3; q++) {
      MessageBuilder next = new MessageBuilder();
      Rpc.Message.Builder root = next.initRoot(Rpc.Message.FACTORY);
      // (the Call through the same builder as the Message's other union member before it)
      Rpc.Call.Builder c = root.initCall(call);
      assertThat(c).isSameAs(call);
      c.setQuestionId(q);
      assertThat(c.initTarget(target)).isSameAs(target);
      answer = target.initPromisedAnswer(answer);
      answer.setQuestionId(10 + q);
      Rpc.Message.Reader read = copy(next).getRoot(Rpc.Message.FACTORY);
      assertThat(read.isCall()).isTrue();
      assertThat(read.getCall().getQuestionId()).isEqualTo(q);
      assertThat(read.getCall().getTarget().isPromisedAnswer()).isTrue();
      assertThat(read.getCall().getTarget().getPromisedAnswer().getQuestionId())
          .isEqualTo(10 + q);
    }
    Rpc.Message.Reader firstRead = copy(m).getRoot(Rpc.Message.FACTORY);
    assertThat(firstRead.getCall().getQuestionId()).isZero();
    assertThat(firstRead.getCall().getTarget().isImportedCap()).isTrue();
    assertThat(firstRead.getCall().getTarget().getImportedCap()).isEqualTo(7);
  }
}
