package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.DataList;
import dev.capnp.runtime.EnumList;
import dev.capnp.runtime.PrimitiveList;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.TextList;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestEnum;
import java.nio.charset.StandardCharsets;

/**
 * Fills and checks a {@code TestAllTypes} with exactly the values of
 * {@code src/test/resources/text/all-types.txt}.
 */
final class AllTypesValues {
  static final String LAST_TEXT =
      "multi\nline \"quoted\" \t tab \\ and \u0001 control and üñíçødé";
  static final byte[] LAST_DATA = {0, (byte) 0xff, ' ', 'b', 'i', 'n', 'a', 'r', 'y'};

  private AllTypesValues() {}

  static void init(TestAllTypes.Builder b) {
    b.setBoolField(true);
    b.setInt8Field((byte) -123);
    b.setInt16Field((short) -12345);
    b.setInt32Field(-12345678);
    b.setInt64Field(-123456789012345L);
    b.setUInt8Field((byte) 234);
    b.setUInt16Field((short) 45678);
    b.setUInt32Field((int) 3456789012L);
    b.setUInt64Field(Long.parseUnsignedLong("12345678901234567890"));
    b.setFloat32Field(1234.5f);
    b.setFloat64Field(-123e45);
    b.setTextField("foo");
    b.setDataField(new Data.Reader(bytes("bar")));

    TestAllTypes.Builder s = b.initStructField();
    s.setBoolField(true);
    s.setInt8Field((byte) -12);
    s.setInt16Field((short) 3456);
    s.setInt32Field(-78901234);
    s.setInt64Field(56789012345678L);
    s.setUInt8Field((byte) 90);
    s.setUInt16Field((short) 1234);
    s.setUInt32Field(56789012);
    s.setUInt64Field(345678901234567890L);
    s.setFloat32Field(-1.25e-10f);
    s.setFloat64Field(345);
    s.setTextField("baz");
    s.setDataField(new Data.Reader(bytes("qux")));
    TestAllTypes.Builder nested = s.initStructField();
    nested.setTextField("nested");
    nested.initStructField().setTextField("really nested");
    s.setEnumField(TestEnum.BAZ);
    s.initVoidList(3);
    setBools(s.initBoolList(5), false, true, false, true, true);
    PrimitiveList.Byte.Builder i8 = s.initInt8List(4);
    i8.set(0, (byte) 12);
    i8.set(1, (byte) -34);
    i8.set(2, Byte.MIN_VALUE);
    i8.set(3, Byte.MAX_VALUE);
    PrimitiveList.Short.Builder i16 = s.initInt16List(4);
    i16.set(0, (short) 1234);
    i16.set(1, (short) -5678);
    i16.set(2, Short.MIN_VALUE);
    i16.set(3, Short.MAX_VALUE);
    setInts(s.initInt32List(4), 12345678, -90123456, Integer.MIN_VALUE, Integer.MAX_VALUE);
    setLongs(s.initInt64List(4), 123456789012345L, -678901234567890L, Long.MIN_VALUE, Long.MAX_VALUE);
    PrimitiveList.Byte.Builder u8 = s.initUInt8List(4);
    u8.set(0, (byte) 12);
    u8.set(1, (byte) 34);
    u8.set(2, (byte) 0);
    u8.set(3, (byte) 0xff);
    PrimitiveList.Short.Builder u16 = s.initUInt16List(4);
    u16.set(0, (short) 1234);
    u16.set(1, (short) 5678);
    u16.set(2, (short) 0);
    u16.set(3, (short) 0xffff);
    setInts(s.initUInt32List(4), 12345678, 90123456, 0, 0xffffffff);
    setLongs(s.initUInt64List(4), 123456789012345L, 678901234567890L, 0, -1L);
    PrimitiveList.Float.Builder f32 = s.initFloat32List(6);
    float[] floats = {0, 1234567, 1e37f, -1e37f, 1e-37f, -1e-37f};
    for (int i = 0; i < floats.length; i++) {
      f32.set(i, floats[i]);
    }
    PrimitiveList.Double.Builder f64 = s.initFloat64List(6);
    double[] doubles = {0, 123456789012345.0, 1e306, -1e306, 1e-306, -1e-306};
    for (int i = 0; i < doubles.length; i++) {
      f64.set(i, doubles[i]);
    }
    setTexts(s.initTextList(3), "quux", "corge", "grault");
    setData(s.initDataList(3), bytes("garply"), bytes("waldo"), bytes("fred"));
    StructList.Builder<TestAllTypes.Builder> structs = s.initStructList(3);
    for (int i = 0; i < 3; i++) {
      structs.get(i).setTextField("x structlist " + (i + 1));
    }
    setEnums(s.initEnumList(3), TestEnum.QUX, TestEnum.BAR, TestEnum.GRAULT);

    b.setEnumField(TestEnum.CORGE);
    b.initVoidList(6);
    setBools(b.initBoolList(4), true, false, false, true);
    PrimitiveList.Byte.Builder bi8 = b.initInt8List(2);
    bi8.set(0, (byte) 111);
    bi8.set(1, (byte) -111);
    PrimitiveList.Short.Builder bi16 = b.initInt16List(2);
    bi16.set(0, (short) 11111);
    bi16.set(1, (short) -11111);
    setInts(b.initInt32List(2), 111111111, -111111111);
    setLongs(b.initInt64List(2), 1111111111111111111L, -1111111111111111111L);
    PrimitiveList.Byte.Builder bu8 = b.initUInt8List(2);
    bu8.set(0, (byte) 111);
    bu8.set(1, (byte) 222);
    PrimitiveList.Short.Builder bu16 = b.initUInt16List(2);
    bu16.set(0, (short) 33333);
    bu16.set(1, (short) 44444);
    setInts(b.initUInt32List(1), (int) 3333333333L);
    setLongs(b.initUInt64List(1), Long.parseUnsignedLong("11111111111111111111"));
    PrimitiveList.Float.Builder bf32 = b.initFloat32List(4);
    bf32.set(0, 5555.5f);
    bf32.set(1, Float.POSITIVE_INFINITY);
    bf32.set(2, Float.NEGATIVE_INFINITY);
    bf32.set(3, Float.NaN);
    PrimitiveList.Double.Builder bf64 = b.initFloat64List(4);
    bf64.set(0, 7777.75);
    bf64.set(1, Double.POSITIVE_INFINITY);
    bf64.set(2, Double.NEGATIVE_INFINITY);
    bf64.set(3, Double.NaN);
    setTexts(b.initTextList(4), "plugh", "xyzzy", "thud", LAST_TEXT);
    setData(b.initDataList(4), bytes("oops"), bytes("exhausted"), bytes("rfc3092"), LAST_DATA);
    StructList.Builder<TestAllTypes.Builder> bStructs = b.initStructList(3);
    for (int i = 0; i < 3; i++) {
      bStructs.get(i).setTextField("structlist " + (i + 1));
    }
    setEnums(b.initEnumList(2), TestEnum.FOO, TestEnum.GARPLY);
  }

