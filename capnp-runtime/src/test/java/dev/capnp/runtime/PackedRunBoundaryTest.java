package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Packed runs must end where the framing requires (as in C++): a zero or literal run that
 * continues past the end of the message used to be accepted, silently dropping the run's words
 * or leaving the next message to start inside a literal run.
 */
class PackedRunBoundaryTest {
  /** Segment table: one segment of one word; then one zero word whose zero run claims 3 more. */
  private static final byte[] ZERO_RUN_PAST_END = {0x10, 1, 0, 3};

  /** Segment table as above; then a literal word whose literal run claims one more word. */
  private static final byte[] LITERAL_RUN_PAST_END = {0x10, 1, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7,
      8, 1, 9, 9, 9, 9, 9, 9, 9, 9};

  @Test
  void zeroRunPastTheEndOfTheMessageIsRejected() {
    assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(ZERO_RUN_PAST_END)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("does not end cleanly at the end of the message")
        .hasMessageContaining("zero run continues for 3 more words");
    assertThatThrownBy(() -> SerializePacked.read(new ByteArrayInputStream(ZERO_RUN_PAST_END)))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void literalRunPastTheEndOfTheMessageIsRejected() {
    assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(LITERAL_RUN_PAST_END)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("literal run continues for 1 more words");
  }

  @Test
  void runFromTheFirstWordIntoTheSegmentTableIsRejected() {
    // First word: 2 segments (count - 1 = 1), segment 0 of 0 words... as a literal run of one
    // word covering the rest of the table.
    byte[] packed = {(byte) 0xff, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(packed)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("end of the first word of the segment table");
  }

  @Test
  void ownOutputStillReadsBackToBack() throws IOException {
    MessageBuilder a = new MessageBuilder(1);
    Fixtures.fill(a.initRoot(T.FACTORY));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    SerializePacked.write(out, a);
    SerializePacked.write(out, a);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    for (int i = 0; i < 2; i++) {
      assertThat(SerializePacked.tryRead(in, ReaderOptions.DEFAULT).getRoot(T.FACTORY).getA())
          .isEqualTo(a.getRoot(T.FACTORY).getA());
    }
    assertThat(SerializePacked.tryRead(in, ReaderOptions.DEFAULT)).isNull();
  }
}
