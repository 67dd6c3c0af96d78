package dev.capnp.dynamic;

/**
 * Conventions for values returned by the dynamic {@code get} methods, by field type:
 * {@code Void} -&gt; {@link #VOID}; {@code Bool} -&gt; {@link Boolean}; {@code Int8}/{@code UInt8}
 * -&gt; {@link Byte}; 16-bit -&gt; {@link Short}; 32-bit -&gt; {@link Integer}; 64-bit -&gt;
 * {@link Long} (unsigned types keep their bits in the signed Java type of the same width);
 * {@code Float32} -&gt; {@link Float}; {@code Float64} -&gt; {@link Double}; {@code Text} -&gt;
 * {@link dev.capnp.runtime.Text.Reader}; {@code Data} -&gt; {@link dev.capnp.runtime.Data.Reader};
 * enums -&gt; {@link DynamicEnum}; structs and groups -&gt; {@link DynamicStruct.Reader}; lists -&gt;
 * {@link DynamicList.Reader}; {@code AnyPointer} and interfaces -&gt;
 * {@link dev.capnp.runtime.AnyPointer.Reader}.
 */
public final class DynamicValue {
  /** The value of a {@code Void} field or element. */
  public static final Object VOID = new Object() {
    @Override
    public String toString() {
      return "void";
    }
  };

  private DynamicValue() {}

  /** Formats an unsigned or signed integer value of the given kind as capnp prints it. */
  static String integerToString(DynamicType.Kind kind, long bits) {
    return switch (kind) {
      case UINT8 -> Long.toString(bits & 0xffL);
      case UINT16 -> Long.toString(bits & 0xffffL);
      case UINT32 -> Long.toString(bits & 0xffffffffL);
      case UINT64 -> Long.toUnsignedString(bits);
      default -> Long.toString(bits);
    };
  }
}
