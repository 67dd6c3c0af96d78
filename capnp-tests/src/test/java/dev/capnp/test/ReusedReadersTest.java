package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.DataList;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.ListList;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.PrimitiveList;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import dev.capnp.runtime.TextList;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestDefaults;
import dev.capnp.test.TestSchema.TestGroups;
import dev.capnp.test.TestSchema.TestLists;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code getX(reuse)} readers: the reader passed in is moved to the field's value
 * and returned (a new one if it is null), with the values, defaults and errors of
 * {@code getX()}; a walk through them needs the same few readers for a whole message.
 */
class ReusedReadersTest {
  private static MessageReader allTypes() {
    MessageBuilder message = new MessageBuilder();
    AllTypesValues.init(message.initRoot(TestAllTypes.FACTORY));
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message)));
  }

  @Test
  void pointerFieldsReadIntoTheGivenReaders() {
    MessageReader message = allTypes();
    TestAllTypes.Reader root = message.getRoot(TestAllTypes.FACTORY, null);
    AllTypesValues.check(root);
    assertThat(message.getRoot(TestAllTypes.FACTORY, root)).isSameAs(root);

    Text.Reader text = root.getTextField(null);
    assertThat(text).hasToString("foo");
    assertThat(root.getStructField().getTextField(text)).isSameAs(text).hasToString("baz");
    Data.Reader data = root.getDataField(null);
    assertThat(root.getDataField(data)).isSameAs(data);
    assertThat(data.toArray()).isEqualTo(AllTypesValues.bytes("bar"));

    TestAllTypes.Reader struct = root.getStructField(null);
    assertThat(root.getStructField(struct)).isSameAs(struct);
    assertThat(struct.getInt32Field()).isEqualTo(root.getStructField().getInt32Field());
    // a reused struct reader reads nested structs into another reused one
    TestAllTypes.Reader nested = struct.getStructField(null);
    assertThat(struct.getStructField(nested).getTextField(text)).hasToString("nested");

    PrimitiveList.Int.Reader ints = root.getInt32List(null);
    assertThat(root.getInt32List(ints)).isSameAs(ints);
    assertThat(ints.size()).isEqualTo(root.getInt32List().size());
    for (int i = 0; i < ints.size(); i++) {
      assertThat(ints.get(i)).isEqualTo(root.getInt32List().get(i));
    }

    TextList.Reader texts = root.getTextList(null);
    assertThat(root.getTextList(texts)).isSameAs(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(texts.get(i, text)).isSameAs(text).hasToString(texts.get(i).toString());
    }

    StructList.Reader<TestAllTypes.Reader> structs = root.getStructList(null);
    assertThat(root.getStructList(structs)).isSameAs(structs);
    TestAllTypes.Reader element = null;
    for (int i = 0; i < structs.size(); i++) {
      element = structs.get(i, element);
      assertThat(element.getTextField(text))
          .hasToString(root.getStructList().get(i).getTextField().toString());
    }
  }

  @Test
  void listElementsReadIntoTheGivenReaders() {
    MessageBuilder message = new MessageBuilder();
    TestLists.Builder lists = message.initRoot(TestLists.FACTORY);
    ListList.Builder<PrimitiveList.Int.Builder, PrimitiveList.Int.Reader> ints =
        lists.initInt32ListList(3);
    for (int i = 0; i < 3; i++) {
      PrimitiveList.Int.Builder inner = ints.init(i, i + 1);
      for (int j = 0; j <= i; j++) {
        inner.set(j, 10 * i + j);
      }
    }
    MessageReader read = Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message)));

    ListList.Reader<PrimitiveList.Int.Reader> outer =
        read.getRoot(TestLists.FACTORY).getInt32ListList();
    PrimitiveList.Int.Reader inner = null;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < outer.size(); i++) {
      PrimitiveList.Int.Reader element = outer.get(i, inner);
      assertThat(inner == null || element == inner).isTrue();
      inner = element;
      for (int j = 0; j < inner.size(); j++) {
        seen.append(inner.get(j)).append(' ');
      }
    }
    assertThat(seen).hasToString("0 10 11 20 21 22 ");

    MessageBuilder second = new MessageBuilder();
    DataList.Builder data = second.initRoot(TestAllTypes.FACTORY).initDataList(2);
    data.set(0, new Data.Reader(AllTypesValues.bytes("ab")));
    data.set(1, new Data.Reader(AllTypesValues.bytes("cde")));
    DataList.Reader bytes = second.asReader().getRoot(TestAllTypes.FACTORY).getDataList();
    Data.Reader element = bytes.get(0, null);
    assertThat(bytes.get(1, element)).isSameAs(element);
    assertThat(element.toArray()).isEqualTo(AllTypesValues.bytes("cde"));
  }

  @Test
  void aMovedTextForgetsItsStringAndAMovedListItsSize() {
    TestAllTypes.Reader root = allTypes().getRoot(TestAllTypes.FACTORY);
    Text.Reader text = root.getTextField(null);
    assertThat(text.toString()).isEqualTo("foo");
    root.getStructField().getTextField(text);
    assertThat(text.toString()).isEqualTo("baz");
    assertThat(text.length()).isEqualTo(3);
    assertThat(text.contentEquals("baz")).isTrue();

    StructList.Reader<TestAllTypes.Reader> structs = root.getStructList(null);
    assertThat(structs.size()).isPositive();
    TestAllTypes.Reader nested = root.getStructField().getStructField();
    assertThat(nested.getStructList(structs)).isSameAs(structs);
    assertThat(structs.size()).isZero();
  }

  @Test
  void nullPointersReadAsDefaultsOrEmpty() {
    MessageBuilder message = new MessageBuilder();
    message.initRoot(TestDefaults.FACTORY);
    TestDefaults.Reader defaults = message.asReader().getRoot(TestDefaults.FACTORY);
    TestAllTypes.Reader empty = message.asReader().getRoot(TestAllTypes.FACTORY);

    Text.Reader text = empty.getTextField(null);
    assertThat(empty.getTextField(text)).isSameAs(text).hasToString("");
    assertThat(defaults.getTextField(text)).isSameAs(text).hasToString("foo");
    Data.Reader data = empty.getDataField(null);
    assertThat(defaults.getDataField(data).toArray()).isEqualTo(AllTypesValues.bytes("bar"));
    assertThat(empty.getDataField(data).size()).isZero();

    TestAllTypes.Reader struct = empty.getStructField(null);
    assertThat(defaults.getStructField(struct).getTextField(text)).hasToString("baz");
    assertThat(empty.getStructField(struct).getTextField(text)).hasToString("");
    assertThat(struct.getInt32Field()).isZero();

    PrimitiveList.Int.Reader ints = empty.getInt32List(null);
    assertThat(defaults.getInt32List(ints).size()).isEqualTo(defaults.getInt32List().size())
        .isPositive();
    assertThat(empty.getInt32List(ints).size()).isZero();
    StructList.Reader<TestAllTypes.Reader> structs = defaults.getStructList(null);
    assertThat(empty.getStructList(structs).size()).isZero();
  }

  @Test
  void groupsMoveToTheirStruct() {
    MessageBuilder message = new MessageBuilder();
    StructList.Builder<TestGroups.Builder> list = message.initRoot(TestAllTypes.FACTORY)
        .getAnyPointerField().initAs(TestGroups._LIST_FACTORY, 2);
    list.get(0).getGroups().initBar().setGrault("first");
    list.get(1).getGroups().initBaz().setGarply("second");
    StructList.Reader<TestGroups.Reader> groups = message.asReader()
        .getRoot(TestAllTypes.FACTORY).getAnyPointerField().getAs(TestGroups._LIST_FACTORY);
    TestGroups.Reader element = null;
    TestGroups.Groups.Reader union = null;
    Text.Reader text = null;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < groups.size(); i++) {
      element = groups.get(i, element);
      TestGroups.Groups.Reader g = element.getGroups(union);
      assertThat(union == null || g == union).isTrue();
      union = g;
      if (union.isBar()) {
        text = union.getBar().getGrault(text);
      } else {
        text = union.getBaz().getGarply(text);
      }
      seen.append(union.which()).append(' ').append(text).append(' ');
    }
    assertThat(seen).hasToString("BAR first BAZ second ");
  }

  @Test
  void errorsAreTheGettersErrors() {
    // root: a struct of 24 pointers, each a struct pointer (to one shared one-word struct):
    // every text, data and list field of TestAllTypes is then of the wrong kind
    int pointers = 24;
    ByteBuffer words = ByteBuffer.allocate((pointers + 2) * 8).order(ByteOrder.LITTLE_ENDIAN);
    words.putLong(0, (long) pointers << 48);
    for (int w = 1; w <= pointers; w++) {
      words.putLong(w * 8, (1L << 32) | ((long) (pointers - w) << 2));
    }
    TestAllTypes.Reader root = new MessageReader(new ByteBuffer[] {words})
        .getRoot(TestAllTypes.FACTORY);
    Text.Reader text = new Text.Reader("unchanged");
    assertThatThrownBy(() -> root.getTextField(text)).isInstanceOf(DecodeException.class)
        .hasMessage(messageOf(root::getTextField));
    assertThat(text).hasToString("unchanged");
    Data.Reader data = new Data.Reader(new byte[1]);
    assertThatThrownBy(() -> root.getDataField(data))
        .hasMessage(messageOf(root::getDataField));
    TextList.Reader texts = new MessageBuilder().initRoot(TestAllTypes.FACTORY).initTextList(1)
        .asReader();
    assertThatThrownBy(() -> root.getTextList(texts)).hasMessage(messageOf(root::getTextList));
    StructList.Reader<TestAllTypes.Reader> structs = root.getStructField().getStructList();
    assertThatThrownBy(() -> root.getStructList(structs))
        .hasMessage(messageOf(root::getStructList));
    assertThat(root.getStructField(root.getStructField()).getInt64Field()).isZero();
  }

  private static String messageOf(Runnable read) {
    try {
      read.run();
    } catch (DecodeException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error");
  }
}
