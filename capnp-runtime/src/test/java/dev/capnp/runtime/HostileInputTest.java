package dev.capnp.runtime;

import static dev.capnp.runtime.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostileInputTest {
  // pointer word encoders (independent of the runtime's own helpers)
  static long struct(int offset, int dataWords, int ptrs) {
    return ((offset << 2) & 0xffffffffL) | ((long) dataWords << 32) | ((long) ptrs << 48);
  }

  static long list(int offset, int sizeCode, int count) {
    return (((offset << 2) | 1) & 0xffffffffL) | ((long) sizeCode << 32) | ((long) count << 35);
  }

  static long far(boolean dbl, int pad, int seg) {
    return (((pad << 3) | (dbl ? 4 : 0) | 2) & 0xffffffffL) | ((long) seg << 32);
  }

  private static ByteBuffer frame(int... header) {
    ByteBuffer b = ByteBuffer.allocate(header.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int h : header) {
      b.putInt(h);
    }
    return b.flip();
  }

  @Test
  void truncatedAndAbsurdFrames() {
    assertThatThrownBy(() -> Serialize.read(ByteBuffer.allocate(4)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> Serialize.read(frame(0, 10, 0, 0)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("10 words");
    assertThatThrownBy(() -> Serialize.read(frame(-1, 0)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("4294967296 segments");
    assertThatThrownBy(() -> Serialize.read(frame(600, 0)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("segments");
    assertThatThrownBy(() -> Serialize.read(frame(3, 1, 1, 1, 1)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("segment table");
    assertThatThrownBy(() -> Serialize.read(frame(1, -1, -1, 0)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("words");
  }

  @Test
  void streamHeadersAreCheckedBeforeAllocating() throws java.io.IOException {
    // 2^31 words declared: must be refused without allocating 16 GiB
    byte[] huge = frame(0, Integer.MAX_VALUE).array();
    assertThatThrownBy(() -> Serialize.read(new ByteArrayInputStream(huge)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("exceeds the limit");
    byte[] truncated = new byte[8 + 8];
    ByteBuffer.wrap(truncated).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0).putInt(4, 5);
    assertThatThrownBy(() -> Serialize.read(new ByteArrayInputStream(truncated)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("premature end");
    assertThatThrownBy(() -> Serialize.read(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(DecodeException.class);
    byte[] hugeCount = frame(100000, 0).array();
    assertThatThrownBy(() -> Serialize.read(new ByteArrayInputStream(hugeCount)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("segments");
    ReaderOptions small = new ReaderOptions(1000, 64, 4);
    byte[] five = Serialize.toBytes(new MessageBuilder());
    assertThat(Serialize.read(new ByteArrayInputStream(five), small).segmentCount()).isOne();
    MessageBuilder big = new MessageBuilder();
    big.initRoot(T.FACTORY);
    assertThatThrownBy(() -> Serialize.read(
        new ByteArrayInputStream(Serialize.toBytes(big)), small))
        .isInstanceOf(DecodeException.class).hasMessageContaining("maxMessageSizeInWords");
  }

  @Test
  void truncatedPackedInput() {
    byte[] packed = SerializePacked.toBytes(new MessageBuilder());
    for (int cut = 0; cut < packed.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(packed, cut);
      assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(part)))
          .isInstanceOf(DecodeException.class);
    }
    assertThatThrownBy(() -> SerializePacked.unpack(Fixtures.bytes(0xff, 1, 2)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("truncated");
  }

  @Test
  void outOfBoundsPointers() {
    assertThatThrownBy(() -> message(struct(5, 1, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("out of bounds").hasMessageContaining("segment 0");
    assertThatThrownBy(() -> message(struct(-2, 1, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("out of bounds");
    assertThatThrownBy(() -> message(struct(0, 0, 1), list(0, 5, 3), 0).getRoot(T.FACTORY)
        .get(PrimitiveList.Long.FACTORY, 0)).isInstanceOf(DecodeException.class);
    MessageReader m = message(struct(0, 0, 1), list(0, 2, 100));
    assertThatThrownBy(() -> m.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class).hasMessageContaining("out of bounds");
    assertThatThrownBy(() -> new MessageReader(new ByteBuffer[0]).getRoot(T.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("root");
  }

  @Test
  void farPointerAbuse() {
    assertThatThrownBy(() -> message(far(false, 0, 3)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("nonexistent segment 3");
    assertThatThrownBy(() -> message(far(false, 0, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("another far pointer");
    assertThatThrownBy(() -> message(far(false, 9, 0)).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("landing pad out of bounds");
    assertThatThrownBy(() -> message(far(true, 0, 0), 0).getRoot(AnyStruct.FACTORY))
        .isInstanceOf(DecodeException.class).hasMessageContaining("double-far");
    assertThatThrownBy(() -> message(far(true, 1, 0), far(true, 1, 0), 0)
        .getRoot(AnyStruct.FACTORY)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> message(far(true, 1, 0), far(false, 0, 0), far(false, 0, 0))
        .getRoot(AnyStruct.FACTORY)).isInstanceOf(DecodeException.class)
        .hasMessageContaining("tag is a far pointer");
    // a valid double far: pad at words 1-2 pointing at a struct at word 3
    MessageReader ok = message(far(true, 1, 0), far(false, 3, 0), struct(0, 1, 0), 42);
    assertThat(ok.getRoot(AnyStruct.FACTORY).getDataSection().getLong(0)).isEqualTo(42);
  }

  @Test
  void cyclesHitTheNestingLimit() {
    // root -> struct at word 1 whose only pointer (word 1) points to itself (offset -1)
    MessageReader m = message(struct(0, 0, 1), struct(-1, 0, 1));
    AnyStruct.Reader s = m.getRoot(AnyStruct.FACTORY);
    assertThatThrownBy(() -> {
      AnyStruct.Reader cur = s;
      for (int i = 0; i < 1000; i++) {
        cur = cur.getPointer(0).getAs(AnyStruct.FACTORY);
      }
    }).isInstanceOf(DecodeException.class).hasMessageContaining("nesting limit");
    MessageBuilder copy = new MessageBuilder();
    assertThatThrownBy(() -> copy.setRoot(AnyStruct.FACTORY, s))
        .isInstanceOf(DecodeException.class).hasMessageContaining("nesting limit");
    assertThatThrownBy(() -> Canonical.canonicalize(s))
        .isInstanceOf(DecodeException.class).hasMessageContaining("nesting limit");
    assertThatThrownBy(() -> m.getRootAnyPointer().targetSizeInWords())
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void deepButLegalNestingRespectsTheConfiguredLimit() {
    MessageBuilder mb = new MessageBuilder();
    T.Builder cur = mb.initRoot(T.FACTORY);
    for (int i = 0; i < 100; i++) {
      cur = cur.initE();
    }
    cur.setA(1);
    ByteBuffer bytes = ByteBuffer.wrap(Serialize.toBytes(mb));
    assertThatThrownBy(() -> {
      T.Reader r = Serialize.read(bytes.duplicate()).getRoot(T.FACTORY);
      for (int i = 0; i < 100; i++) {
        r = r.getE();
      }
    }).isInstanceOf(DecodeException.class).hasMessageContaining("nesting limit");
    T.Reader r = Serialize.read(bytes.duplicate(), new ReaderOptions(1 << 20, 200))
        .getRoot(T.FACTORY);
    for (int i = 0; i < 100; i++) {
      r = r.getE();
    }
    assertThat(r.getA()).isEqualTo(1);
  }

  @Test
  void amplificationIsStoppedByTheTraversalLimit() {
    int n = 1000;
    int dataWords = 10_000;
    long[] w = new long[2 + n + dataWords];
    w[0] = struct(0, 0, 1);
    w[1] = list(0, 6, n);
    for (int i = 0; i < n; i++) {
      w[2 + i] = list((2 + n) - (2 + i) - 1, 2, dataWords * 8);
    }
    MessageReader m = message(w);
    AnyPointerList.Reader ptrs = m.getRoot(AnyStruct.FACTORY).getPointer(0)
        .getAs(AnyPointerList.FACTORY);
    assertThatThrownBy(() -> {
      for (AnyPointer.Reader p : ptrs) {
        p.getAs(Data.FACTORY);
      }
    }).isInstanceOf(DecodeException.class).hasMessageContaining("traversal limit");
    MessageBuilder copy = new MessageBuilder();
    assertThatThrownBy(() -> copy.getRootAnyPointer().set(message(w).getRootAnyPointer()))
        .isInstanceOf(DecodeException.class).hasMessageContaining("traversal limit");
  }

  @Test
  void zeroSizedElementListsCountAgainstTheLimit() {
    MessageReader voids = message(struct(0, 0, 1), list(0, 0, (1 << 29) - 1));
    assertThatThrownBy(() -> voids.getRoot(AnyStruct.FACTORY).getPointer(0)
        .getAs(PrimitiveList.Void.FACTORY)).isInstanceOf(DecodeException.class)
        .hasMessageContaining("traversal limit");
    MessageReader empties = message(struct(0, 0, 1), list(0, 7, 0), (long) ((1 << 29) - 1) << 2);
    assertThatThrownBy(() -> empties.getRoot(AnyStruct.FACTORY).getPointer(0)
        .getAs(AnyList.FACTORY)).isInstanceOf(DecodeException.class)
        .hasMessageContaining("traversal limit");
  }

  @Test
  void malformedListsAndBlobs() {
    // composite list whose elements overrun its word count
    MessageReader overrun = message(struct(0, 0, 1), list(0, 7, 2), struct(10, 1, 0), 0, 0);
    assertThatThrownBy(() -> overrun.getRoot(T.FACTORY).get(T.LIST, 0))
        .isInstanceOf(DecodeException.class).hasMessageContaining("overruns");
    MessageReader badTag = message(struct(0, 0, 1), list(0, 7, 1), list(0, 0, 0), 0);
    assertThatThrownBy(() -> badTag.getRoot(T.FACTORY).get(T.LIST, 0))
        .isInstanceOf(DecodeException.class).hasMessageContaining("tag");
    MessageReader noNul = message(struct(0, 0, 1), list(0, 2, 3), 0x636261L);
    assertThatThrownBy(() -> noNul.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class).hasMessageContaining("NUL");
    MessageReader emptyText = message(struct(0, 0, 1), list(0, 2, 0));
    assertThatThrownBy(() -> emptyText.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class).hasMessageContaining("NUL");
    MessageReader wordsAsText = message(struct(0, 0, 1), list(0, 5, 1), 0);
    assertThatThrownBy(() -> wordsAsText.getRoot(T.FACTORY).getC())
        .isInstanceOf(DecodeException.class).hasMessageContaining("byte list");
    MessageReader structAsList = message(struct(0, 0, 2), 0, struct(0, 1, 0), 0);
    assertThatThrownBy(() -> structAsList.getRoot(T.FACTORY).getD())
        .isInstanceOf(DecodeException.class).hasMessageContaining("expected a list pointer");
    MessageReader listAsStruct = message(struct(0, 0, 3), 0, 0, list(0, 0, 1));
    assertThatThrownBy(() -> listAsStruct.getRoot(T.FACTORY).getE())
        .isInstanceOf(DecodeException.class).hasMessageContaining("expected a struct pointer");
    MessageReader bytesAsShorts = message(struct(0, 0, 2), 0, list(0, 2, 2), 0);
    assertThatThrownBy(() -> bytesAsShorts.getRoot(T.FACTORY).getD())
        .isInstanceOf(DecodeException.class).hasMessageContaining("schema mismatch");
    MessageReader unknownOther = message(struct(0, 0, 1), 7);
    MessageBuilder copy = new MessageBuilder();
    assertThatThrownBy(() -> copy.setRoot(AnyStruct.FACTORY,
        unknownOther.getRoot(AnyStruct.FACTORY))).isInstanceOf(DecodeException.class)
        .hasMessageContaining("unknown pointer");
  }

  @Test
  void randomCorruptionOnlyEverThrowsDecodeException() {
    MessageBuilder mb = new MessageBuilder(3);
    Fixtures.fill(mb.initRoot(T.FACTORY));
    byte[] good = Serialize.toBytes(mb);
    Random random = new Random(1234);
    int decodeErrors = 0;
    for (int iter = 0; iter < 3000; iter++) {
      byte[] bad = good.clone();
      int flips = 1 + random.nextInt(4);
      for (int k = 0; k < flips; k++) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      try {
        MessageReader m = Serialize.read(ByteBuffer.wrap(bad));
        T.Reader r = m.getRoot(T.FACTORY);
        r.getC().toString();
        r.getD().toArray();
        r.getE().getC();
        for (T.Reader item : r.getF()) {
          item.getC().toString();
        }
        r.getI().toArray();
        r.getJ().toArray();
        new MessageBuilder().setRoot(T.FACTORY, r);
        Canonical.canonicalize(r);
        m.getRootAnyPointer().targetSizeInWords();
        SerializePacked.read(ByteBuffer.wrap(SerializePacked.pack(bad.length % 8 == 0
            ? bad : java.util.Arrays.copyOf(bad, bad.length & ~7))));
      } catch (DecodeException e) {
        decodeErrors++;
        assertThat(e.getMessage()).isNotBlank();
      } catch (RuntimeException | Error e) {
        fail("iteration " + iter + ": unexpected " + e, e);
      }
    }
    assertThat(decodeErrors).isPositive();
  }
}
