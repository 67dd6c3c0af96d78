package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import dev.capnp.runtime.TextList;
import dev.capnp.test.TestSchema.GenericBox;
import dev.capnp.test.TestSchema.GenericMap;
import dev.capnp.test.TestSchema.Int32List;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestAnyPointerHolder;
import dev.capnp.test.TestSchema.TestGenerics;
import dev.capnp.test.TestSchema.TestUseGenerics;
import dev.capnp.test.imported.TestImport;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Generic structs with bound, unbound, nested, inherited and imported type arguments. */
class GenericsTest {
  @Test
  void boundGenericsAreTypedAndDecodeWithCapnp() {
    MessageBuilder message = new MessageBuilder();
    TestUseGenerics.Builder root = message.initRoot(TestUseGenerics.FACTORY);

    TestGenerics.Builder<TestAllTypes.Builder, TestAllTypes.Reader,
            TestAnyPointerHolder.Builder, TestAnyPointerHolder.Reader> basic = root.initBasic();
    basic.initFoo().setInt32Field(42);
    // rev is TestGenerics(Bar, Foo): its own rev swaps the arguments back.
    basic.initRev().initRev().initFoo().setInt32Field(9);
    StructList.Builder<TestGenerics.Inner.Builder<TestAllTypes.Builder, TestAllTypes.Reader,
            TestAnyPointerHolder.Builder, TestAnyPointerHolder.Reader>> inners = basic.initList(1);
    inners.get(0).initFoo().setTextField("inner foo");
    basic.initDub().setFoo(new Text.Reader("dub foo"));

    root.initWrapper().initValue().setValue(new Text.Reader("boxed twice"));
    GenericMap.Builder<Text.Builder, Text.Reader, Int32List.Builder, Int32List.Reader> map =
        root.initTextMap();
    map.initEntries(1).get(0).setKey(new Text.Reader("primes"));
    map.getEntries().get(0).initValue().initValues(3).set(2, 5);
    root.initListOfBoxes(2).get(1).initValue().setInt64Field(-7);
    TextList.Builder boxed = root.initBoxOfList().initValue(2);
    boxed.set(0, "a");
    boxed.set(1, "b");
    root.initDeep().initQux().setTextField("deep qux");
    root.initImported().initValue().initNested().setName("imported");

    TestUseGenerics.Reader r =
        Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message))).getRoot(TestUseGenerics.FACTORY);
    assertThat(r.getBasic().getFoo().getInt32Field()).isEqualTo(42);
    TestAllTypes.Reader revRevFoo = r.getBasic().getRev().getRev().getFoo();
    assertThat(revRevFoo.getInt32Field()).isEqualTo(9);
    assertThat(r.getBasic().getList().get(0).getFoo().getTextField().toString()).isEqualTo("inner foo");
    assertThat(r.getBasic().getDub().getFoo().toString()).isEqualTo("dub foo");
    GenericBox.Reader<GenericBox.Reader<Text.Reader>> wrapper = r.getWrapper();
    assertThat(wrapper.getValue().getValue().toString()).isEqualTo("boxed twice");
    assertThat(r.getTextMap().getEntries().get(0).getKey().toString()).isEqualTo("primes");
    assertThat(r.getTextMap().getEntries().get(0).getValue().getValues().get(2)).isEqualTo(5);
    assertThat(r.getListOfBoxes().get(1).getValue().getInt64Field()).isEqualTo(-7L);
    assertThat(r.getBoxOfList().getValue().get(1).toString()).isEqualTo("b");
    assertThat(r.getDeep().getQux().getTextField().toString()).isEqualTo("deep qux");
    TestImport.ImportedStruct.Reader imported = r.getImported().getValue();
    assertThat(imported.getNested().getName().toString()).isEqualTo("imported");

    byte[] reference = CapnpTool.encode("TestUseGenerics",
        "(basic = (foo = (int32Field = 42), rev = (rev = (foo = (int32Field = 9))),"
            + " dub = (foo = \"dub foo\"), list = [(foo = (textField = \"inner foo\"))]),"
            + " wrapper = (value = (value = \"boxed twice\")),"
            + " textMap = (entries = [(key = \"primes\", value = (values = [0, 0, 5]))]),"
            + " listOfBoxes = [(), (value = (int64Field = -7))],"
            + " boxOfList = (value = [\"a\", \"b\"]),"
            + " deep = (qux = (textField = \"deep qux\")),"
            + " imported = (value = (nested = (name = \"imported\"))))", false);
    assertThat(CapnpTool.decode("TestUseGenerics", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestUseGenerics", reference, false));
    genericStructsPrintTheirBoundParameters(r);
  }

  /**
   * A generic struct's own {@code toString()} prints its type-parameter fields as the types it
   * was created with: exactly the text the enclosing struct (whose schema names the brand)
   * prints for it.
   */
  private static void genericStructsPrintTheirBoundParameters(TestUseGenerics.Reader r) {
    String whole = r.toString();
    Object[] parts = {r.getBasic(), r.getBasic().getList().get(0), r.getWrapper(),
        r.getWrapper().getValue(), r.getTextMap(), r.getTextMap().getEntries().get(0),
        r.getListOfBoxes().get(1), r.getBoxOfList(), r.getDeep(), r.getImported()};
    for (Object part : parts) {
      assertThat(whole).contains(part.toString());
      assertThat(part.toString()).doesNotContain("<opaque pointer>");
    }
    assertThat(r.getWrapper().toString()).isEqualTo("(value = (value = \"boxed twice\"))");
    assertThat(r.getBoxOfList().toString()).isEqualTo("(value = [\"a\", \"b\"])");
    assertThat(r.getTextMap().getEntries().get(0).toString())
        .isEqualTo("(key = \"primes\", value = (values = [0, 0, 5]))");
  }

  @Test
  void boundParametersPrintFromBuilders() {
    MessageBuilder message = new MessageBuilder();
    GenericBox.Builder<TestAllTypes.Builder, TestAllTypes.Reader> box =
        message.initRoot(GenericBox.factory(TestAllTypes.FACTORY));
    box.initValue().setInt32Field(5);
    assertThat(box.toString()).isEqualTo("(value = " + box.getValue() + ")")
        .contains("int32Field = 5");
    // An unbound parameter stays opaque, as in C++.
    assertThat(message.getRoot(GenericBox.factory(AnyPointer.FACTORY)).toString())
        .isEqualTo("(value = <opaque pointer>)");
  }

  @Test
  void unboundParametersReadAsAnyPointer() {
    MessageBuilder message = new MessageBuilder();
    TestUseGenerics.Builder root = message.initRoot(TestUseGenerics.FACTORY);
    TestGenerics.Builder<AnyPointer.Builder, AnyPointer.Reader, AnyPointer.Builder, AnyPointer.Reader>
        unspecified = root.initUnspecified();
    unspecified.initFoo().setAs(Text.FACTORY, new Text.Reader("unbound"));
    AnyPointer.Reader foo = root.asReader().getUnspecified().getFoo();
    assertThat(foo.isList()).isTrue();
    assertThat(foo.getAs(Text.FACTORY).toString()).isEqualTo("unbound");
  }

  @Test
  void genericDefaultsAndConstants() {
    MessageBuilder message = new MessageBuilder();
    TestUseGenerics.Reader r = message.initRoot(TestUseGenerics.FACTORY).asReader();
    TestGenerics.Reader<TestAllTypes.Reader, Text.Reader> fromDefault = r.getDefault();
    assertThat(fromDefault.getFoo().getInt16Field()).isEqualTo((short) 123);
    assertThat(fromDefault.getRev().getFoo().toString()).isEqualTo("text");
    assertThat(fromDefault.getRev().getRev().getFoo().getInt16Field()).isEqualTo((short) 321);
    assertThat(TestSchema.GENERIC_CONSTANT.getRev().getFoo().toString()).isEqualTo("text");
  }
}
