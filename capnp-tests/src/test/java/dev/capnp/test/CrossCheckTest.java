package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.test.TestSchema.TestAllTypes;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cross-checks the generated code against the reference {@code capnp} tool: messages built by our
 * builders decode with {@code capnp decode} to the same text as the fixture, and messages made by
 * {@code capnp encode} read correctly through our readers, packed and unpacked, in one segment and
 * in many.
 */
class CrossCheckTest {
  private static String expectedText;

  @BeforeAll
  static void expectedText() {
    // The reference tool's own rendering of the fixture is the expected text.
    byte[] reference = CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), false);
    expectedText = CapnpTool.decode("TestAllTypes", reference, false);
    assertThat(expectedText).contains("really nested");
  }

  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void builtByGeneratedBuildersDecodesWithCapnp(boolean packed) {
    MessageBuilder message = new MessageBuilder();
    AllTypesValues.init(message.initRoot(TestAllTypes.FACTORY));
    byte[] bytes = packed ? SerializePacked.toBytes(message) : Serialize.toBytes(message);
    assertThat(CapnpTool.decode("TestAllTypes", bytes, packed)).isEqualTo(expectedText);
  }

  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void encodedByCapnpReadsThroughGeneratedReaders(boolean packed) {
    byte[] bytes = CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), packed);
    MessageReader message =
        packed ? SerializePacked.read(ByteBuffer.wrap(bytes)) : Serialize.read(ByteBuffer.wrap(bytes));
    AllTypesValues.check(message.getRoot(TestAllTypes.FACTORY));
  }

  @ParameterizedTest(name = "packed={0}")
  @ValueSource(booleans = {false, true})
  void multiSegmentMessagesWithFarPointersDecodeWithCapnp(boolean packed) {
    // A one-word first segment forces nearly every object into later segments via far pointers.
    MessageBuilder message = new MessageBuilder(1);
    AllTypesValues.init(message.initRoot(TestAllTypes.FACTORY));
    assertThat(message.getSegmentsForOutput().length).isGreaterThan(1);
    byte[] bytes = packed ? SerializePacked.toBytes(message) : Serialize.toBytes(message);
    assertThat(CapnpTool.decode("TestAllTypes", bytes, packed)).isEqualTo(expectedText);
    MessageReader reader =
        packed ? SerializePacked.read(ByteBuffer.wrap(bytes)) : Serialize.read(ByteBuffer.wrap(bytes));
    AllTypesValues.check(reader.getRoot(TestAllTypes.FACTORY));
  }

  @Test
  void builderReadsBackWhatItWrote() {
    MessageBuilder message = new MessageBuilder();
    TestAllTypes.Builder root = message.initRoot(TestAllTypes.FACTORY);
    AllTypesValues.init(root);
    AllTypesValues.check(root.asReader());
  }

  @Test
  void deepCopyIntoAnotherMessageKeepsEveryValue() {
    byte[] bytes = CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), false);
    TestAllTypes.Reader original = Serialize.read(ByteBuffer.wrap(bytes)).getRoot(TestAllTypes.FACTORY);
    MessageBuilder copy = new MessageBuilder(4);
    copy.setRoot(TestAllTypes.FACTORY, original);
    assertThat(CapnpTool.decode("TestAllTypes", Serialize.toBytes(copy), false)).isEqualTo(expectedText);
  }
}
