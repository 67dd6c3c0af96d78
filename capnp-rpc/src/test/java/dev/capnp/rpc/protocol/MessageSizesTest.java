package dev.capnp.rpc.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.internal.FirstSegmentHint;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.StructSize;
import org.junit.jupiter.api.Test;

/**
 * The first segments of the protocol's own messages are sized to what they hold: a Finish or a
 * Release fills its segment exactly (one segment, nothing allocated beyond it), and a
 * {@link FirstSegmentHint} follows the size of the last message it recorded.
 */
class MessageSizesTest {
  @Test
  void finishAndReleaseFillExactlyOneSegment() {
    MessageBuilder finish = RpcMessages.finish(123, true);
    assertThat(finish.segmentCount()).isEqualTo(1);
    assertThat(finish.sizeInWords()).isEqualTo(RpcMessages.FINISH_WORDS);
    assertThat(RpcMessages.FINISH_WORDS).isEqualTo(4); // root pointer, Message, Finish

    MessageBuilder release = RpcMessages.release(7, 3);
    assertThat(release.segmentCount()).isEqualTo(1);
    assertThat(release.sizeInWords()).isEqualTo(RpcMessages.RELEASE_WORDS);
  }

  @Test
  void hintFollowsTheLastMessageWithinBounds() {
    FirstSegmentHint hint = new FirstSegmentHint(64);
    assertThat(hint.words()).isEqualTo(64);

    MessageBuilder small = hint.newMessage();
    small.getRootAnyPointer().initAs(AnyStruct.factory(new StructSize(14, 0))); // 1 + 14 words used
    hint.record(small);
    assertThat(hint.words()).isEqualTo(24); // 15 + 15/4 = 18, rounded up to 8 words

    MessageBuilder tiny = new MessageBuilder(1);
    hint.record(tiny);
    assertThat(hint.words()).isEqualTo(8); // never below 8 words

    MessageBuilder big = new MessageBuilder(10_000);
    big.getRootAnyPointer().initAs(AnyStruct.factory(new StructSize(5_000, 0)));
    hint.record(big);
    assertThat(hint.words()).isEqualTo(FirstSegmentHint.MAX_WORDS); // capped
    assertThat(hint.newMessage().segmentCount()).isEqualTo(1);
  }
}
