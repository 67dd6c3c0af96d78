package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.MessageBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mangled text must either parse or fail with a {@link TextFormatException}, nothing else. */
class TextParseFuzzTest {
  private static final String[] SEEDS = {
      "(int32Field = -5, textField = \"a\\tb\", dataField = 0x\"01 02\", enumField = blue, "
          + "float32Field = -inf, structField = (boolField = true), int8List = [1, 2], "
          + "listList = [[1], []], structList = [(a = 1, b = \"x\")], voidField = void)",
      "(first = 5, grp = (x = 1, inner = (q = true)), named = (n2 = 7), after = 1.5e3)",
  };
  private static final String[] TYPES = {"AllTypes", "Unions"};
  private static final String ALPHABET = "()[]=,\"\\x0-.e#\n abfinqtv19";

  @Test
  void mangledInputFailsCleanly() {
    Random random = new Random(7);
    int parsed = 0;
    for (int i = 0; i < 3000; i++) {
      int which = random.nextInt(SEEDS.length);
      StringBuilder text = new StringBuilder(SEEDS[which]);
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(3)) {
          case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
          case 1 -> {
            if (at < text.length()) {
              text.deleteCharAt(at);
            }
          }
          default -> {
            if (at < text.length()) {
              text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
          }
        }
      }
      MessageBuilder message = new MessageBuilder();
      DynamicStruct.Builder root = message.initRoot(TestSchemas.struct(TYPES[which]).factory());
      try {
        TextFormat.parse(text.toString(), root);
        parsed++;
      } catch (TextFormatException expected) {
        assertThat(expected.getMessage()).as("for %s", text).startsWith("line ");
      } catch (RuntimeException | StackOverflowError other) {
        throw new AssertionError("unexpected " + other + " for input: " + text, other);
      }
    }
    assertThat(parsed).isPositive();
  }

  @Test
  void deepNestingIsRejected() {
    String deep = "(structField = ".repeat(2000) + ")".repeat(2000);
    MessageBuilder message = new MessageBuilder();
    DynamicStruct.Builder root = message.initRoot(TestSchemas.struct("AllTypes").factory());
    assertThatThrownBy(() -> TextFormat.parse(deep.getBytes(StandardCharsets.UTF_8), root))
        .isInstanceOf(TextFormatException.class).hasMessageContaining("levels deep");
  }
}
