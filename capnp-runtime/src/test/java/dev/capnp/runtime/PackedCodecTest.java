package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The word-at-a-time packer and the windowed unpacker against a byte-at-a-time model of the
 * packing rules, on random words of every shape (zero, dense, sparse, long runs), and message
 * reading through every kind of input: heap buffers (also at an array offset), direct buffers,
 * streams that deliver one byte per call, and channels.
 */
class PackedCodecTest {
  /** The packing rules, one byte at a time (as written in the encoding spec). */
  private static byte[] modelPack(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int words = in.length / 8;
    int w = 0;
    while (w < words) {
      int tag = 0;
      for (int b = 0; b < 8; b++) {
        if (in[w * 8 + b] != 0) {
          tag |= 1 << b;
        }
      }
      out.write(tag);
      for (int b = 0; b < 8; b++) {
        if (in[w * 8 + b] != 0) {
          out.write(in[w * 8 + b]);
        }
      }
      w++;
      if (tag == 0) {
        int run = 0;
        while (w < words && run < 255 && zeros(in, w) == 8) {
          run++;
          w++;
        }
        out.write(run);
      } else if (tag == 0xff) {
        int start = w;
        while (w < words && w - start < 255 && zeros(in, w) < 2) {
          w++;
        }
        out.write(w - start);
        out.write(in, start * 8, (w - start) * 8);
      }
    }
    return out.toByteArray();
  }

  private static int zeros(byte[] in, int word) {
    int n = 0;
    for (int b = 0; b < 8; b++) {
      n += in[word * 8 + b] == 0 ? 1 : 0;
    }
    return n;
  }

  /** Random words: stretches of zero words, dense words, sparse words and mixtures. */
  private static byte[] randomWords(Random random, int words) {
    byte[] out = new byte[words * 8];
    int w = 0;
    while (w < words) {
      int stretch = Math.min(words - w, 1 + random.nextInt(random.nextInt(10) == 0 ? 600 : 6));
      int shape = random.nextInt(4);
      for (int i = 0; i < stretch; i++, w++) {
        for (int b = 0; b < 8; b++) {
          boolean set = switch (shape) {
            case 0 -> false;
            case 1 -> random.nextInt(16) != 0;
            case 2 -> random.nextInt(4) == 0;
            default -> random.nextBoolean();
          };
          out[w * 8 + b] = set ? (byte) (1 + random.nextInt(255)) : 0;
        }
      }
    }
    return out;
  }

  @Test
  void tagMarksTheNonZeroBytes() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long word = 0;
      int expected = 0;
      for (int b = 0; b < 8; b++) {
        int v = random.nextInt(3) == 0 ? 0 : 1 << random.nextInt(8);
        word |= (long) v << (8 * b);
        expected |= v != 0 ? 1 << b : 0;
      }
      assertThat(Packer.tag(word)).as("tag of %016x", word).isEqualTo(expected);
    }
  }

  @Test
  void packingMatchesTheModelAndUnpacksBack() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      byte[] words = randomWords(random, random.nextInt(round < 50 ? 8 : 1500));
      byte[] packed = SerializePacked.pack(words);
      assertThat(packed).as("round %d", round).containsExactly(modelPack(words));
      assertThat(SerializePacked.unpack(packed)).as("round %d", round).containsExactly(words);
    }
  }

  private static MessageBuilder randomMessage(Random random) {
    MessageBuilder message = new MessageBuilder(1 + random.nextInt(4));
    T.Builder root = message.initRoot(T.FACTORY);
    Fixtures.fill(root);
    root.setJ(randomWords(random, random.nextInt(300)));
    return message;
  }

  private static void assertSame(MessageReader read, MessageBuilder written) {
    assertThat(Serialize.toBytes(copy(read)))
        .containsExactly(Serialize.toBytes(copy(written.asReader())));
  }

  /** The message's content in one segment, laid out in a canonical order. */
  private static MessageBuilder copy(MessageReader reader) {
    MessageBuilder out = new MessageBuilder();
    out.setRoot(T.FACTORY, reader.getRoot(T.FACTORY));
    return out;
  }

  @Test
  void messagesReadBackToBackFromEveryKindOfInput() throws IOException {
    Random random = new Random(3);
    for (int round = 0; round < 40; round++) {
      MessageBuilder a = randomMessage(random);
      MessageBuilder b = randomMessage(random);
      ByteArrayOutputStream framed = new ByteArrayOutputStream();
      framed.write(new byte[] {9, 9, 9});
      SerializePacked.write(framed, a);
      SerializePacked.write(framed, b);
      byte[] bytes = framed.toByteArray();
      int aEnd = 3 + SerializePacked.toBytes(a).length;

      ByteBuffer heap = ByteBuffer.wrap(bytes).position(3).slice();
      assertSame(SerializePacked.read(heap), a);
      assertThat(heap.position()).isEqualTo(aEnd - 3);
      assertSame(SerializePacked.read(heap), b);
      assertThat(heap.hasRemaining()).isFalse();

      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(3);
      assertSame(SerializePacked.read(direct), a);
      assertThat(direct.position()).isEqualTo(aEnd);
      assertSame(SerializePacked.read(direct), b);
      assertThat(direct.hasRemaining()).isFalse();

      InputStream slow = new OneByteAtATime(bytes, 3);
      assertSame(SerializePacked.tryRead(slow, ReaderOptions.DEFAULT), a);
      assertSame(SerializePacked.read(slow), b);
      assertThat(SerializePacked.tryRead(slow, ReaderOptions.DEFAULT)).isNull();

      ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(bytes, 3,
          bytes.length));
      assertSame(SerializePacked.read(channel), a);
      assertSame(SerializePacked.read(channel), b);
    }
  }

  @Test
  void everyTruncationIsOneDecodeException() {
    Random random = new Random(11);
    byte[] packed = SerializePacked.toBytes(randomMessage(random));
    for (int len = 0; len < packed.length; len++) {
      byte[] part = Arrays.copyOf(packed, len);
      assertThatThrownBy(() -> SerializePacked.read(ByteBuffer.wrap(part)))
          .as("heap prefix of %d bytes", len).isInstanceOf(DecodeException.class);
      assertThatThrownBy(() -> SerializePacked.read(
          ByteBuffer.allocateDirect(part.length).put(part).flip()))
          .as("direct prefix of %d bytes", len).isInstanceOf(DecodeException.class);
      assertThatThrownBy(() -> SerializePacked.read(new OneByteAtATime(part, 0)))
          .as("stream prefix of %d bytes", len).isInstanceOf(DecodeException.class);
    }
  }

  @Test
  void truncatedWordSaysWhere() {
    // A tag announcing three bytes, of which only two follow.
    assertThatThrownBy(() -> SerializePacked.unpack(Fixtures.bytes(0x07, 1, 2)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("truncated packed data at packed byte 3")
        .hasMessageContaining("tagged 0x7");
  }

  /** A stream that hands out one byte per read call. */
  private static final class OneByteAtATime extends InputStream {
    private final byte[] bytes;
    private int pos;

    OneByteAtATime(byte[] bytes, int pos) {
      this.bytes = bytes;
      this.pos = pos;
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
      if (len == 0) {
        return 0;
      }
      int b = read();
      if (b < 0) {
        return -1;
      }
      dst[off] = (byte) b;
      return 1;
    }
  }
}
