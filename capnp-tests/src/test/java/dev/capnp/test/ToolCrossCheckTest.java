package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.tool.CapnpJava;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code capnp-java decode/encode} on the comprehensive schema gives exactly what the reference
 * {@code capnp decode/encode} gives.
 */
class ToolCrossCheckTest {
  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void decodeEqualsCapnpDecode(boolean packed) {
    byte[] message = CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), packed);
    assertThat(capnpJava("decode", packed, message))
        .isEqualTo(CapnpTool.decode("TestAllTypes", message, packed));
  }

  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void decodeOfMultiSegmentMessagesEqualsCapnpDecode(boolean packed) {
    MessageBuilder builder = new MessageBuilder(1);
    AllTypesValues.init(builder.initRoot(TestAllTypes.FACTORY));
    byte[] message = packed ? SerializePacked.toBytes(builder) : Serialize.toBytes(builder);
    assertThat(capnpJava("decode", packed, message))
        .isEqualTo(CapnpTool.decode("TestAllTypes", message, packed));
  }

  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void encodeMatchesCapnpEncode(boolean packed) {
    byte[] text = CapnpTool.fixture("all-types.txt").getBytes(StandardCharsets.UTF_8);
    byte[] ours = capnpJavaBytes("encode", packed, text);
    assertThat(ours).isEqualTo(CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), packed));
  }

  private static String capnpJava(String verb, boolean packed, byte[] stdin) {
    return new String(capnpJavaBytes(verb, packed, stdin), StandardCharsets.UTF_8);
  }

  private static byte[] capnpJavaBytes(String verb, boolean packed, byte[] stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = packed
        ? new String[] {verb, "--packed", "-I", CapnpTool.SCHEMA_DIR.toString(),
            CapnpTool.TEST_SCHEMA.toString(), "TestAllTypes"}
        : new String[] {verb, "-I", CapnpTool.SCHEMA_DIR.toString(),
            CapnpTool.TEST_SCHEMA.toString(), "TestAllTypes"};
    int status = CapnpJava.run(args, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toByteArray();
  }
}
