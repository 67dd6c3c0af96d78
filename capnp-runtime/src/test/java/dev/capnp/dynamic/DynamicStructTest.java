package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Dynamic reads of messages written by {@code capnp encode}, and dynamic building. */
class DynamicStructTest {
  private static DynamicStruct.Reader encodeAndRead(String type, String text) {
    byte[] message = CapnpCli.encode(type, text, false);
    return Serialize.read(ByteBuffer.wrap(message)).getRoot(TestSchemas.struct(type).factory());
  }

  @Test
  void readsPrimitivesByName() {
    DynamicStruct.Reader r = encodeAndRead("AllTypes", "(boolField = true, int8Field = -3, "
        + "uint16Field = 65535, uint64Field = 18446744073709551615, float32Field = 1.5, "
        + "float64Field = -2.5, enumField = blue, textField = \"hi\", dataField = 0x\"0102\")");
    assertThat(r.get("boolField")).isEqualTo(true);
    assertThat(r.get("int8Field")).isEqualTo((byte) -3);
    assertThat(r.get("uint16Field")).isEqualTo((short) -1);
    assertThat(r.get("uint64Field")).isEqualTo(-1L);
    assertThat(r.get("float32Field")).isEqualTo(1.5f);
    assertThat(r.get("float64Field")).isEqualTo(-2.5);
    assertThat(((DynamicEnum) r.get("enumField")).name()).isEqualTo("blue");
    assertThat(r.get("textField").toString()).isEqualTo("hi");
    assertThat(((Data.Reader) r.get("dataField")).toArray()).containsExactly(1, 2);
    assertThat(r.get("voidField")).isSameAs(DynamicValue.VOID);
    assertThat(r.has("textField")).isTrue();
    assertThat(r.has("structField")).isFalse();
    assertThat(((AnyPointer.Reader) r.get("anyField")).isNull()).isTrue();
    assertThatThrownBy(() -> r.get("nope")).hasMessageContaining("no field named 'nope'");
  }

  @Test
  void readsListsAndNestedStructs() {
    DynamicStruct.Reader r = encodeAndRead("AllTypes", "(int32List = [1, -2], "
        + "structList = [(a = 5, b = \"five\")], listList = [[7], []], enumList = [green], "
        + "structField = (int16Field = 9))");
    DynamicList.Reader ints = (DynamicList.Reader) r.get("int32List");
    assertThat(ints.size()).isEqualTo(2);
    assertThat(ints.get(1)).isEqualTo(-2);
    DynamicList.Reader structs = (DynamicList.Reader) r.get("structList");
    DynamicStruct.Reader small = (DynamicStruct.Reader) structs.get(0);
    assertThat(small.get("a")).isEqualTo(5);
    assertThat(small.get("b").toString()).isEqualTo("five");
    DynamicList.Reader lists = (DynamicList.Reader) r.get("listList");
    assertThat(((DynamicList.Reader) lists.get(0)).get(0)).isEqualTo(7);
    assertThat(((DynamicList.Reader) lists.get(1)).size()).isZero();
    assertThat(((DynamicEnum) ((DynamicList.Reader) r.get("enumList")).get(0)).value()).isEqualTo(1);
    assertThat(((DynamicStruct.Reader) r.get("structField")).get("int16Field")).isEqualTo((short) 9);
  }

  @Test
  void unionsAndGroups() {
    DynamicStruct.Reader r = encodeAndRead("Unions",
        "(second = \"s\", grp = (x = 3, inner = (q = true)), named = (n2 = 12))");
    assertThat(r.which().name()).isEqualTo("second");
    assertThat(r.has("first")).isFalse();
    assertThat(r.get("second").toString()).isEqualTo("s");
    DynamicStruct.Reader grp = (DynamicStruct.Reader) r.get("grp");
    assertThat(grp.get("x")).isEqualTo((short) 3);
    DynamicStruct.Reader inner = (DynamicStruct.Reader) grp.get("inner");
    assertThat(inner.which().name()).isEqualTo("q");
    assertThat(((DynamicStruct.Reader) r.get("named")).which().name()).isEqualTo("n2");
  }

  @Test
  void defaultsApplyToUnsetFields() {
    DynamicStruct.Reader r = encodeAndRead("Defaults", "()");
    assertThat(r.get("i32")).isEqualTo(-123);
    assertThat(r.get("u16")).isEqualTo((short) 65000);
    assertThat(r.get("b")).isEqualTo(true);
    assertThat(r.get("f32")).isEqualTo(1.5f);
    assertThat(r.get("t").toString()).isEqualTo("default text");
    assertThat(((Data.Reader) r.get("d")).toArray()).containsExactly(0xde, 0xad);
    assertThat(((DynamicEnum) r.get("e")).name()).isEqualTo("blue");
    DynamicStruct.Reader s = (DynamicStruct.Reader) r.get("s");
    assertThat(s.get("a")).isEqualTo(7);
    assertThat(((DynamicList.Reader) r.get("l")).get(2)).isEqualTo((short) 3);
    assertThat(r.has("t")).isFalse();
  }