  static void check(TestAllTypes.Reader r) {
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
    assertThat(r.getDataField().toArray()).isEqualTo(bytes("bar"));

    TestAllTypes.Reader s = r.getStructField();
    assertThat(s.getInt8Field()).isEqualTo((byte) -12);
    assertThat(s.getUInt64Field()).isEqualTo(345678901234567890L);
    assertThat(s.getFloat32Field()).isEqualTo(-1.25e-10f);
    assertThat(s.getTextField().toString()).isEqualTo("baz");
    assertThat(s.getStructField().getTextField().toString()).isEqualTo("nested");
    assertThat(s.getStructField().getStructField().getTextField().toString())
        .isEqualTo("really nested");
    assertThat(s.getEnumField()).isEqualTo(TestEnum.BAZ);
    assertThat(s.getVoidList().size()).isEqualTo(3);
    PrimitiveList.Boolean.Reader bools = s.getBoolList();
    assertThat(bools.size()).isEqualTo(5);
    assertThat(new boolean[] {bools.get(0), bools.get(1), bools.get(2), bools.get(3), bools.get(4)})
        .containsExactly(false, true, false, true, true);
    assertThat(s.getInt8List().get(2)).isEqualTo(Byte.MIN_VALUE);
    assertThat(s.getInt16List().get(3)).isEqualTo(Short.MAX_VALUE);
    assertThat(s.getInt32List().get(2)).isEqualTo(Integer.MIN_VALUE);
    assertThat(s.getInt64List().get(3)).isEqualTo(Long.MAX_VALUE);
    assertThat(s.getUInt8List().get(3)).isEqualTo((byte) 0xff);
    assertThat(s.getUInt32List().get(3)).isEqualTo(0xffffffff);
    assertThat(s.getUInt64List().get(3)).isEqualTo(-1L);
    assertThat(s.getFloat32List().get(2)).isEqualTo(1e37f);
    assertThat(s.getFloat64List().get(5)).isEqualTo(-1e-306);
    assertThat(s.getTextList().get(1).toString()).isEqualTo("corge");
    assertThat(s.getDataList().get(2).toArray()).isEqualTo(bytes("fred"));
    StructList.Reader<TestAllTypes.Reader> structs = s.getStructList();
    assertThat(structs.size()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(structs.get(i).getTextField().toString()).isEqualTo("x structlist " + (i + 1));
    }
    EnumList.Reader<TestEnum> enums = s.getEnumList();
    assertThat(new TestEnum[] {enums.get(0), enums.get(1), enums.get(2)})
        .containsExactly(TestEnum.QUX, TestEnum.BAR, TestEnum.GRAULT);

    assertThat(r.getEnumField()).isEqualTo(TestEnum.CORGE);
    assertThat(r.getVoidList().size()).isEqualTo(6);
    assertThat(r.getBoolList().get(3)).isTrue();
    assertThat(r.getInt8List().get(1)).isEqualTo((byte) -111);
    assertThat(r.getUInt16List().get(1)).isEqualTo((short) 44444);
    assertThat(r.getUInt32List().get(0)).isEqualTo((int) 3333333333L);
    assertThat(r.getUInt64List().get(0)).isEqualTo(Long.parseUnsignedLong("11111111111111111111"));
    assertThat(r.getFloat32List().get(1)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(r.getFloat32List().get(3)).isNaN();
    assertThat(r.getFloat64List().get(2)).isEqualTo(Double.NEGATIVE_INFINITY);
    TextList.Reader texts = r.getTextList();
    assertThat(texts.size()).isEqualTo(4);
    assertThat(texts.get(3).toString()).isEqualTo(LAST_TEXT);
    DataList.Reader data = r.getDataList();
    assertThat(data.get(3).toArray()).isEqualTo(LAST_DATA);
    assertThat(r.getStructList().get(2).getTextField().toString()).isEqualTo("structlist 3");
    assertThat(r.getEnumList().get(1)).isEqualTo(TestEnum.GARPLY);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void setBools(PrimitiveList.Boolean.Builder list, boolean... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }

  private static void setInts(PrimitiveList.Int.Builder list, int... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }

  private static void setLongs(PrimitiveList.Long.Builder list, long... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }

  private static void setTexts(TextList.Builder list, String... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }

  private static void setData(DataList.Builder list, byte[]... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }

  @SafeVarargs
  private static <E extends Enum<E>> void setEnums(EnumList.Builder<E> list, E... values) {
    for (int i = 0; i < values.length; i++) {
      list.set(i, values[i]);
    }
  }
}
