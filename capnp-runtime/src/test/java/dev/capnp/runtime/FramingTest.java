package dev.capnp.runtime;

import static dev.capnp.runtime.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramingTest {
  private static MessageBuilder sample(int firstSegmentWords) {
    MessageBuilder mb = new MessageBuilder(firstSegmentWords);
    Fixtures.fill(mb.initRoot(T.FACTORY));
    return mb;
  }

  @Test
  void segmentTableLayout() {
    MessageBuilder mb = sample(2);
    byte[] framed = Serialize.toBytes(mb);
    ByteBuffer b = ByteBuffer.wrap(framed).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int count = b.getInt(0) + 1;
    assertThat(count).isEqualTo(mb.segmentCount());
    long words = 0;
    for (int i = 0; i < count; i++) {
      words += b.getInt(4 + 4 * i);
    }
    assertThat(framed.length).isEqualTo(Serialize.headerBytes(count) + words * 8);
    assertThat(Serialize.computeSerializedSizeInWords(mb) * 8).isEqualTo(framed.length);
  }

  @Test
  void writeIntoAByteBufferEqualsToBytesInEitherByteOrder() {
    for (int first : new int[] {2, 3, 5, 1024}) { // odd and even segment counts, one segment
      MessageBuilder mb = sample(first);
      byte[] expected = Serialize.toBytes(mb);
      assertThat(expected.length).isEqualTo(Serialize.computeSerializedSizeInWords(mb) * 8);
      for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {
          java.nio.ByteOrder.BIG_ENDIAN, java.nio.ByteOrder.LITTLE_ENDIAN}) {
        for (boolean direct : new boolean[] {false, true}) {
          ByteBuffer out = (direct ? ByteBuffer.allocateDirect(expected.length + 16)
              : ByteBuffer.allocate(expected.length + 16)).order(order);
          out.put(new byte[] {-1, -1, -1}); // a position that is not 0, dirty memory after it
          for (int i = 3; i < out.capacity(); i++) {
            out.put(i, (byte) 0x55);
          }
          Serialize.write(mb, out);
          assertThat(out.position()).isEqualTo(3 + expected.length);
          byte[] got = new byte[expected.length];
          out.get(3, got);
          assertThat(got).as("first segment %d words, %s, direct %s", first, order, direct)
              .isEqualTo(expected);
          assertThat(out.order()).isEqualTo(order);
        }
      }
    }
  }

  @Test
  void writeIntoATooSmallBufferWritesNothing() {
    MessageBuilder mb = sample(3);
    ByteBuffer out = ByteBuffer.allocate((int) Serialize.computeSerializedSizeInWords(mb) * 8 - 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Serialize.write(mb, out))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    assertThat(out.position()).isZero();
  }

  @Test
  void byteBufferReadIsZeroCopyAndAdvances() {
    byte[] one = Serialize.toBytes(sample(1));
    byte[] two = Serialize.toBytes(sample(1024));
    ByteBuffer both = ByteBuffer.allocate(one.length + two.length).put(one).put(two).flip();
    MessageReader m1 = Serialize.read(both);
    assertThat(both.position()).isEqualTo(one.length);
    MessageReader m2 = Serialize.read(both);
    assertThat(both.hasRemaining()).isFalse();
    Fixtures.check(m1.getRoot(T.FACTORY));
    Fixtures.check(m2.getRoot(T.FACTORY));
    // zero copy: mutating the buffer shows through
    both.put(one.length + Serialize.headerBytes(1) + 8, (byte) 7);
    assertThat(m2.getRoot(T.FACTORY).getA() & 0xff).isEqualTo(7);
  }

  @Test
  void streamsRoundTrip() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Serialize.write(out, sample(1));
    Serialize.write(out, sample(100));
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    Fixtures.check(Serialize.read(in).getRoot(T.FACTORY));
    Fixtures.check(Serialize.tryRead(in, ReaderOptions.DEFAULT).getRoot(T.FACTORY));
    assertThat(in.available()).isZero();
    assertThat(Serialize.tryRead(in, ReaderOptions.DEFAULT)).isNull();
  }

  @Test
  void channelsRoundTrip(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("msgs.bin");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      Serialize.write(ch, sample(1)); // gathering write
      Serialize.write(Channels.newChannel(Channels.newOutputStream(ch)), sample(3));
      SerializePacked.write(ch, sample(1));
      SerializePacked.write(ch, sample(2));
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Fixtures.check(Serialize.read(ch).getRoot(T.FACTORY));
      Fixtures.check(Serialize.read(ch).getRoot(T.FACTORY));
      Fixtures.check(SerializePacked.read(ch).getRoot(T.FACTORY));
      Fixtures.check(SerializePacked.read(ch).getRoot(T.FACTORY));
      assertThat(ch.position()).isEqualTo(ch.size());
    }
    assertThat(Files.size(file)).isPositive();
  }

  @Test
  void packedKnownVectors() {
    checkPacks(bytes(), bytes());
    checkPacks(bytes(0, 0, 0, 0, 0, 0, 0, 0), bytes(0, 0));
    checkPacks(bytes(0, 0, 12, 0, 0, 34, 0, 0), bytes(0x24, 12, 34));
    checkPacks(bytes(1, 3, 2, 4, 5, 7, 6, 8), bytes(0xff, 1, 3, 2, 4, 5, 7, 6, 8, 0));
    checkPacks(bytes(0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 2, 4, 5, 7, 6, 8),
        bytes(0, 0, 0xff, 1, 3, 2, 4, 5, 7, 6, 8, 0));
    checkPacks(bytes(0, 0, 12, 0, 0, 34, 0, 0, 1, 3, 2, 4, 5, 7, 6, 8),
        bytes(0x24, 12, 34, 0xff, 1, 3, 2, 4, 5, 7, 6, 8, 0));
    checkPacks(bytes(1, 3, 2, 4, 5, 7, 6, 8, 8, 6, 7, 4, 5, 2, 3, 1),
        bytes(0xff, 1, 3, 2, 4, 5, 7, 6, 8, 1, 8, 6, 7, 4, 5, 2, 3, 1));
    checkPacks(
        bytes(1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
            1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 4, 0, 9, 0, 5, 1),
        bytes(0xff, 1, 2, 3, 4, 5, 6, 7, 8, 3, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
            1, 2, 3, 4, 5, 6, 7, 8, 0xd6, 2, 4, 9, 5, 1));
    checkPacks(
        bytes(1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 6, 2, 4, 3, 9, 0, 5, 1,
            1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 4, 0, 9, 0, 5, 1),
        bytes(0xff, 1, 2, 3, 4, 5, 6, 7, 8, 3, 1, 2, 3, 4, 5, 6, 7, 8, 6, 2, 4, 3, 9, 0, 5, 1,
            1, 2, 3, 4, 5, 6, 7, 8, 0xd6, 2, 4, 9, 5, 1));
    checkPacks(
        bytes(8, 0, 100, 6, 0, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 1),
        bytes(0xed, 8, 100, 6, 1, 1, 2, 0, 2, 0xd4, 1, 2, 3, 1));
  }

  private static void checkPacks(byte[] unpacked, byte[] packed) {
    assertThat(SerializePacked.pack(unpacked)).containsExactly(packed);
    assertThat(SerializePacked.unpack(packed)).containsExactly(unpacked);
  }

  @Test
  void longRunsSplitAt255Words() {
    byte[] zeros = new byte[8 * 600];
    assertThat(SerializePacked.unpack(SerializePacked.pack(zeros))).isEqualTo(zeros);
    byte[] dense = new byte[8 * 600];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (byte) (i % 251 + 1);
    }
    assertThat(SerializePacked.unpack(SerializePacked.pack(dense))).isEqualTo(dense);
  }

  @Test
  void packedMessagesRoundTrip() throws IOException {
    for (int first : new int[] {1, 5, 1024}) {
      MessageBuilder mb = sample(first);
      byte[] packed = SerializePacked.toBytes(mb);
      assertThat(packed.length).isLessThan(Serialize.toBytes(mb).length);
      ByteBuffer buf = ByteBuffer.wrap(packed);
      Fixtures.check(SerializePacked.read(buf).getRoot(T.FACTORY));
      assertThat(buf.hasRemaining()).isFalse();
      Fixtures.check(SerializePacked.read(new ByteArrayInputStream(packed)).getRoot(T.FACTORY));
      Fixtures.check(SerializePacked.read(
          Channels.newChannel(new ByteArrayInputStream(packed))).getRoot(T.FACTORY));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      SerializePacked.write(out, mb);
      assertThat(out.toByteArray()).isEqualTo(packed);
    }
  }

  @Test
  void packedStreamOfSeveralMessages() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SerializePacked.write(out, sample(1));
    SerializePacked.write(out, sample(2));
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    Fixtures.check(SerializePacked.read(in).getRoot(T.FACTORY));
    Fixtures.check(SerializePacked.read(in).getRoot(T.FACTORY));
    assertThat(in.available()).isZero();
    assertThat(SerializePacked.tryRead(in, ReaderOptions.DEFAULT)).isNull();
  }

  @Test
  void largePackedMessagesStreamInChunks() throws IOException {
    MessageBuilder mb = new MessageBuilder(16);
    T.Builder t = mb.initRoot(T.FACTORY);
    Data.Builder data = t.initJ(400_000);
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < data.size(); i++) {
      // mixture of dense words, sparse words and long zero runs
      int block = (i / 4096) % 3;
      data.set(i, block == 0 ? (byte) (random.nextInt(255) + 1)
          : block == 1 && i % 5 == 0 ? (byte) 1 : 0);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SerializePacked.write(out, mb);
    byte[] packed = out.toByteArray();
    assertThat(SerializePacked.unpack(packed)).isEqualTo(Serialize.toBytes(mb));
    T.Reader r = SerializePacked.read(new ByteArrayInputStream(packed)).getRoot(T.FACTORY);
    assertThat(r.getJ().asByteBuffer()).isEqualTo(data.asByteBuffer());
    // toBytes packs into one right-sized array; it must give the streamed bytes exactly.
    assertThat(SerializePacked.toBytes(mb)).isEqualTo(packed);
  }

  @Test
  void toBytesEqualsStreamedPackingForDenseData() throws IOException {
    // Incompressible words are the packer's worst case (tag + literal run count).
    MessageBuilder mb = new MessageBuilder(16);
    Data.Builder data = mb.initRoot(T.FACTORY).initJ(70_000);
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < data.size(); i++) {
      data.set(i, (byte) (random.nextInt(255) + 1));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SerializePacked.write(out, mb);
    assertThat(SerializePacked.toBytes(mb)).isEqualTo(out.toByteArray());
  }
}
