package dev.capnp.fuzz;

import static dev.capnp.fuzz.SeedCorpus.frame;
import static dev.capnp.fuzz.SeedCorpus.seed;
import static dev.capnp.fuzz.SeedCorpus.words;

import dev.capnp.test.TestSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hand-crafted malformed decoder seeds: each aims at one check of the decoder. */
final class MalformedSeeds {
  private static final RootType ALL_TYPES = RootType.ALL.get(0);
  private static final RootType LISTS = RootType.ALL.get(7);
  private static final int DATA_WORDS = TestSchema.TestAllTypes.SIZE.dataWords;
  private static final int POINTERS = TestSchema.TestAllTypes.SIZE.pointerCount;
  /** Pointer slots of TestAllTypes fields (slots follow field ordinals). */
  private static final int TEXT_FIELD = 0;
  private static final int STRUCT_FIELD = 2;
  private static final int VOID_LIST = 4;
  private static final int STRUCT_LIST = 18;

  private MalformedSeeds() {}

  static long structPointer(int offsetWords, int dataWords, int pointerCount) {
    return ((long) (offsetWords << 2) & 0xffffffffL) | ((long) dataWords << 32)
        | ((long) pointerCount << 48);
  }

  static long listPointer(int offsetWords, int elementSize, int count) {
    return (((long) (offsetWords << 2) | 1) & 0xffffffffL) | ((long) elementSize << 32)
        | ((long) count << 35);
  }

  static long farPointer(boolean doubleFar, int landingPadWord, int segment) {
    return ((long) landingPadWord << 3) | (doubleFar ? 4 : 0) | 2 | ((long) segment << 32);
  }

  /** A TestAllTypes root (root pointer + struct) with extra words after it. */
  private static long[] allTypesRoot(int extraWords) {
    long[] w = new long[1 + DATA_WORDS + POINTERS + extraWords];
    w[0] = structPointer(0, DATA_WORDS, POINTERS);
    return w;
  }

  private static int slot(int pointer) {
    return 1 + DATA_WORDS + pointer;
  }

  private static int after() {
    return 1 + DATA_WORDS + POINTERS;
  }

  private static byte[] single(long[] w) {
    return frame(new int[] {w.length}, words(w));
  }

  static Map<String, byte[]> all() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("malformed-segment-count-huge", seed(ALL_TYPES, 0, words(0xffffffffL)));
    seeds.put("malformed-segment-claims-64MiB", seed(ALL_TYPES, 0,
        frame(new int[] {8 * 1024 * 1024}, words(0))));
    seeds.put("malformed-packed-segment-claims-64MiB", seed(ALL_TYPES, 0x10,
        new byte[] {0x40, (byte) 0x80}));
    seeds.put("malformed-packed-truncated-literal-run", seed(ALL_TYPES, 0x10,
        new byte[] {0x10, 4, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xff}));
    seeds.put("malformed-packed-zero-run", seed(ALL_TYPES, 0x10,
        new byte[] {0x10, 4, 0, (byte) 0xff}));
    seeds.put("malformed-packed-run-past-message-end", seed(ALL_TYPES, 0x30,
        new byte[] {0x10, 1, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 2, 9, 9, 9, 9, 9, 9, 9, 9}));

    seeds.put("malformed-far-pointer-to-far-pointer", seed(ALL_TYPES, 0,
        single(new long[] {farPointer(false, 0, 0)})));
    seeds.put("malformed-double-far-missing-segment", seed(ALL_TYPES, 0,
        single(new long[] {farPointer(true, 0, 5)})));
    seeds.put("malformed-double-far-landing-pad-not-far", seed(ALL_TYPES, 0,
        frame(new int[] {1, 2}, words(farPointer(true, 0, 1), structPointer(0, 1, 0), 0))));
    seeds.put("malformed-root-out-of-bounds", seed(ALL_TYPES, 0,
        single(new long[] {structPointer(1000, DATA_WORDS, POINTERS)})));

    long[] w = allTypesRoot(0);
    w[slot(VOID_LIST)] = listPointer(0, 0, (1 << 29) - 1);
    seeds.put("malformed-void-list-half-billion", seed(ALL_TYPES, 0, single(w)));

    w = allTypesRoot(1);
    w[slot(STRUCT_LIST)] = listPointer(after() - slot(STRUCT_LIST) - 1, 7, 0);
    w[after()] = (long) ((1 << 30) - 1) << 2;
    seeds.put("malformed-zero-size-struct-list-billion", seed(ALL_TYPES, 0, single(w)));

    w = allTypesRoot(1);
    w[slot(STRUCT_LIST)] = listPointer(after() - slot(STRUCT_LIST) - 1, 7, 0);
    w[after()] = listPointer(0, 2, 4);
    seeds.put("malformed-inline-composite-tag-not-struct", seed(ALL_TYPES, 0, single(w)));

    w = allTypesRoot(0);
    w[slot(STRUCT_FIELD)] = structPointer(1 - slot(STRUCT_FIELD) - 1, DATA_WORDS, POINTERS);
    seeds.put("malformed-struct-contains-itself", seed(ALL_TYPES, 0, single(w)));

    w = allTypesRoot(0);
    w[slot(STRUCT_FIELD)] = 3 | (5L << 32);
    seeds.put("malformed-capability-as-struct", seed(ALL_TYPES, 0, single(w)));

    w = allTypesRoot(1);
    w[slot(TEXT_FIELD)] = listPointer(after() - slot(TEXT_FIELD) - 1, 2, 8);
    w[after()] = 0x4141414141414141L;
    seeds.put("malformed-text-without-nul", seed(ALL_TYPES, 0x20, single(w)));

    w = allTypesRoot(0);
    w[slot(STRUCT_FIELD)] = listPointer(0, 5, 3);
    seeds.put("malformed-list-where-struct-expected", seed(ALL_TYPES, 0x40, single(w)));

    // TestLists.int32ListList: 200 pointers to one 64-word list (amplification).
    int dw = TestSchema.TestLists.SIZE.dataWords;
    int pc = TestSchema.TestLists.SIZE.pointerCount;
    int pointers = 200;
    int listWords = 64;
    int first = 1 + dw + pc;
    long[] l = new long[first + pointers + listWords];
    l[0] = structPointer(0, dw, pc);
    int listList = 1 + dw + 7;
    l[listList] = listPointer(first - listList - 1, 6, pointers);
    for (int i = 0; i < pointers; i++) {
      l[first + i] = listPointer(first + pointers - (first + i) - 1, 4, listWords * 2);
    }
    seeds.put("malformed-list-amplification", seed(LISTS, 0, single(l)));
    return seeds;
  }
}
