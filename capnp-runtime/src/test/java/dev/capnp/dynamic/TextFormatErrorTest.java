package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.MessageBuilder;
import org.junit.jupiter.api.Test;

/** Text that does not fit the schema gives one clear error with its position. */
class TextFormatErrorTest {
  private static void parse(String type, String text) {
    MessageBuilder message = new MessageBuilder();
    TextFormat.parse(text, message.initRoot(TestSchemas.struct(type).factory()));
  }

  @Test
  void typeMismatches() {
    assertThatThrownBy(() -> parse("AllTypes", "(int32Field = 1.5)"))
        .isInstanceOf(TextFormatException.class)
        .hasMessage("line 1, column 15-17: Type mismatch; expected Int32.");
    assertThatThrownBy(() -> parse("AllTypes", "(textField = 5)"))
        .hasMessageContaining("Type mismatch; expected Text.");
    assertThatThrownBy(() -> parse("AllTypes", "(enumField = 1)"))
        .hasMessageContaining("Type mismatch; expected Color.");
    assertThatThrownBy(() -> parse("AllTypes", "(int32List = [1, \"x\"])"))
        .hasMessageContaining("column 18-20: Type mismatch; expected Int32.");
    assertThatThrownBy(() -> parse("AllTypes", "(structField = 5)"))
        .hasMessageContaining("Type mismatch; expected AllTypes.");
    assertThatThrownBy(() -> parse("AllTypes", "(listList = [1])"))
        .hasMessageContaining("Type mismatch; expected List(Int32).");
    assertThatThrownBy(() -> parse("AllTypes", "(boolField = 1)"))
        .hasMessageContaining("Type mismatch; expected Bool.");
    assertThatThrownBy(() -> parse("AllTypes", "(textField = 0x\"00\")"))
        .hasMessageContaining("Type mismatch; expected Text.");
    assertThatThrownBy(() -> parse("Unions", "(grp = 5)"))
        .hasMessageContaining("Type mismatch; expected group.");
  }

  @Test
  void ranges() {
    assertThatThrownBy(() -> parse("AllTypes", "(int8Field = 128)"))
        .hasMessageContaining("Integer value out of range.");
    assertThatThrownBy(() -> parse("AllTypes", "(int8Field = -129)"))
        .hasMessageContaining("Integer value out of range.");
    assertThatThrownBy(() -> parse("AllTypes", "(uint8Field = -1)"))
        .hasMessageContaining("Integer value out of range.");
    assertThatThrownBy(() -> parse("AllTypes", "(uint32Field = 4294967296)"))
        .hasMessageContaining("Integer value out of range.");
    assertThatThrownBy(() -> parse("AllTypes", "(int64Field = -9223372036854775809)"))
        .hasMessageContaining("Integer is too big to be negative.");
  }

  @Test
  void namesAndStructure() {
    assertThatThrownBy(() -> parse("AllTypes", "(nope = 1)"))
        .hasMessage("line 1, column 2-5: Struct has no field named 'nope'.");
    assertThatThrownBy(() -> parse("AllTypes", "(enumField = purple)"))
        .hasMessageContaining("Enum Color has no enumerant named 'purple'.");
    assertThatThrownBy(() -> parse("AllTypes", "(int32Field = someConstant)"))
        .hasMessageContaining("Unknown name 'someConstant'");
    assertThatThrownBy(() -> parse("AllTypes", "(5)"))
        .hasMessageContaining("Input does not contain a struct");
    assertThatThrownBy(() -> parse("AllTypes", "(int32Field = 1, 2)"))
        .hasMessageContaining("Missing field name.");
    assertThatThrownBy(() -> parse("AllTypes", "(textField = embed \"file.txt\")"))
        .hasMessageContaining("not supported in text input");
    assertThatThrownBy(() -> parse("AllTypes", "(\n  int32Field = 1,\n  int8Field = x\n)"))
        .hasMessageContaining("line 3, column 15-15");
  }
}