  @Test
  void genericParametersResolveThroughBrands() {
    DynamicStruct.Reader r = encodeAndRead("Generics", "(textBox = (value = \"x\"), "
        + "smallBox = (value = (a = 1)), nested = (value = (value = \"deep\")), "
        + "anyBox = (label = \"z\"))");
    DynamicStruct.Reader textBox = (DynamicStruct.Reader) r.get("textBox");
    assertThat(textBox.schema().findField("value").type().kind()).isEqualTo(DynamicType.Kind.TEXT);
    assertThat(textBox.get("value")).isInstanceOf(Text.Reader.class);
    DynamicStruct.Reader smallBox = (DynamicStruct.Reader) r.get("smallBox");
    assertThat(((DynamicStruct.Reader) smallBox.get("value")).get("a")).isEqualTo(1);
    DynamicStruct.Reader nested = (DynamicStruct.Reader) r.get("nested");
    DynamicStruct.Reader innerBox = (DynamicStruct.Reader) nested.get("value");
    assertThat(innerBox.get("value").toString()).isEqualTo("deep");
    DynamicStruct.Reader anyBox = (DynamicStruct.Reader) r.get("anyBox");
    assertThat(anyBox.schema().findField("value").type().kind())
        .isEqualTo(DynamicType.Kind.ANY_POINTER);
  }

  @Test
  void builderSetsFieldsAndUnion() {
    MessageBuilder message = new MessageBuilder();
    DynamicStruct.Builder b = message.initRoot(TestSchemas.struct("Unions").factory());
    b.set("before", 4);
    b.set("first", 1);
    b.set("second", "now text");
    DynamicStruct.Builder grp = (DynamicStruct.Builder) b.get(b.schema().findField("grp"));
    grp.set("y", "why");
    DynamicStruct.Reader r = b.asReader();
    assertThat(r.which().name()).isEqualTo("second");
    assertThat(r.toString()).isEqualTo("(before = 4, second = \"now text\", "
        + "grp = (x = 0, y = \"why\", inner = (p = 0)), after = 0, named = ())");
  }

  @Test
  void builderCopiesStructsAndListsFromReaders() {
    DynamicStruct.Reader source = encodeAndRead("AllTypes", "(structField = (int8Field = 3, "
        + "textList = [\"a\", \"b\"]), structList = [(a = 1), (b = \"x\")], "
        + "listList = [[1], [2, 3]])");
    MessageBuilder message = new MessageBuilder();
    StructSchema schema = TestSchemas.struct("AllTypes");
    DynamicStruct.Builder b = message.initRoot(schema.factory());
    for (String name : new String[] {"structField", "structList", "listList"}) {
      b.set(name, source.get(name));
    }
    assertThat(b.toString()).isEqualTo(source.toString());
    DynamicList.Builder texts = b.initList(schema.findField("textList"), 2);
    texts.set(0, "x");
    texts.set(1, new byte[] {'y'});
    DynamicList.Builder smalls = b.initList(schema.findField("structList"), 1);
    smalls.getStruct(0).set("a", 42);
    assertThat(TextFormat.toString(b.asReader())).contains("textList = [\"x\", \"y\"]")
        .contains("structList = [(a = 42)]");
    java.util.List<Object> items = new java.util.ArrayList<>();
    ((DynamicList.Reader) b.asReader().get("textList")).forEach(items::add);
    assertThat(items).extracting(Object::toString).containsExactly("x", "y");
  }

  @Test
  void genericRootTypesByName() {
    SchemaRegistry registry = TestSchemas.registry();
    long file = TestSchemas.fileId();
    StructSchema box = registry.findStruct(file, "Box(Text)");
    assertThat(box.findField("value").type().kind()).isEqualTo(DynamicType.Kind.TEXT);
    StructSchema pair = registry.findStruct(file, "Pair(List(Int32), Outer.Inner)");
    assertThat(pair.findField("key").type().toString()).isEqualTo("List(Int32)");
    assertThat(pair.findField("value").type().toString()).isEqualTo("Inner");
    assertThat(registry.findStruct(file, "Box").findField("value").type().kind())
        .isEqualTo(DynamicType.Kind.ANY_POINTER);
    assertThat(registry.findStruct(file, "Outer.Inner.Deepest").displayName())
        .endsWith("dyntest.capnp:Outer.Inner.Deepest");
    assertThatThrownBy(() -> registry.findStruct(file, "Box(Int32)"))
        .hasMessageContaining("only pointer types");
    assertThatThrownBy(() -> registry.findStruct(file, "Box(Text, Text)"))
        .hasMessageContaining("takes 1 type parameter(s), not 2");
    assertThatThrownBy(() -> registry.findStruct(file, "Color"))
        .hasMessageContaining("not a struct type");
    assertThatThrownBy(() -> registry.findStruct(file, "Nope.X"))
        .hasMessageContaining("no type named 'Nope'");
    assertThatThrownBy(() -> registry.findStruct(file, "Box(Text"))
        .hasMessageContaining("expected ')'");

    byte[] message = CapnpCli.run("(value = \"v\", label = \"l\")".getBytes(
        java.nio.charset.StandardCharsets.UTF_8), "encode", CapnpCli.testSchema().toString(),
        "Box(Text)");
    DynamicStruct.Reader r = Serialize.read(ByteBuffer.wrap(message)).getRoot(box.factory());
    assertThat(TextFormat.prettyPrint(r) + "\n").isEqualTo(new String(CapnpCli.run(message,
        "decode", CapnpCli.testSchema().toString(), "Box(Text)"),
        java.nio.charset.StandardCharsets.UTF_8));
  }
}
