package dev.capnp.dynamic;

import java.util.List;

/** An enum type: its id, names and enumerant names in ordinal order. */
public final class EnumSchema {
  private final long id;
  private final String displayName;
  private final int prefixLength;
  private final List<String> enumerants;
  private volatile DynamicList.Factory listFactory;

  EnumSchema(long id, String displayName, int prefixLength, List<String> enumerants) {
    this.id = id;
    this.displayName = displayName;
    this.prefixLength = prefixLength;
    this.enumerants = List.copyOf(enumerants);
  }

  /**
   * The enum's node id.
   *
   * @return the enum's node id
   */
  public long id() {
    return id;
  }

  /**
   * The full display name, e.g. {@code foo.capnp:Color}.
   *
   * @return the full display name
   */
  public String displayName() {
    return displayName;
  }

  /**
   * The unqualified name (the display name without its parent scope), e.g. {@code Inner}.
   *
   * @return the unqualified name (the display name without its parent scope)
   */
  public String shortDisplayName() {
    return displayName.substring(prefixLength);
  }

  /**
   * Enumerant names, indexed by numeric value.
   *
   * @return the enumerant names, indexed by numeric value
   */
  public List<String> enumerants() {
    return enumerants;
  }

  /** The factory for lists of this enum. */
  DynamicList.Factory listFactory() {
    DynamicList.Factory f = listFactory;
    if (f == null) {
      f = DynamicList.Factory.create(DynamicType.enumType(this));
      listFactory = f;
    }
    return f;
  }

  /**
   * The numeric value of the named enumerant, or -1.
   *
   * @param name the enumerant's name
   * @return the numeric value of the named enumerant, or -1
   */
  public int findEnumerant(String name) {
    return enumerants.indexOf(name);
  }

  @Override
  public String toString() {
    return shortDisplayName();
  }
}
