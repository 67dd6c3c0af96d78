package dev.capnp.runtime;

import static dev.capnp.runtime.Fixtures.message;
import static dev.capnp.runtime.HostileInputTest.far;
import static dev.capnp.runtime.HostileInputTest.list;
import static dev.capnp.runtime.HostileInputTest.struct;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Pins the exact text of the read path's errors: they are built only when a check fails (the
 * success path allocates nothing), and must stay as informative as they were when built eagerly.
 */
class ReadErrorTextTest {
  private static final ReaderOptions TINY = new ReaderOptions(3, 64);

  @Test
  void structTargetOutOfBounds() {
    assertThatThrownBy(() -> message(struct(5, 1, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessage("struct pointer (segment 0, word 0) target out of bounds (segment 0, word 6,"
            + " 1 words, segment size 1)");
  }

  @Test
  void structTargetBehindTheSegmentStart() {
    assertThatThrownBy(() -> message(struct(-2, 1, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessage("struct pointer (segment 0, word 0) target out of bounds (segment 0, word -1,"
            + " 1 words, segment size 1)");
  }

  @Test
  void listTargetOutOfBounds() {
    MessageReader m = message(struct(0, 0, 6), 0, list(0, 3, 100), 0, 0, 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getD())
        .isInstanceOf(DecodeException.class)
        .hasMessage("list pointer (segment 0, word 2) target out of bounds (segment 0, word 3,"
            + " 25 words, segment size 7)");
  }

  @Test
  void inlineCompositeListOutOfBounds() {
    MessageReader m = message(struct(0, 0, 6), 0, 0, 0, list(2, 7, 40), 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getF())
        .isInstanceOf(DecodeException.class)
        .hasMessage("inline composite list (segment 0, word 4) out of bounds (segment 0, word 7,"
            + " 41 words, segment size 7)");
  }

  @Test
  void textAndDataOutOfBounds() {
    MessageReader m = message(struct(0, 0, 6), list(5, 2, 17), 0, 0, 0, 0, list(0, 2, 9));
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class)
        .hasMessage("text (segment 0, word 1) out of bounds (segment 0, word 7, 3 words,"
            + " segment size 7)");
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getJ())
        .isInstanceOf(DecodeException.class)
        .hasMessage("data (segment 0, word 6) out of bounds (segment 0, word 7, 2 words,"
            + " segment size 7)");
  }

  @Test
  void textWithoutNul() {
    MessageReader m = message(struct(0, 0, 6), list(5, 2, 3), 0, 0, 0, 0, 0, 0x616161L);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class)
        .hasMessage("text is not NUL-terminated (segment 0, word 1)");
  }

  @Test
  void landingPadOutOfBounds() {
    assertThatThrownBy(() -> message(far(false, 9, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessage("far pointer landing pad out of bounds (segment 0, word 9, 1 words, segment"
            + " size 1)");
  }

  @Test
  void listOfTheWrongElementSize() {
    MessageReader m = message(struct(0, 0, 6), 0, list(4, 1, 3), 0, 0, 0, 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getD())
        .isInstanceOf(DecodeException.class)
        .hasMessage("schema mismatch: found a bit list where a TWO_BYTES list was expected"
            + " (list pointer (segment 0, word 2))");
  }

  @Test
  void traversalLimit() {
    MessageReader m = message(TINY, struct(0, 0, 6), 0, 0, 0, 0, 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessage("traversal limit exceeded reading 6 words (segment 0, word 1); the message"
            + " is too large or contains amplifying pointers (see ReaderOptions)");
  }

  @Test
  void wrongPointerKind() {
    MessageReader m = message(struct(0, 0, 6), 0, struct(0, 1, 0), 0, 0, 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getD())
        .isInstanceOf(DecodeException.class)
        .hasMessage("expected a list pointer, found a struct pointer (segment 0, word 2)");
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).get(Text.FACTORY, 1))
        .isInstanceOf(DecodeException.class)
        .hasMessage("expected text (a list pointer), found a struct pointer (segment 0, word 2)");
  }

  @Test
  void nestingLimit() {
    MessageReader m = message(new ReaderOptions(100, 1), struct(0, 0, 6), struct(-1, 0, 6),
        0, 0, 0, 0, 0);
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).get(T.FACTORY, 0).get(T.FACTORY, 0))
        .isInstanceOf(DecodeException.class)
        .hasMessage("nesting limit exceeded: message is too deeply nested or contains cycles"
            + " (segment 0, word 1)");
  }
}
