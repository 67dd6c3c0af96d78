package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Printing a corrupted message either works or fails with a {@link DecodeException}. */
class TextPrintFuzzTest {
  @Test
  void corruptedMessagesFailCleanly() {
    byte[] original = CapnpCli.encode("AllTypes", "(int32Field = -5, textField = \"abc\", "
        + "dataField = 0x\"01 02\", enumField = blue, structField = (boolField = true, "
        + "textList = [\"x\", \"y\"]), int8List = [1, 2], listList = [[1], []], "
        + "structList = [(a = 1, b = \"x\")], textListList = [[\"q\"]], float64List = [1.5])",
        false);
    StructSchema schema = TestSchemas.struct("AllTypes");
    Random random = new Random(11);
    int printed = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = original.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int at = 8 + random.nextInt(bytes.length - 8); // keep the segment table intact
        bytes[at] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : bytes[at] ^ (1 << random.nextInt(8)));
      }
      try {
        MessageReader message = Serialize.read(ByteBuffer.wrap(bytes));
        DynamicStruct.Reader root = message.getRoot(schema.factory());
        TextFormat.prettyPrint(root);
        TextFormat.toString(root);
        printed++;
      } catch (DecodeException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (RuntimeException | StackOverflowError other) {
        throw new AssertionError("unexpected " + other + " for message "
            + HexFormat.of().formatHex(bytes), other);
      }
    }
    assertThat(printed).isPositive();
  }
}
