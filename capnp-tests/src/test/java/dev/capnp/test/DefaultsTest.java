package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestDefaults;
import dev.capnp.test.TestSchema.TestEnum;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Default values: XOR-encoded primitives and copied-on-write pointer defaults. */
class DefaultsTest {
  @Test
  void emptyStructReadsEveryDefault() {
    MessageBuilder message = new MessageBuilder();
    message.initRoot(TestDefaults.FACTORY);
    TestDefaults.Reader r =
        Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message))).getRoot(TestDefaults.FACTORY);
    checkDefaults(r);
  }

  @Test
  void builderGettersSeeDefaultsAndOverridesStick() {
    MessageBuilder message = new MessageBuilder();
    TestDefaults.Builder b = message.initRoot(TestDefaults.FACTORY);
    checkDefaults(b.asReader());
    assertThat(b.getInt32Field()).isEqualTo(-12345678);
    b.setInt32Field(0);
    b.setBoolField(false);
    b.setFloat64Field(0);
    b.setEnumField(TestEnum.FOO);
    b.setTextField("changed");
    TestDefaults.Reader r = b.asReader();
    assertThat(r.getInt32Field()).isZero();
    assertThat(r.getBoolField()).isFalse();
    assertThat(r.getFloat64Field()).isZero();
    assertThat(r.getEnumField()).isEqualTo(TestEnum.FOO);
    assertThat(r.getTextField().toString()).isEqualTo("changed");
    // Untouched fields still show their defaults.
    assertThat(r.getInt64Field()).isEqualTo(-123456789012345L);
  }

  @Test
  void gettingAPointerDefaultFromABuilderCopiesItIntoTheMessage() {
    MessageBuilder message = new MessageBuilder();
    TestDefaults.Builder b = message.initRoot(TestDefaults.FACTORY);
    TestAllTypes.Builder struct = b.getStructField();
    assertThat(struct.getTextField().toString()).isEqualTo("baz");
    struct.setInt8Field((byte) 7);
    String text = CapnpTool.decode("TestDefaults", Serialize.toBytes(message), false);
    assertThat(text).contains("int8Field = 7").contains("textField = \"baz\"").contains("x structlist 2");
  }

  static void checkDefaults(TestDefaults.Reader r) {
    assertThat(r.getBoolField()).isTrue();
    assertThat(r.getInt8Field()).isEqualTo((byte) -123);
    assertThat(r.getInt16Field()).isEqualTo((short) -12345);
    assertThat(r.getInt32Field()).isEqualTo(-12345678);
    assertThat(r.getInt64Field()).isEqualTo(-123456789012345L);
    assertThat(r.getUInt8Field()).isEqualTo((byte) 234);
    assertThat(r.getUInt16Field()).isEqualTo((short) 45678);
    assertThat(r.getUInt32Field()).isEqualTo((int) 3456789012L);
    assertThat(r.getUInt64Field()).isEqualTo(Long.parseUnsignedLong("12345678901234567890"));
    assertThat(r.getFloat32Field()).isEqualTo(1234.5f);
    assertThat(r.getFloat64Field()).isEqualTo(-123e45);
    assertThat(r.getTextField().toString()).isEqualTo("foo");
    assertThat(r.getDataField().toArray()).isEqualTo(AllTypesValues.bytes("bar"));
    TestAllTypes.Reader s = r.getStructField();
    assertThat(s.getInt32Field()).isEqualTo(-78901234);
    assertThat(s.getStructField().getStructField().getTextField().toString())
        .isEqualTo("really nested");
    assertThat(s.getEnumList().get(2)).isEqualTo(TestEnum.GRAULT);
    assertThat(r.getEnumField()).isEqualTo(TestEnum.CORGE);
    assertThat(r.getVoidList().size()).isEqualTo(6);
    assertThat(r.getBoolList().get(0)).isTrue();
    assertThat(r.getBoolList().get(1)).isFalse();
    assertThat(r.getInt64List().get(1)).isEqualTo(-1111111111111111111L);
    assertThat(r.getUInt64List().get(0)).isEqualTo(Long.parseUnsignedLong("11111111111111111111"));
    assertThat(r.getFloat32List().get(3)).isNaN();
    assertThat(r.getFloat64List().get(1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(r.getTextList().get(1).toString()).isEqualTo("xyzzy");
    assertThat(r.getDataList().get(2).toArray()).isEqualTo(AllTypesValues.bytes("rfc3092"));
    assertThat(r.getStructList().get(1).getTextField().toString()).isEqualTo("structlist 2");
    assertThat(r.getEnumList().get(1)).isEqualTo(TestEnum.GARPLY);
  }
}
