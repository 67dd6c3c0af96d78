package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import dev.capnp.test.TestSchema.TestAllTypes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * A {@code List(SomeStruct)} field reads as the struct's own generated {@code ListReader} and
 * builds as its {@code ListBuilder} (element access and iterator of that struct's code, which
 * the JIT can inline without allocating element readers), with the behaviour of any struct
 * list.
 */
class GeneratedListReaderTest {
  private static TestAllTypes.Reader read(MessageBuilder message) {
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message)))
        .getRoot(TestAllTypes.FACTORY);
  }

  @Test
  void structListFieldsReadAsTheStructsOwnListReader() {
    MessageBuilder message = new MessageBuilder();
    StructList.Builder<TestAllTypes.Builder> list =
        message.initRoot(TestAllTypes.FACTORY).initStructList(3);
    assertThat(list).isInstanceOf(TestAllTypes.ListBuilder.class);
    for (int i = 0; i < 3; i++) {
      list.get(i).setInt32Field(100 + i);
      list.get(i).setTextField("element " + i);
    }
    StructList.Reader<TestAllTypes.Reader> structs = read(message).getStructList();
    assertThat(structs).isInstanceOf(TestAllTypes.ListReader.class);
    assertThat(structs.size()).isEqualTo(3);
    List<String> seen = new ArrayList<>();
    for (TestAllTypes.Reader s : structs) {
      seen.add(s.getInt32Field() + " " + s.getTextField());
    }
    assertThat(seen).containsExactly("100 element 0", "101 element 1", "102 element 2");
    assertThat(structs.get(1).getInt32Field()).isEqualTo(101);
    assertThat(structs.get(2, structs.get(0)).getInt32Field()).isEqualTo(102);
    assertThatThrownBy(() -> structs.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    Iterator<TestAllTypes.Reader> it = structs.iterator();
    it.next();
    it.next();
    it.next();
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aNullStructListReadsAsAnEmptyListReader() {
    MessageBuilder message = new MessageBuilder();
    message.initRoot(TestAllTypes.FACTORY);
    StructList.Reader<TestAllTypes.Reader> structs = read(message).getStructList();
    assertThat(structs).isInstanceOf(TestAllTypes.ListReader.class);
    assertThat(structs.size()).isZero();
    assertThat(structs.iterator().hasNext()).isFalse();
  }
}
