package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-checks against the reference {@code capnp} tool: our printer must produce exactly what
 * {@code capnp decode} prints, and messages built by our parser must decode to the same text as
 * messages built by {@code capnp encode}.
 */
class TextFormatCompatTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("AllTypes", "()"),
        Arguments.of("Small", "(a = 1, b = \"x\")"),
        Arguments.of("AllTypes", "(boolField = true, int8Field = -128, int16Field = -32768, "
            + "int32Field = -2147483648, int64Field = -9223372036854775808, uint8Field = 255, "
            + "uint16Field = 65535, uint32Field = 4294967295, uint64Field = 18446744073709551615, "
            + "float32Field = 3.4028234663852886e38, float64Field = 1e100)"),
        Arguments.of("AllTypes", "(int8Field = 127, int16Field = 32767, int32Field = 2147483647, "
            + "int64Field = 9223372036854775807, float32Field = -0.0, float64Field = -0.0)"),
        Arguments.of("AllTypes", "(float32Field = inf, float64Field = -inf)"),
        Arguments.of("AllTypes", "(float32Field = nan, float64Field = nan)"),
        Arguments.of("AllTypes", "(float32Field = 0.1, float64Field = 0.1)"),
        Arguments.of("AllTypes", "(float32Field = 1e-40, float64Field = 5e-324)"),
        Arguments.of("AllTypes", "(float32Field = 16777217, float64Field = 123456789012345678)"),
        Arguments.of("AllTypes", "(textField = \"tab\\there\\nnewline \\\"quoted\\\" back\\\\slash "
            + "'single' \\x01\\x7f bell\\a\")"),
        Arguments.of("AllTypes", "(textField = \"unicode: héllo wörld 日本語 😀\")"),
        Arguments.of("AllTypes", "(textField = \"\")"),
        Arguments.of("AllTypes", "(dataField = 0x\"00 01 7f 80 ff 0a 22 5c 41\")"),
        Arguments.of("AllTypes", "(dataField = \"plain bytes\")"),
        Arguments.of("AllTypes", "(enumField = green, structField = (enumField = blue, "
            + "structField = (int32Field = 5)))"),
        Arguments.of("AllTypes", "(voidList = [void, void, void], boolList = [true, false, true], "
            + "int8List = [1, -1], int16List = [300, -300], int32List = [100000], "
            + "int64List = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])"),
        Arguments.of("AllTypes", "(uint8List = [0, 255], uint16List = [65535], "
            + "uint32List = [4294967295, 0], uint64List = [18446744073709551615], "
            + "float32List = [1.5, -2.25, inf, nan], float64List = [1e-300, 2.5e300, -0.0])"),
        Arguments.of("AllTypes", "(textList = [\"a\", \"\", \"a much longer string that will "
            + "not fit inline\"], dataList = [0x\"ff\", \"\"])"),
        Arguments.of("AllTypes", "(structList = [(a = 1), (b = \"two\"), (a = 3, b = \"three\")], "
            + "enumList = [red, green, blue])"),
        Arguments.of("AllTypes", "(listList = [[1, 2], [], [3]], textListList = [[\"x\"], []], "
            + "structListList = [[(a = 1)], [(a = 2), (b = \"q\")]])"),
        Arguments.of("AllTypes", "(structList = [(a = 123456789, b = \"this is a fairly long "
            + "text value\"), (a = 987654321, b = \"another fairly long text value here\")])"),
        Arguments.of("AllTypes", "(int32List = [1000000000, 1000000001, 1000000002, 1000000003, "
            + "1000000004, 1000000005, 1000000006, 1000000007, 1000000008, 1000000009])"),
        Arguments.of("Defaults", "()"),
        Arguments.of("Defaults", "(i32 = 0, u16 = 0, b = false, f32 = 0, f64 = 0, t = \"\", "
            + "d = \"\", e = red, s = (), l = [], i8 = 0, u64 = 0)"),
        Arguments.of("Defaults", "(t = \"x\", s = (a = 1), l = [4])"),
        Arguments.of("Unions", "()"),
        Arguments.of("Unions", "(first = 5)"),
        Arguments.of("Unions", "(second = \"two\", middle = \"m\", after = 1.5)"),
        Arguments.of("Unions", "(third = (a = 3), grp = (x = 1, y = \"why\", inner = (q = true)))"),
        Arguments.of("Unions", "(fourth = void, named = (n2 = -7), before = 9)"),
        Arguments.of("Unions", "(fifth = [1, 2, 3], grp = (inner = (p = 200)), named = (n1 = \"n\"))"),
        Arguments.of("PtrUnion", "()"),
        Arguments.of("PtrUnion", "(t = \"\")"),
        Arguments.of("PtrUnion", "(n = 0)"),
        Arguments.of("Generics", "(textBox = (value = \"x\", label = \"l\"), "
            + "smallBox = (value = (a = 1)), listBox = (value = [1, 2]), "
            + "pair = (key = \"k\", value = (b = \"v\")), nested = (value = (value = \"deep\")))"),
        Arguments.of("Generics", "(anyBox = (label = \"z\"))"),
        Arguments.of("Outer", "(inner = (value = \"v\"), deepest = (n = 4000000000))"),
        Arguments.of("Outer.Inner", "(value = \"nested type\")"),
        Arguments.of("Outer.Inner.Deepest", "(n = 1)"),
        Arguments.of("AllTypes", "(textField = \"a\\0b\\xff\\xfe\\xc3\")"),
        Arguments.of("Generics", "(boxes = [(value = \"a\"), (label = \"b\")])"),
        Arguments.of("Unions", "(grp = (x = 1, y = \"a\", inner = (q = true)), grp = (x = 2))"),
        Arguments.of("Unions", "(first = 5, second = \"x\", first = 6, before = 1, before = 2)"),
        Arguments.of("AllTypes", "(structField = (structField = (structField = (textList = "
            + "[\"deeply\", \"nested\", \"lists of text that are long enough to wrap\"]))))"));
  }

  /** Messages written with one type and read with another (schema evolution). */
  static Stream<Arguments> crossTypeCases() {
    return Stream.of(
        Arguments.of("PtrUnionV2", "EnumHolder", "(extra = 5, color = 9)"),
        Arguments.of("PtrUnionV2", "EnumHolder", "(n = 5, color = 2)"),
        Arguments.of("PtrUnionV2", "PtrUnion", "(extra = 5, color = 1)"),
        Arguments.of("AnyHolderAsText", "AnyHolder", "(p = \"x\")"),
        Arguments.of("AnyHolderAsText", "AnyHolder", "()"),
        Arguments.of("Small", "AllTypes", "(a = 5, b = \"old\")"),
        Arguments.of("AllTypes", "Small", "(int32Field = 7, voidField = void, int64Field = 1)"));
  }

  @ParameterizedTest
  @MethodSource("crossTypeCases")
  void readsOtherVersionsLikeCapnp(String writeType, String readType, String text) {
    byte[] message = CapnpCli.encode(writeType, text, false);
    DynamicStruct.Reader reader = read(readType, Serialize.read(ByteBuffer.wrap(message)));
    assertThat(TextFormat.prettyPrint(reader) + "\n")
        .isEqualTo(CapnpCli.decode(readType, message, false, false));
  }

  @Test
  void emptyStructPrintsParentheses() {
    MessageBuilder builder = new MessageBuilder();
    DynamicStruct.Builder root = builder.initRoot(TestSchemas.struct("Empty").factory());
    assertThat(TextFormat.prettyPrint(root.asReader())).isEqualTo("()");
    assertThat(root.toString()).isEqualTo("()");
  }

  private static DynamicStruct.Reader read(String type, MessageReader message) {
    return message.getRoot(TestSchemas.struct(type).factory());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void printerMatchesCapnpDecode(String type, String text) {
    byte[] message = CapnpCli.encode(type, text, false);
    DynamicStruct.Reader reader = read(type, Serialize.read(ByteBuffer.wrap(message)));
    assertThat(TextFormat.prettyPrint(reader) + "\n")
        .isEqualTo(CapnpCli.decode(type, message, false, false));
    assertThat(TextFormat.toString(reader) + "\n")
        .isEqualTo(CapnpCli.decode(type, message, false, true));
    assertThat(withNewline(TextFormat.prettyPrintBytes(reader)))
        .isEqualTo(CapnpCli.decodeBytes(type, message, false, false));
    assertThat(withNewline(TextFormat.toStringBytes(reader)))
        .isEqualTo(CapnpCli.decodeBytes(type, message, false, true));
  }

  private static byte[] withNewline(byte[] text) {
    byte[] out = java.util.Arrays.copyOf(text, text.length + 1);
    out[text.length] = '\n';
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void multiSegmentInputPrintsTheSame(String type, String text) {
    // Tiny segments force far pointers (and double-far landing pads) everywhere.
    byte[] message = CapnpCli.run(text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "encode", "--segment-size", "2", CapnpCli.testSchema().toString(), type);
    MessageReader reader = Serialize.read(ByteBuffer.wrap(message));
    assertThat(TextFormat.prettyPrint(read(type, reader)) + "\n")
        .isEqualTo(CapnpCli.decode(type, message, false, false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void packedInputPrintsTheSame(String type, String text) {
    byte[] message = CapnpCli.encode(type, text, true);
    DynamicStruct.Reader reader = read(type, SerializePacked.read(ByteBuffer.wrap(message)));
    assertThat(TextFormat.prettyPrint(reader) + "\n")
        .isEqualTo(CapnpCli.decode(type, message, true, false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void parsedMessagesDecodeLikeCapnpEncode(String type, String text) {
    String expected = CapnpCli.decode(type, CapnpCli.encode(type, text, false), false, false);
    MessageBuilder builder = new MessageBuilder();
    TextFormat.parse(text, builder.initRoot(TestSchemas.struct(type).factory()));
    assertThat(CapnpCli.decode(type, Serialize.toBytes(builder), false, false)).isEqualTo(expected);
    assertThat(CapnpCli.decode(type, SerializePacked.toBytes(builder), true, false))
        .isEqualTo(expected);
    assertThat(TextFormat.prettyPrint(builder.getRoot(TestSchemas.struct(type).factory()).asReader())
        + "\n").isEqualTo(expected);
  }

  @Test
  void randomFloatsAndIntegersPrintLikeCapnp() {
    Random random = new Random(42);
    StringBuilder f32 = new StringBuilder();
    StringBuilder f64 = new StringBuilder();
    StringBuilder i64 = new StringBuilder();
    StringBuilder u64 = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      String sep = i == 0 ? "" : ", ";
      float f = Float.intBitsToFloat(random.nextInt());
      double d = Double.longBitsToDouble(random.nextLong());
      if (i % 3 == 0) {
        f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10));
        d = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
      }
      f32.append(sep).append(literal(f));
      f64.append(sep).append(literal(d));
      i64.append(sep).append(random.nextLong());
      u64.append(sep).append(Long.toUnsignedString(random.nextLong()));
    }
    String text = "(float32List = [" + f32 + "], float64List = [" + f64 + "], int64List = [" + i64
        + "], uint64List = [" + u64 + "])";
    byte[] message = CapnpCli.encode("AllTypes", text, false);
    DynamicStruct.Reader reader = read("AllTypes", Serialize.read(ByteBuffer.wrap(message)));
    assertThat(TextFormat.prettyPrint(reader) + "\n")
        .isEqualTo(CapnpCli.decode("AllTypes", message, false, false));

    MessageBuilder builder = new MessageBuilder();
    TextFormat.parse(text, builder.initRoot(TestSchemas.struct("AllTypes").factory()));
    assertThat(CapnpCli.decode("AllTypes", Serialize.toBytes(builder), false, false))
        .isEqualTo(CapnpCli.decode("AllTypes", message, false, false));
  }

  private static String literal(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    return Double.toString(d);
  }
}
