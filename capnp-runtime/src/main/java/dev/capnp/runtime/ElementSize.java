package dev.capnp.runtime;

/** The element size field of a list pointer (values in wire order 0..7). */
public enum ElementSize {
  /** 0 bits per element. */
  VOID(0, 0),
  /** 1 bit per element. */
  BIT(1, 0),
  /** 8 bits per element. */
  BYTE(8, 0),
  /** 16 bits per element. */
  TWO_BYTES(16, 0),
  /** 32 bits per element. */
  FOUR_BYTES(32, 0),
  /** 64 bits per element. */
  EIGHT_BYTES(64, 0),
  /** One pointer per element. */
  POINTER(0, 1),
  /** Structs, preceded by a tag word giving their size. */
  INLINE_COMPOSITE(0, 0);

  private static final ElementSize[] VALUES = values();

  /** Data bits per element (0 for pointers and inline composite). */
  public final int dataBits;
  /** Pointers per element (1 only for {@link #POINTER}). */
  public final int pointers;

  ElementSize(int dataBits, int pointers) {
    this.dataBits = dataBits;
    this.pointers = pointers;
  }

  /**
   * The element size with the given wire code (0..7).
   *
   * @param code the wire code; only its low 3 bits are used
   * @return the element size with the given wire code (0..7)
   */
  public static ElementSize fromCode(int code) {
    return VALUES[code & 7];
  }

  /**
   * Bits from one element to the next, for non-composite sizes.
   *
   * @return the bits from one element to the next, for non-composite sizes
   */
  public int stepBits() {
    return dataBits + pointers * 64;
  }
}
