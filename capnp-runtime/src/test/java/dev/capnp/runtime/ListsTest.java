package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListsTest {
  enum Color { RED, GREEN, BLUE, _NOT_IN_SCHEMA }

  static final EnumList.Factory<Color> COLORS =
      EnumList.factory(new Color[] {Color.RED, Color.GREEN, Color.BLUE}, Color._NOT_IN_SCHEMA);

  private static T.Reader reread(MessageBuilder mb) {
    return Serialize.read(ByteBuffer.wrap(Serialize.toBytes(mb))).getRoot(T.FACTORY);
  }

  @Test
  void everyPrimitiveListKind() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    AnyStruct.Builder holder = t.getAny(0).initAs(AnyStruct.factory(new StructSize(0, 9)));
    holder.getPointer(0).initAs(PrimitiveList.Void.FACTORY, 1000);
    PrimitiveList.Byte.Builder bytes = holder.getPointer(1).initAs(PrimitiveList.Byte.FACTORY, 3);
    bytes.set(2, (byte) -1);
    holder.getPointer(2).initAs(PrimitiveList.Short.FACTORY, 2).set(1, (short) -300);
    holder.getPointer(3).initAs(PrimitiveList.Int.FACTORY, 2).set(0, Integer.MIN_VALUE);
    holder.getPointer(4).initAs(PrimitiveList.Long.FACTORY, 1).set(0, 1L << 60);
    holder.getPointer(5).initAs(PrimitiveList.Float.FACTORY, 2).set(1, 1.5f);
    holder.getPointer(6).initAs(PrimitiveList.Double.FACTORY, 2).set(0, -2.5);
    PrimitiveList.Boolean.Builder bits =
        holder.getPointer(7).initAs(PrimitiveList.Boolean.FACTORY, 70);
    bits.set(69, true);
    bits.set(3, true);
    EnumList.Builder<Color> colors = holder.getPointer(8).initAs(COLORS, 3);
    colors.set(0, Color.BLUE);
    colors.setRaw(2, 17);

    AnyStruct.Reader r = reread(mb).getAny(0).getAs(AnyStruct.FACTORY);
    assertThat(r.getPointer(0).getAs(PrimitiveList.Void.FACTORY).size()).isEqualTo(1000);
    assertThat(r.getPointer(1).getAs(PrimitiveList.Byte.FACTORY).toArray())
        .containsExactly(0, 0, -1);
    assertThat(r.getPointer(2).getAs(PrimitiveList.Short.FACTORY).get(1)).isEqualTo((short) -300);
    assertThat(r.getPointer(3).getAs(PrimitiveList.Int.FACTORY).toArray())
        .containsExactly(Integer.MIN_VALUE, 0);
    assertThat(r.getPointer(4).getAs(PrimitiveList.Long.FACTORY).get(0)).isEqualTo(1L << 60);
    assertThat(r.getPointer(5).getAs(PrimitiveList.Float.FACTORY).get(1)).isEqualTo(1.5f);
    assertThat(r.getPointer(6).getAs(PrimitiveList.Double.FACTORY).get(0)).isEqualTo(-2.5);
    PrimitiveList.Boolean.Reader rb = r.getPointer(7).getAs(PrimitiveList.Boolean.FACTORY);
    assertThat(rb.size()).isEqualTo(70);
    assertThat(rb.get(69)).isTrue();
    assertThat(rb.get(3)).isTrue();
    assertThat(rb.get(4)).isFalse();
    List<Color> cs = new ArrayList<>();
    r.getPointer(8).getAs(COLORS).forEach(cs::add);
    assertThat(cs).containsExactly(Color.BLUE, Color.RED, Color._NOT_IN_SCHEMA);
    assertThatThrownBy(() -> rb.get(70)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void pointerListKinds() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    TextList.Builder texts = t.init(TextList.FACTORY, 0, 3);
    texts.set(0, "a");
    texts.set(2, "ccc");
    DataList.Builder datas = t.init(DataList.FACTORY, 1, 2);
    datas.set(1, new byte[] {9, 8});
    ListList.Factory<PrimitiveList.Int.Builder, PrimitiveList.Int.Reader> intLists =
        ListList.factory(PrimitiveList.Int.FACTORY);
    ListList.Builder<PrimitiveList.Int.Builder, PrimitiveList.Int.Reader> ll =
        t.init(intLists, 2, 2);
    ll.init(0, 2).set(1, 11);
    ll.init(1, 1).set(0, 22);
    AnyPointerList.Builder anys = t.init(AnyPointerList.FACTORY, 4, 2);
    anys.get(1).setAs(Text.FACTORY, new Text.Reader("any"));

    T.Reader r = reread(mb);
    List<String> strings = new ArrayList<>();
    for (Text.Reader x : r.get(TextList.FACTORY, 0)) {
      strings.add(x.toString());
    }
    assertThat(strings).containsExactly("a", "", "ccc");
    assertThat(r.get(DataList.FACTORY, 1).get(1).toArray()).containsExactly(9, 8);
    assertThat(r.get(DataList.FACTORY, 1).get(0).size()).isZero();
    assertThat(r.get(intLists, 2).get(0).toArray()).containsExactly(0, 11);
    assertThat(r.get(intLists, 2).get(1).toArray()).containsExactly(22);
    assertThat(r.get(AnyPointerList.FACTORY, 4).get(0).isNull()).isTrue();
    assertThat(r.get(AnyPointerList.FACTORY, 4).get(1).getAs(Text.FACTORY).toString())
        .isEqualTo("any");
  }

  @Test
  void primitiveListReadAsStructListAndBack() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    PrimitiveList.Int.Builder ints = t.init(PrimitiveList.Int.FACTORY, 3, 3);
    ints.set(0, 5);
    ints.set(1, -6);
    ints.set(2, 7);
    t.init(TextList.FACTORY, 4, 1).set(0, "txt");
    T.Reader r = reread(mb);
    // List(Int32) read as List(T): element data is the int, field a
    StructList.Reader<T.Reader> asStructs = r.getF();
    assertThat(asStructs.size()).isEqualTo(3);
    assertThat(asStructs.get(1).getA()).isEqualTo(-6);
    assertThat(asStructs.get(1).getH()).isEqualTo(1234);
    assertThat(asStructs.get(1).hasC()).isFalse();
    // List(Text) read as List(T): the pointer is the first pointer field
    StructList.Reader<T.Reader> textStructs = r.get(T.LIST, 4);
    assertThat(textStructs.get(0).getC().toString()).isEqualTo("txt");
    assertThat(textStructs.get(0).getA()).isZero();

    // List(T) read as List(Int32) / List(Text): first field / first pointer
    MessageBuilder mb2 = new MessageBuilder();
    StructList.Builder<T.Builder> structs = mb2.initRoot(T.FACTORY).initF(2);
    structs.get(0).setA(41).setC("s0");
    structs.get(1).setA(42).setC("s1");
    T.Reader r2 = reread(mb2);
    assertThat(r2.get(PrimitiveList.Int.FACTORY, 3).toArray()).containsExactly(41, 42);
    assertThat(r2.get(TextList.FACTORY, 3).get(1).toString()).isEqualTo("s1");
    assertThatThrownBy(() -> r2.get(PrimitiveList.Boolean.FACTORY, 3))
        .isInstanceOf(DecodeException.class).hasMessageContaining("bit list");
  }

  @Test
  void builderUpgradesPrimitiveListToStructList() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder t = mb.initRoot(T.FACTORY);
    PrimitiveList.Int.Builder ints = t.init(PrimitiveList.Int.FACTORY, 3, 2);
    ints.set(0, 5);
    ints.set(1, 6);
    StructList.Builder<T.Builder> upgraded = t.getF();
    assertThat(upgraded.size()).isEqualTo(2);
    assertThat(upgraded.get(1).getA()).isEqualTo(6);
    upgraded.get(1).setC("now a struct");
    T.Reader r = reread(mb);
    assertThat(r.getF().get(0).getA()).isEqualTo(5);
    assertThat(r.getF().get(1).getC().toString()).isEqualTo("now a struct");
    // a smaller struct list is upgraded element by element
    MessageBuilder old = new MessageBuilder();
    StructList.Builder<AnyStruct.Builder> small = old.initRoot(T.FACTORY)
        .init(StructList.factory(AnyStruct.factory(new StructSize(1, 1))), 3, 2);
    small.get(1).getDataSection().putInt(0, 99);
    small.get(1).getPointer(0).setAs(Text.FACTORY, new Text.Reader("kept"));
    StructList.Builder<T.Builder> big = old.getRoot(T.FACTORY).getF();
    assertThat(big.get(1).getA()).isEqualTo(99);
    assertThat(big.get(1).getC().toString()).isEqualTo("kept");
    big.get(1).setH(3);
    T.Reader r2 = reread(old);
    assertThat(r2.getF().get(1).getH()).isEqualTo(3);
    assertThat(r2.getF().get(1).getC().toString()).isEqualTo("kept");
  }

  @Test
  void listsOfListsOfStructsCopyAcrossMessages() {
    ListList.Factory<StructList.Builder<T.Builder>, StructList.Reader<T.Reader>> lls =
        ListList.factory(T.LIST);
    MessageBuilder mb = new MessageBuilder(2);
    ListList.Builder<StructList.Builder<T.Builder>, StructList.Reader<T.Reader>> outer =
        mb.initRoot(T.FACTORY).init(lls, 0, 2);
    outer.init(0, 1).get(0).setA(1);
    outer.init(1, 2).get(1).setC("deep");
    T.Reader src = reread(mb);
    MessageBuilder copy = new MessageBuilder();
    copy.initRoot(T.FACTORY).set(lls, 5, src.get(lls, 0));
    T.Reader r = reread(copy);
    assertThat(r.get(lls, 5).get(0).get(0).getA()).isEqualTo(1);
    assertThat(r.get(lls, 5).get(1).get(1).getC().toString()).isEqualTo("deep");
    StructList.Builder<T.Builder> f = copy.getRoot(T.FACTORY).initF(2);
    f.setWithCaveats(1, src.get(lls, 0).get(1).get(1));
    assertThat(reread(copy).getF().get(1).getC().toString()).isEqualTo("deep");
  }
}
