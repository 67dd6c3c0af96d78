package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.PrimitiveList;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestLists;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input read through generated readers: whatever the bytes, reading and walking every
 * field either succeeds or throws {@link DecodeException} — never another exception, never
 * unbounded work.
 */
class HostileInputTest {
  private static byte[] validMessage() {
    MessageBuilder message = new MessageBuilder(1);
    AllTypesValues.init(message.initRoot(TestAllTypes.FACTORY));
    return Serialize.toBytes(message);
  }

  @Test
  void everyTruncationIsRejectedCleanly() {
    byte[] valid = validMessage();
    for (int length = 0; length < valid.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(valid, length);
      assertThatThrownBy(() -> Walker.walk(Serialize.read(ByteBuffer.wrap(truncated))))
          .as("truncated to %d of %d bytes", length, valid.length)
          .isInstanceOf(DecodeException.class);
    }
  }

  @Test
  void randomCorruptionOnlyEverThrowsDecodeException() {
    byte[] valid = validMessage();
    Random random = new Random(20261121);
    int rejected = 0;
    for (int round = 0; round < 3000; round++) {
      byte[] corrupt = valid.clone();
      int flips = 1 + random.nextInt(8);
      for (int i = 0; i < flips; i++) {
        corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
      }
      try {
        Walker.walk(Serialize.read(ByteBuffer.wrap(corrupt)));
      } catch (DecodeException expected) {
        rejected++;
      }
    }
    assertThat(rejected).isPositive();
  }

  @Test
  void randomPackedInputOnlyEverThrowsDecodeException() {
    Random random = new Random(7);
    for (int round = 0; round < 2000; round++) {
      byte[] junk = new byte[random.nextInt(200)];
      random.nextBytes(junk);
      try {
        Walker.walk(SerializePacked.read(ByteBuffer.wrap(junk)));
      } catch (DecodeException expected) {
        // fine
      }
    }
  }

  @Test
  void manyPointersToOneBigListHitTheTraversalLimit() {
    // Root TestLists whose int32ListList holds 1000 pointers all aimed at one 65536-word list:
    // 65 Mi words of traversal from a 0.5 MiB message.
    int pointers = 1000;
    int bigListWords = 65536;
    int rootPointers = TestLists.SIZE.pointerCount;
    int listListWord = 1 + TestLists.SIZE.dataWords + 7; // pointer 7 = int32ListList
    int firstElement = 1 + TestLists.SIZE.dataWords + rootPointers;
    int bigList = firstElement + pointers;
    long[] words = new long[bigList + bigListWords];
    words[0] = structPointer(0, TestLists.SIZE.dataWords, rootPointers);
    words[listListWord] = listPointer(firstElement - listListWord - 1, 6, pointers);
    for (int i = 0; i < pointers; i++) {
      int at = firstElement + i;
      words[at] = listPointer(bigList - at - 1, 4, bigListWords * 2);
    }
    MessageReader message = new MessageReader(new ByteBuffer[] {segment(words)});
    assertThatThrownBy(() -> {
          long sum = 0;
          for (PrimitiveList.Int.Reader list : message.getRoot(TestLists.FACTORY).getInt32ListList()) {
            sum += list.size();
          }
          assertThat(sum).isNegative(); // unreachable: the limit must trip first
        })
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("traversal");
  }

  @Test
  void aStructThatContainsItselfHitsTheNestingLimit() {
    int dataWords = TestAllTypes.SIZE.dataWords;
    int pointerCount = TestAllTypes.SIZE.pointerCount;
    long[] words = new long[1 + dataWords + pointerCount];
    words[0] = structPointer(0, dataWords, pointerCount);
    int structFieldWord = 1 + dataWords + 2; // pointer 2 = structField
    words[structFieldWord] = structPointer(1 - structFieldWord - 1, dataWords, pointerCount);
    MessageReader message = new MessageReader(new ByteBuffer[] {segment(words)});
    assertThatThrownBy(() -> {
          TestAllTypes.Reader r = message.getRoot(TestAllTypes.FACTORY);
          for (int depth = 0; depth < 1000; depth++) {
            r = r.getStructField();
          }
        })
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("nesting");
  }

  @Test
  void absurdSegmentTablesAreRejectedBeforeAllocating() {
    ByteBuffer manySegments = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    manySegments.putInt(0, 0x7fffffff).putInt(4, 1);
    assertThatThrownBy(() -> Serialize.read(manySegments)).isInstanceOf(DecodeException.class);
    ByteBuffer hugeSegment = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    hugeSegment.putInt(0, 0).putInt(4, 0x7fffffff);
    assertThatThrownBy(() -> Serialize.read(hugeSegment)).isInstanceOf(DecodeException.class);
  }

  private static long structPointer(int offsetWords, int dataWords, int pointerCount) {
    return ((long) (offsetWords << 2) & 0xffffffffL) | ((long) dataWords << 32) | ((long) pointerCount << 48);
  }

  private static long listPointer(int offsetWords, int elementSize, int count) {
    return (((long) (offsetWords << 2) | 1) & 0xffffffffL) | ((long) elementSize << 32) | ((long) count << 35);
  }

  private static ByteBuffer segment(long[] words) {
    ByteBuffer buffer = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long word : words) {
      buffer.putLong(word);
    }
    return buffer.flip();
  }
}
