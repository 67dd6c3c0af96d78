package dev.capnp.runtime;

/**
 * What a bounds check on the read path is checking, so that its error text can be built only
 * when the check fails (the success path builds no string).
 */
enum ReadTarget {
  /** The landing pad of a far pointer. */
  LANDING_PAD("far pointer landing pad") {
    @Override
    String describe(SegmentReader refSeg, long refOff) {
      return noun;
    }
  },
  /** The struct a struct pointer points to. */
  STRUCT("struct pointer") {
    @Override
    String describe(SegmentReader refSeg, long refOff) {
      return noun + " " + refSeg.where(refOff) + " target";
    }
  },
  /** The elements of a (non-composite) list. */
  LIST("list pointer") {
    @Override
    String describe(SegmentReader refSeg, long refOff) {
      return noun + " " + refSeg.where(refOff) + " target";
    }
  },
  /** The tag and elements of an inline-composite list. */
  INLINE_COMPOSITE_LIST("inline composite list"),
  /** The bytes of a {@code Text}. */
  TEXT("text"),
  /** The bytes of a {@code Data}. */
  DATA("data");

  /** How the object is named in error texts. */
  final String noun;

  ReadTarget(String noun) {
    this.noun = noun;
  }

  /** The object, as error texts name it, reached from the pointer at {@code refOff}. */
  String describe(SegmentReader refSeg, long refOff) {
    return noun + " " + refSeg.where(refOff);
  }
}
