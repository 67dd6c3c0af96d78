package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilityTest {
  /** A trivial cap table holding arbitrary objects. */
  static final class ListCapTable implements CapTableBuilder {
    final List<Object> caps = new ArrayList<>();
    final List<Integer> dropped = new ArrayList<>();

    @Override
    public Object extractCap(int index) {
      return index >= 0 && index < caps.size() ? caps.get(index) : null;
    }

    @Override
    public int injectCap(Object cap) {
      caps.add(cap);
      return caps.size() - 1;
    }

    @Override
    public void dropCap(int index) {
      dropped.add(index);
    }
  }

  @Test
  void capabilitiesAreCopiedThroughCapTables() {
    ListCapTable srcTable = new ListCapTable();
    MessageBuilder src = new MessageBuilder();
    src.setCapTable(srcTable);
    T.Builder root = src.initRoot(T.FACTORY);
    root.getAny(2).setCapabilityIndex(srcTable.injectCap("cap-A"));
    root.getAny(3).setCapabilityIndex(srcTable.injectCap("cap-B"));

    MessageReader reader = Serialize.read(ByteBuffer.wrap(Serialize.toBytes(src)));
    reader.setCapTable(srcTable);
    assertThat(reader.getRoot(T.FACTORY).getAny(3).getCapability()).isEqualTo("cap-B");

    ListCapTable dstTable = new ListCapTable();
    dstTable.injectCap("unrelated");
    MessageBuilder dst = new MessageBuilder();
    dst.setCapTable(dstTable);
    dst.setRoot(T.FACTORY, reader.getRoot(T.FACTORY));
    T.Builder copy = dst.getRoot(T.FACTORY);
    assertThat(copy.getAny(2).getCapabilityIndex()).isEqualTo(1);
    assertThat(copy.getAny(3).getCapabilityIndex()).isEqualTo(2);
    assertThat(dstTable.caps).containsExactly("unrelated", "cap-A", "cap-B");

    copy.clear(2);
    assertThat(dstTable.dropped).containsExactly(1);
    assertThat(copy.getAny(2).isNull()).isTrue();
  }

  @Test
  void withoutTablesIndexesAreKept() {
    MessageBuilder mb = new MessageBuilder();
    mb.initRoot(T.FACTORY).getAny(0).setCapabilityIndex(5);
    MessageBuilder copy = new MessageBuilder();
    copy.setRoot(T.FACTORY, mb.getRoot(T.FACTORY).asReader());
    assertThat(copy.getRoot(T.FACTORY).asReader().getAny(0).getCapabilityIndex()).isEqualTo(5);
    assertThat(copy.getRoot(T.FACTORY).asReader().getAny(1).getCapabilityIndex()).isEqualTo(-1);
  }

  /**
   * In a message with a capability table, an index naming no capability there (a
   * {@code CapDescriptor.none}, or past the table's end) is a null capability: copied, it becomes
   * a null pointer, never the same index in the destination's table (where it would name some
   * other capability).
   */
  @Test
  void anIndexNamingNoCapabilityIsCopiedAsNull() {
    ListCapTable srcTable = new ListCapTable();
    srcTable.injectCap(null); // a none entry
    srcTable.injectCap("cap-B");
    MessageBuilder src = new MessageBuilder();
    T.Builder root = src.initRoot(T.FACTORY);
    root.getAny(0).setCapabilityIndex(0);
    root.getAny(1).setCapabilityIndex(1);
    root.getAny(2).setCapabilityIndex(7);
    MessageReader reader = Serialize.read(ByteBuffer.wrap(Serialize.toBytes(src)));
    reader.setCapTable(srcTable);

    ListCapTable dstTable = new ListCapTable();
    dstTable.injectCap("unrelated");
    MessageBuilder dst = new MessageBuilder();
    dst.setCapTable(dstTable);
    dst.setRoot(T.FACTORY, reader.getRoot(T.FACTORY));
    T.Reader copy = dst.getRoot(T.FACTORY).asReader();
    assertThat(copy.getAny(0).isNull()).isTrue();
    assertThat(copy.getAny(1).getCapabilityIndex()).isEqualTo(1);
    assertThat(copy.getAny(2).isNull()).isTrue();
    assertThat(dstTable.caps).containsExactly("unrelated", "cap-B");
  }
}
