package dev.capnp.dynamic;

/**
 * A fully resolved Cap'n Proto type: generic parameters are substituted by their bound types
 * (an unbound parameter is {@link Kind#ANY_POINTER}).
 *
 * @param kind what kind of type this is
 * @param elementType the element type of a list, else null
 * @param structSchema the (branded) struct of a struct type, else null
 * @param enumSchema the enum of an enum type, else null
 * @param typeId the node id of a struct, enum or interface type, else 0
 */
public record DynamicType(Kind kind, DynamicType elementType, StructSchema structSchema,
    EnumSchema enumSchema, long typeId) {

  /** The kinds of types, in {@code schema.capnp}'s {@code Type} union order. */
  public enum Kind {
    /** {@code Void}. */
    VOID,
    /** {@code Bool}. */
    BOOL,
    /** {@code Int8}. */
    INT8,
    /** {@code Int16}. */
    INT16,
    /** {@code Int32}. */
    INT32,
    /** {@code Int64}. */
    INT64,
    /** {@code UInt8}. */
    UINT8,
    /** {@code UInt16}. */
    UINT16,
    /** {@code UInt32}. */
    UINT32,
    /** {@code UInt64}. */
    UINT64,
    /** {@code Float32}. */
    FLOAT32,
    /** {@code Float64}. */
    FLOAT64,
    /** {@code Text}. */
    TEXT,
    /** {@code Data}. */
    DATA,
    /** {@code List(T)}. */
    LIST,
    /** an enum. */
    ENUM,
    /** a struct. */
    STRUCT,
    /** an interface. */
    INTERFACE,
    /** {@code AnyPointer} (or a generic parameter). */
    ANY_POINTER;

    /**
     * Whether values of this kind live in the pointer section.
     *
     * @return {@code true} if values of this kind live in the pointer section
     */
    public boolean isPointer() {
      return ordinal() >= TEXT.ordinal() && this != ENUM;
    }

    /**
     * The name used in the schema language ({@code UInt32}, {@code List}, ...).
     *
     * @return the name used in the schema language ({@code UInt32}, {@code List}, ...)
     */
    public String schemaName() {
      return switch (this) {
        case VOID -> "Void";
        case BOOL -> "Bool";
        case INT8 -> "Int8";
        case INT16 -> "Int16";
        case INT32 -> "Int32";
        case INT64 -> "Int64";
        case UINT8 -> "UInt8";
        case UINT16 -> "UInt16";
        case UINT32 -> "UInt32";
        case UINT64 -> "UInt64";
        case FLOAT32 -> "Float32";
        case FLOAT64 -> "Float64";
        case TEXT -> "Text";
        case DATA -> "Data";
        case LIST -> "List";
        case ENUM -> "Enum";
        case STRUCT -> "Struct";
        case INTERFACE -> "Interface";
        case ANY_POINTER -> "AnyPointer";
      };
    }
  }

  private static final DynamicType[] PRIMITIVES = new DynamicType[Kind.values().length];

  static {
    for (Kind k : Kind.values()) {
      PRIMITIVES[k.ordinal()] = new DynamicType(k, null, null, null, 0);
    }
  }

  /**
   * The type of the given kind without further parameters (primitives, Text, Data, AnyPointer).
   *
   * @param kind a kind without parameters: a primitive, Text, Data or AnyPointer
   * @return the type of the given kind without further parameters (primitives, Text, Data,
   *     AnyPointer)
   */
  public static DynamicType of(Kind kind) {
    return PRIMITIVES[kind.ordinal()];
  }

  /**
   * {@code List(element)}.
   *
   * @param element the element type
   * @return {@code List(element)}
   */
  public static DynamicType listOf(DynamicType element) {
    return new DynamicType(Kind.LIST, element, null, null, 0);
  }

  /**
   * A struct type.
   *
   * @param schema the struct's schema
   * @return a struct type
   */
  public static DynamicType struct(StructSchema schema) {
    return new DynamicType(Kind.STRUCT, null, schema, null, schema.id());
  }

  /**
   * An enum type.
   *
   * @param schema the enum's schema
   * @return an enum type
   */
  public static DynamicType enumType(EnumSchema schema) {
    return new DynamicType(Kind.ENUM, null, null, schema, schema.id());
  }

  /**
   * An interface type (capabilities are not followed).
   *
   * @param id the interface's type id
   * @return an interface type (capabilities are not followed)
   */
  public static DynamicType interfaceType(long id) {
    return new DynamicType(Kind.INTERFACE, null, null, null, id);
  }

  /** The type's name as written in a schema ({@code List(Int32)}, {@code Foo}). */
  @Override
  public String toString() {
    return switch (kind) {
      case LIST -> "List(" + elementType + ")";
      case STRUCT -> structSchema.shortDisplayName();
      case ENUM -> enumSchema.shortDisplayName();
      default -> kind.schemaName();
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DynamicType t && t.kind == kind && t.typeId == typeId
        && java.util.Objects.equals(t.elementType, elementType)
        && (kind != Kind.STRUCT || t.structSchema == structSchema);
  }

  @Override
  public int hashCode() {
    return (kind.ordinal() * 31 + Long.hashCode(typeId)) * 31
        + (elementType == null ? 0 : elementType.hashCode());
  }
}
