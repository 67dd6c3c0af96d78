package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.test.TestSchema.TestConstants;
import dev.capnp.test.TestSchema.TestEnum;
import org.junit.jupiter.api.Test;

/** Constants of every type, including struct, list and derived constants. */
class ConstantsTest {
  @Test
  void primitiveConstants() {
    assertThat(TestConstants.BOOL_CONST).isTrue();
    assertThat(TestConstants.INT8_CONST).isEqualTo((byte) -123);
    assertThat(TestConstants.INT16_CONST).isEqualTo((short) -12345);
    assertThat(TestConstants.INT32_CONST).isEqualTo(-12345678);
    assertThat(TestConstants.INT64_CONST).isEqualTo(-123456789012345L);
    assertThat(TestConstants.UINT8_CONST).isEqualTo((byte) 234);
    assertThat(TestConstants.UINT16_CONST).isEqualTo((short) 45678);
    assertThat(TestConstants.UINT32_CONST).isEqualTo((int) 3456789012L);
    assertThat(TestConstants.UINT64_CONST).isEqualTo(Long.parseUnsignedLong("12345678901234567890"));
    assertThat(TestConstants.FLOAT32_CONST).isEqualTo(1234.5f);
    assertThat(TestConstants.FLOAT64_CONST).isEqualTo(-123e45);
    assertThat(TestConstants.ENUM_CONST).isEqualTo(TestEnum.CORGE);
    assertThat(TestSchema.GLOBAL_INT).isEqualTo(12345);
  }

  @Test
  void pointerConstants() {
    assertThat(TestConstants.TEXT_CONST.toString()).isEqualTo("foo");
    assertThat(TestConstants.DATA_CONST.toArray()).isEqualTo(AllTypesValues.bytes("bar"));
    assertThat(TestConstants.STRUCT_CONST.getTextField().toString()).isEqualTo("baz");
    assertThat(TestConstants.STRUCT_CONST.getInt32Field()).isEqualTo(-78901234);
    assertThat(TestConstants.STRUCT_CONST.getStructField().getTextField().toString()).isEqualTo("nested");
    assertThat(TestConstants.STRUCT_CONST.getEnumList().get(2)).isEqualTo(TestEnum.GRAULT);
    assertThat(TestConstants.VOID_LIST_CONST.size()).isEqualTo(6);
    assertThat(TestConstants.BOOL_LIST_CONST.get(3)).isTrue();
    assertThat(TestConstants.INT32_LIST_CONST.get(1)).isEqualTo(-111111111);
    assertThat(TestConstants.FLOAT64_LIST_CONST.get(3)).isNaN();
    assertThat(TestConstants.TEXT_LIST_CONST.get(2).toString()).isEqualTo("thud");
    assertThat(TestConstants.DATA_LIST_CONST.get(1).toArray()).isEqualTo(AllTypesValues.bytes("exhausted"));
    assertThat(TestConstants.STRUCT_LIST_CONST.get(0).getTextField().toString()).isEqualTo("structlist 1");
    assertThat(TestConstants.ENUM_LIST_CONST.get(1)).isEqualTo(TestEnum.GARPLY);
    assertThat(TestSchema.GLOBAL_TEXT.toString()).isEqualTo("foobar");
    assertThat(TestSchema.GLOBAL_STRUCT.getInt32Field()).isEqualTo(54321);
  }

  @Test
  void derivedConstantsResolveReferences() {
    assertThat(TestSchema.DERIVED_CONSTANT.getUInt32Field()).isEqualTo(12345);
    assertThat(TestSchema.DERIVED_CONSTANT.getTextField().toString()).isEqualTo("foo");
    assertThat(TestSchema.DERIVED_CONSTANT.getStructField().getTextField().toString()).isEqualTo("baz");
    assertThat(TestSchema.DERIVED_CONSTANT.getInt16List().get(2)).isEqualTo((short) 33);
  }
}
