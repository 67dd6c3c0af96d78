package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds messages made of random but plausible pointers through every reader path: only
 * {@link DecodeException} may escape.
 */
class PointerFuzzTest {
  private static long randomPointer(Random r, int segments) {
    int offset = r.nextInt(16) - 6;
    switch (r.nextInt(6)) {
      case 0:
        return HostileInputTest.struct(offset, r.nextInt(3), r.nextInt(3));
      case 1:
        return HostileInputTest.list(offset, r.nextInt(8), r.nextInt(6));
      case 2:
        return HostileInputTest.far(r.nextBoolean(), r.nextInt(8), r.nextInt(segments + 1));
      case 3:
        return 3 | ((long) r.nextInt(4) << 32);
      case 4:
        return r.nextLong();
      default:
        return r.nextInt(3) == 0 ? 0 : (long) r.nextInt(256) << (8 * r.nextInt(8));
    }
  }

  private static final ListFactory<?, ?>[] LISTS = {
    PrimitiveList.Void.FACTORY, PrimitiveList.Boolean.FACTORY, PrimitiveList.Byte.FACTORY,
    PrimitiveList.Short.FACTORY, PrimitiveList.Int.FACTORY, PrimitiveList.Long.FACTORY,
    PrimitiveList.Float.FACTORY, PrimitiveList.Double.FACTORY, TextList.FACTORY,
    DataList.FACTORY, AnyPointerList.FACTORY, T.LIST, AnyList.FACTORY,
    StructList.factory(AnyStruct.FACTORY)
  };

  private static void walk(AnyPointer.Reader p, int depth) {
    if (depth > 6 || p.isNull()) {
      return;
    }
    if (p.isStruct()) {
      AnyStruct.Reader s = p.getAs(AnyStruct.FACTORY);
      s.getDataSection().remaining();
      for (int i = 0; i < s.pointerCount(); i++) {
        walk(s.getPointer(i), depth + 1);
      }
      T.Reader t = p.getAs(T.FACTORY);
      t.getA();
      t.getG();
      t.getH();
    } else if (p.isList()) {
      for (ListFactory<?, ?> f : LISTS) {
        try {
          ListReader l = (ListReader) p.getAs(f);
          touch(l, depth);
        } catch (DecodeException expected) {
          // incompatible element type
        }
      }
      try {
        p.getAs(Text.FACTORY).toString();
      } catch (DecodeException expected) {
        // not text
      }
      try {
        p.getAs(Data.FACTORY).toArray();
      } catch (DecodeException expected) {
        // not data
      }
    } else {
      p.getCapabilityIndex();
    }
  }

  private static void touch(ListReader l, int depth) {
    for (int i = 0; i < Math.min(l.size(), 8); i++) {
      if (l instanceof PrimitiveList.Boolean.Reader) {
        ((PrimitiveList.Boolean.Reader) l).get(i);
      } else if (l instanceof PrimitiveList.Long.Reader) {
        ((PrimitiveList.Long.Reader) l).get(i);
      } else if (l instanceof PrimitiveList.Double.Reader) {
        ((PrimitiveList.Double.Reader) l).get(i);
      } else if (l instanceof PrimitiveList.Byte.Reader) {
        ((PrimitiveList.Byte.Reader) l).get(i);
      } else if (l instanceof PrimitiveList.Short.Reader) {
        ((PrimitiveList.Short.Reader) l).get(i);
      } else if (l instanceof PrimitiveList.Int.Reader) {
        ((PrimitiveList.Int.Reader) l).get(i);
      } else if (l instanceof TextList.Reader) {
        try {
          ((TextList.Reader) l).get(i).toString();
        } catch (DecodeException expected) {
          // element is not text
        }
      } else if (l instanceof AnyPointerList.Reader) {
        walk(((AnyPointerList.Reader) l).get(i), depth + 1);
      } else if (l instanceof StructList.Reader) {
        Object e = ((StructList.Reader<?>) l).get(i);
        if (e instanceof AnyStruct.Reader) {
          AnyStruct.Reader s = (AnyStruct.Reader) e;
          for (int p = 0; p < s.pointerCount(); p++) {
            walk(s.getPointer(p), depth + 1);
          }
        }
      }
    }
  }

  @Test
  void randomPointerSoup() {
    Random r = new Random(42);
    int decodeErrors = 0;
    int walked = 0;
    for (int iter = 0; iter < 4000; iter++) {
      int segments = 1 + r.nextInt(3);
      ByteBuffer[] segs = new ByteBuffer[segments];
      for (int s = 0; s < segments; s++) {
        int words = (s == 0 ? 1 : 0) + r.nextInt(12);
        ByteBuffer b = ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < words; w++) {
          b.putLong(w * 8, randomPointer(r, segments));
        }
        segs[s] = b;
      }
      ReaderOptions opts = new ReaderOptions(2000, 16);
      try {
        walk(new MessageReader(segs, opts).getRootAnyPointer(), 0);
        walked++;
      } catch (DecodeException e) {
        decodeErrors++;
      } catch (RuntimeException | Error e) {
        fail("iteration " + iter + " (walk): " + e, e);
      }
      try {
        new MessageBuilder(2).getRootAnyPointer()
            .set(new MessageReader(segs, opts).getRootAnyPointer());
      } catch (DecodeException e) {
        decodeErrors++;
      } catch (RuntimeException | Error e) {
        fail("iteration " + iter + " (copy): " + e, e);
      }
      try {
        MessageReader m = new MessageReader(segs, opts);
        if (m.getRootAnyPointer().isStruct()) {
          Canonical.canonicalize(m.getRoot(AnyStruct.FACTORY));
        }
        m.getRootAnyPointer().targetSizeInWords();
      } catch (DecodeException e) {
        decodeErrors++;
      } catch (RuntimeException | Error e) {
        fail("iteration " + iter + " (canonical): " + e, e);
      }
    }
    assertThat(decodeErrors).isPositive();
    assertThat(walked).isPositive();
  }
}
