package dev.capnp.compiler.test;

import dev.capnp.compiler.test.other.Imported;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Exercises the code generated from src/test/capnp/test.capnp. Compiled by GeneratedCodeTest
 * together with the generated sources (with -Xlint:all -Werror), so it also checks that the
 * generated API has the intended Java types. Builders return the message bytes (checked with
 * `capnp decode`), readers return a summary string.
 */
public final class Driver {
  private Driver() {}

  static byte[] bytes(MessageBuilder message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Serialize.write(out, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static dev.capnp.runtime.MessageReader read(byte[] bytes) {
    return Serialize.read(ByteBuffer.wrap(bytes));
  }

  /** An AllTypes with every field set. */
  public static byte[] buildAllTypes() {
    MessageBuilder message = new MessageBuilder();
    TestSchema.AllTypes.Builder b = message.initRoot(TestSchema.AllTypes.FACTORY);
    b.setBoolField(true);
    b.setInt8Field((byte) -8);
    b.setInt16Field((short) -16);
    b.setInt32Field(-32);
    b.setInt64Field(-64L);
    b.setUint8Field((byte) 200);
    b.setUint16Field((short) 60000);
    b.setUint32Field(0xfffffff0);
    b.setUint64Field(-1L);
    b.setFloat32Field(1.5f);
    b.setFloat64Field(-2.25);
    b.setTextField("hello");
    b.setDataField(new byte[] {1, 2, 3});
    b.initStructField().setTextField("inner");
    b.setEnumField(TestSchema.Color.DARK_BLUE);
    b.initAnyField().initAs(TestSchema.AllTypes.FACTORY).setInt32Field(5);
    b.initVoidList(2);
    dev.capnp.runtime.PrimitiveList.Boolean.Builder bools = b.initBoolList(3);
    bools.set(0, true);
    bools.set(2, true);
    b.initInt8List(1).set(0, (byte) -1);
    b.initInt16List(1).set(0, (short) -2);
    b.initInt32List(2).set(1, 3);
    b.initInt64List(1).set(0, 4L);
    b.initUint8List(1).set(0, (byte) 255);
    b.initUint16List(1).set(0, (short) 65535);
    b.initUint32List(1).set(0, -1);
    b.initUint64List(1).set(0, -1L);
    b.initFloat32List(1).set(0, 0.25f);
    b.initFloat64List(1).set(0, 0.5);
    dev.capnp.runtime.TextList.Builder texts = b.initTextList(2);
    texts.set(0, "x");
    texts.set(1, "yz");
    b.initDataList(1).set(0, new Data.Reader(new byte[] {9}));
    StructList.Builder<TestSchema.AllTypes.Builder> structs = b.initStructList(2);
    structs.get(1).setInt32Field(11);
    dev.capnp.runtime.EnumList.Builder<TestSchema.Color> colors = b.initEnumList(2);
    colors.set(0, TestSchema.Color.GREEN);
    colors.set(1, TestSchema.Color.RED);
    dev.capnp.runtime.ListList.Builder<dev.capnp.runtime.PrimitiveList.Int.Builder,
        dev.capnp.runtime.PrimitiveList.Int.Reader> lists = b.initListList(2);
    lists.init(0, 2).set(1, 7);
    lists.init(1, 1).set(0, 8);
    Imported.Point.Builder point = b.initPoint();
    point.setX(10);
    point.setY(-10);
    b.setShade(Imported.Shade.DARK);
    b.setAnyStruct(b.asReader().getAnyField().getAs(dev.capnp.runtime.AnyStruct.FACTORY));
    b.clearCapabilityField();
    return bytes(message);
  }

  /** Reads back an AllTypes. */
  public static String readAllTypes(byte[] bytes) {
    TestSchema.AllTypes.Reader r = read(bytes).getRoot(TestSchema.AllTypes.FACTORY);
    List<Object> v = new ArrayList<>();
    v.add(r.getBoolField());
    v.add(r.getInt8Field());
    v.add(r.getInt16Field());
    v.add(r.getInt32Field());
    v.add(r.getInt64Field());
    v.add(Byte.toUnsignedInt(r.getUint8Field()));
    v.add(Short.toUnsignedInt(r.getUint16Field()));
    v.add(Integer.toUnsignedString(r.getUint32Field()));
    v.add(Long.toUnsignedString(r.getUint64Field()));
    v.add(r.getFloat32Field());
    v.add(r.getFloat64Field());
    Text.Reader text = r.getTextField();
    v.add(text.toString());
    v.add(r.getDataField().toArray().length);
    v.add(r.getStructField().getTextField());
    v.add(r.getEnumField());
    v.add(r.getAnyField().getAs(TestSchema.AllTypes.FACTORY).getInt32Field());
    v.add(r.getVoidList().size());
    v.add(r.getBoolList().get(2));
    v.add(r.getInt32List().get(1));
    v.add(r.getTextList().get(1));
    v.add(r.getStructList().get(1).getInt32Field());
    v.add(r.getEnumList().get(0));
    v.add(r.getListList().get(0).get(1));
    v.add(r.getPoint().getY());
    v.add(r.getShade());
    v.add(r.hasCapField());
    dev.capnp.runtime.AnyStruct.Reader anyStruct = r.getAnyStruct();
    dev.capnp.runtime.AnyList.Reader anyList = r.getAnyListField();
    v.add(r.hasAnyStruct() + "/" + (anyStruct != null) + "/" + r.hasAnyListField() + "/"
        + (anyList != null) + "/" + r.hasCapabilityField());
    v.add(r.hasTextField() + "/" + r.getStructField().hasTextField() + "/"
        + r.getStructField().hasStructField());
    return v.toString();
  }

  /** Getters of an empty Defaults struct (all defaults). */
  public static String readDefaults() {
    MessageBuilder message = new MessageBuilder();
    message.initRoot(TestSchema.Defaults.FACTORY);
    TestSchema.Defaults.Reader r =
        read(bytes(message)).getRoot(TestSchema.Defaults.FACTORY);
    return defaultsSummary(r);
  }

  private static String defaultsSummary(TestSchema.Defaults.Reader r) {
    List<Object> v = new ArrayList<>();
    v.add(r.getBoolField());
    v.add(r.getInt8Field());
    v.add(r.getInt16Field());
    v.add(r.getInt32Field());
    v.add(r.getInt64Field());
    v.add(Byte.toUnsignedInt(r.getUint8Field()));
    v.add(Short.toUnsignedInt(r.getUint16Field()));
    v.add(Integer.toUnsignedString(r.getUint32Field()));
    v.add(Long.toUnsignedString(r.getUint64Field()));
    v.add(r.getFloat32Field());
    v.add(r.getFloat64Field());
    v.add(r.getTextField());
    v.add(new String(r.getDataField().toArray(), java.nio.charset.StandardCharsets.US_ASCII));
    v.add(r.getStructField().getInt32Field() + ":" + r.getStructField().getTextField() + ":"
        + r.getStructField().getInt32List().get(1));
    v.add(r.getEnumField());
    v.add(r.getInt32List().size() + ":" + r.getInt32List().get(2));
    v.add(r.getTextList().get(1));
    v.add(r.getStructList().size() + ":" + r.getStructList().get(1).getX() + ":"
        + r.getStructList().get(1).getY());
    v.add(Float.isNaN(r.getFloat32Nan()));
    v.add(r.getFloat64Inf());
    v.add(r.hasTextField());
    return v.toString();
  }

  /** Defaults set explicitly to other values (exercises the XOR masks on write). */
  public static byte[] buildDefaults() {
    MessageBuilder message = new MessageBuilder();
    TestSchema.Defaults.Builder b = message.initRoot(TestSchema.Defaults.FACTORY);
    b.setBoolField(false);
    b.setInt8Field((byte) 1);
    b.setInt16Field((short) -1234);
    b.setInt32Field(0);
    b.setUint32Field(1);
    b.setFloat32Field(0f);
    b.setEnumField(TestSchema.Color.RED);
    b.getStructField().setInt32Field(8);
    b.getTextList();
    return bytes(message);
  }

  /** Union setters and which(). */
  public static byte[] buildUnions() {
    MessageBuilder message = new MessageBuilder();
    TestSchema.Unions.Builder b = message.initRoot(TestSchema.Unions.FACTORY);
    b.setIntValue(5);
    b.setTextValue("now text");
    TestSchema.Unions.Named.Builder named = b.getNamed();
    named.setFlag(true);
    named.initPoint().setX(3);
    TestSchema.Unions.Plain.Builder plain = b.getPlain();
    plain.setP((short) 7);
    plain.setQ("q");
    plain.getInner().initRight(1).set(0, "r");
    return bytes(message);
  }

  /** which() and isX() after building unions. */
  public static String readUnions(byte[] bytes) {
    TestSchema.Unions.Reader r = read(bytes).getRoot(TestSchema.Unions.FACTORY);
    List<Object> v = new ArrayList<>();
    v.add(r.which());
    v.add(r.isTextValue());
    v.add(r.isIntValue());
    v.add(r.getNamed().which());
    v.add(r.getNamed().getPoint().getX());
    v.add(r.getPlain().getInner().which());
    v.add(r.getPlain().getInner().isRight());
    MessageBuilder message = new MessageBuilder();
    TestSchema.Unions.Builder b = message.initRoot(TestSchema.Unions.FACTORY);
    v.add(b.which());
    b.setNothing();
    v.add(b.which());
    TestSchema.Unions.GroupValue.Builder g = b.initGroupValue();
    g.setA((short) 1);
    v.add(b.which());
    v.add(b.asReader().getGroupValue().getA());
    b.getNamed().setColor(TestSchema.Color.DARK_BLUE);
    v.add(b.getNamed().which() + ":" + b.getNamed().getColor());
    return v.toString();
  }

  /** Generic fields. */
  public static byte[] buildGenerics() {
    MessageBuilder message = new MessageBuilder();
    TestSchema.UsesGenerics.Builder b = message.initRoot(TestSchema.UsesGenerics.FACTORY);
    TestSchema.Box.Builder<Text.Builder, Text.Reader> boxText = b.initBoxText();
    boxText.setValue(new Text.Reader("boxed"));
    boxText.initValues(1).get(0).setValue(new Text.Reader("inner"));
    TestSchema.Box.Builder<TestSchema.Box.Builder<Data.Builder, Data.Reader>,
        TestSchema.Box.Reader<Data.Reader>> boxBox = b.initBoxBox();
    boxBox.initValue().setValue(new Data.Reader(new byte[] {4, 2}));
    TestSchema.Pair.Builder<Text.Builder, Text.Reader, TestSchema.AllTypes.Builder,
        TestSchema.AllTypes.Reader> pair = b.initPair();
    pair.setKey(new Text.Reader("k"));
    pair.initValue().setInt32Field(42);
    pair.initSwapped().initKey().setInt32Field(43);
    StructList.Builder<TestSchema.Box.Builder<Text.Builder, Text.Reader>> listBox =
        b.initListBox(2);
    listBox.get(1).setValue(new Text.Reader("second"));
    b.initUnbound().initValue().setAs(Text.FACTORY, new Text.Reader("any"));
    TestSchema.Outer.Inner.Builder<Text.Builder, Text.Reader> inner = b.initInner();
    inner.setT(new Text.Reader("tee"));
    inner.initSelf().getDeep().setT2(new Text.Reader("deep"));
    Imported.Wrapper.Builder<TestSchema.Box.Builder<Text.Builder, Text.Reader>,
        TestSchema.Box.Reader<Text.Reader>> wrapped = b.initWrapped();
    wrapped.initItem().setValue(new Text.Reader("wrapped"));
    wrapped.initItems(1).get(0).setX(1);
    b.initListListBox(1).init(0, 1).get(0).setValue(new Data.Reader(new byte[] {7}));
    return bytes(message);
  }

  /** Reads generic fields back through the generic reader types. */
  public static String readGenerics(byte[] bytes) {
    TestSchema.UsesGenerics.Reader r = read(bytes).getRoot(TestSchema.UsesGenerics.FACTORY);
    List<Object> v = new ArrayList<>();
    TestSchema.Box.Reader<Text.Reader> boxText = r.getBoxText();
    Text.Reader value = boxText.getValue();
    v.add(value);
    v.add(boxText.getValues().get(0).getValue());
    TestSchema.Box.Reader<Data.Reader> innerBox = r.getBoxBox().getValue();
    v.add(innerBox.getValue().toArray()[1]);
    TestSchema.AllTypes.Reader pairValue = r.getPair().getValue();
    v.add(r.getPair().getKey() + "=" + pairValue.getInt32Field());
    v.add(r.getPair().getSwapped().getKey().getInt32Field());
    v.add(r.getListBox().get(1).getValue());
    v.add(r.getUnbound().getValue().getAs(Text.FACTORY));
    v.add(r.getInner().getT() + "/" + r.getInner().getSelf().getDeep().getT2());
    v.add(r.getWrapped().getItem().getValue() + "/" + r.getWrapped().getItems().get(0).getX());
    v.add(r.getListListBox().get(0).get(0).getValue().toArray()[0]);
    return v.toString();
  }

  /** Constants. */
  public static String readConstants() {
    List<Object> v = new ArrayList<>();
    v.add(TestSchema.INT_CONST);
    v.add(Long.toUnsignedString(TestSchema.UINT64_CONST));
    v.add(TestSchema.FLOAT_CONST);
    v.add(TestSchema.BOOL_CONST);
    v.add(TestSchema.TEXT_CONST);
    v.add(TestSchema.DATA_CONST.toArray().length + ":" + (TestSchema.DATA_CONST.toArray()[1] & 0xff));
    v.add(TestSchema.ENUM_CONST);
    v.add(TestSchema.STRUCT_CONST.getInt32Field() + ":" + TestSchema.STRUCT_CONST.getTextField()
        + ":" + TestSchema.STRUCT_CONST.getEnumList().get(1));
    v.add(TestSchema.LIST_CONST.get(0).getY());
    v.add(TestSchema.BOX_CONST.getValue());
    v.add(TestSchema.Keywords.TYPE_ID_);
    v.add(TestSchema.BIG_CONST.size() + ":" + TestSchema.BIG_CONST.get(99));
    return v.toString();
  }

  /** toString() of a reader, a builder, a group and a constant's element (text format, if generated). */
  public static String toStrings(byte[] generics) {
    TestSchema.UsesGenerics.Reader r = read(generics).getRoot(TestSchema.UsesGenerics.FACTORY);
    MessageBuilder message = new MessageBuilder();
    TestSchema.Unions.Builder b = message.initRoot(TestSchema.Unions.FACTORY);
    b.getPlain().setQ("q");
    return r + "\n" + b + "\n" + b.getPlain() + "\n" + TestSchema.LIST_CONST.get(0);
  }

  /** Escaped names. */
  public static byte[] buildKeywords() {
    MessageBuilder message = new MessageBuilder();
    TestSchema.Keywords.Builder b = message.initRoot(TestSchema.Keywords.FACTORY);
    b.setClass(1);
    b.setPackage("pkg");
    b.setNew(true);
    b.setHashCode(2);
    b.setGetClass(b.asReader().getClass_() + b.getHashCode());
    MessageBuilder other = new MessageBuilder();
    other.initRoot(TestSchema.Keywords.Reader_.FACTORY).setX(4);
    return bytes(message);
  }
}
