package dev.capnp.runtime;

/** Size of a struct's data section (in words) and pointer section (in pointers). */
public final class StructSize {
  /** Data section size in 64-bit words. */
  public final int dataWords;
  /** Number of pointers in the pointer section. */
  public final int pointerCount;

  /**
   * A struct size; both values must fit in 16 bits.
   *
   * @param dataWords the size of the data section in words (8 bytes each)
   * @param pointerCount number of pointers in the pointer section
   */
  public StructSize(int dataWords, int pointerCount) {
    if (dataWords < 0 || dataWords > 0xffff || pointerCount < 0 || pointerCount > 0xffff) {
      throw new IllegalArgumentException(
          "bad struct size: " + dataWords + " data words, " + pointerCount + " pointers");
    }
    this.dataWords = dataWords;
    this.pointerCount = pointerCount;
  }

  /**
   * Total size in words.
   *
   * @return the total size in words
   */
  public int total() {
    return dataWords + pointerCount;
  }

  @Override
  public String toString() {
    return "StructSize(" + dataWords + " data words, " + pointerCount + " pointers)";
  }
}
