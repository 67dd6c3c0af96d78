package dev.capnp.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextMessageSplitterTest {
  private static List<String> split(String s) {
    return TextMessageSplitter.split(s.getBytes(StandardCharsets.UTF_8)).stream()
        .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void splitsAtTopLevelParentheses() {
    assertThat(split("(a = 1)\n(b = (c = 2))\n")).containsExactly("(a = 1)\n", "(b = (c = 2))\n");
    assertThat(split("# comment (\n(a = 1) (b = 2)")).containsExactly("# comment (\n(a = 1) ",
        "(b = 2)");
  }

  @Test
  void ignoresParenthesesInStringsAndComments() {
    assertThat(split("(t = \")(\\\")(\") # )(\n(u = 1)"))
        .containsExactly("(t = \")(\\\")(\") # )(\n", "(u = 1)");
  }

  @Test
  void blankInputHasNoMessages() {
    assertThat(split("")).isEmpty();
    assertThat(split("  \n# only a comment\n")).isEmpty();
  }
}
