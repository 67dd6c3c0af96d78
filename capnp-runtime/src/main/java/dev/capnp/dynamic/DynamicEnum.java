package dev.capnp.dynamic;

/**
 * An enum value read dynamically: its schema and raw numeric value (which may be unknown to the
 * schema when written by a newer version).
 *
 * @param schema the enum type
 * @param value the raw 16-bit value
 */
public record DynamicEnum(EnumSchema schema, int value) {
  /**
   * The enumerant's name, or null if the value is not in the schema.
   *
   * @return the enumerant's name, or null if the value is not in the schema
   */
  public String name() {
    return value < schema.enumerants().size() ? schema.enumerants().get(value) : null;
  }

  @Override
  public String toString() {
    String name = name();
    return name != null ? name : "(" + value + ")";
  }
}
