package dev.capnp.dynamic;

import dev.capnp.runtime.SegmentReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A struct (or group) type with its generic parameters bound: layout, fields in declaration
 * order, and union information. Field types are resolved lazily (structs may be recursive).
 */
public final class StructSchema {
  /** Marks a field that is not a member of the struct's union. */
  public static final int NO_DISCRIMINANT = 0xffff;

  private final SchemaRegistry registry;
  private final RawStruct node;
  private final Map<Long, List<DynamicType>> bindings;
  private final long id;
  private final String displayName;
  private final int prefixLength;
  private final int dataWordCount;
  private final int pointerCount;
  private final int discriminantCount;
  private final int discriminantOffset;
  private final boolean isGroup;
  private volatile List<Field> fields;
  private List<Field> unionFields;
  private List<Field> nonUnionFields;
  private Map<String, Field> byName;
  private Field[] byDiscriminant;
  private volatile DynamicStruct.Factory factory;
  private volatile DynamicList.Factory listFactory;

  StructSchema(SchemaRegistry registry, RawStruct node, Map<Long, List<DynamicType>> bindings) {
    this.registry = registry;
    this.node = node;
    this.bindings = bindings;
    this.id = node.i64(0);
    this.displayName = node.text(0);
    this.prefixLength = node.i32(2);
    this.dataWordCount = node.u16(7);
    this.pointerCount = node.u16(12);
    this.isGroup = node.bool(224);
    this.discriminantCount = node.u16(15);
    this.discriminantOffset = node.i32(8);
  }

  /**
   * The struct's node id.
   *
   * @return the struct's node id
   */
  public long id() {
    return id;
  }

  /**
   * The full display name, e.g. {@code foo.capnp:Person.address}.
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
   * Data section size in words.
   *
   * @return the data section size in words
   */
  public int dataWordCount() {
    return dataWordCount;
  }

  /**
   * Pointer section size.
   *
   * @return the pointer section size
   */
  public int pointerCount() {
    return pointerCount;
  }

  /**
   * Whether this is a group (shares its parent's location).
   *
   * @return {@code true} if this is a group (shares its parent's location)
   */
  public boolean isGroup() {
    return isGroup;
  }

  /**
   * Number of union members (0 without a union).
   *
   * @return the number of union members (0 without a union)
   */
  public int discriminantCount() {
    return discriminantCount;
  }

  /**
   * Offset of the union discriminant, in 16-bit units.
   *
   * @return the discriminant's offset in 16-bit units
   */
  public int discriminantOffset() {
    return discriminantOffset;
  }

  /**
   * The factory reading and building this struct dynamically.
   *
   * @return the factory reading and building this struct dynamically
   */
  public DynamicStruct.Factory factory() {
    DynamicStruct.Factory f = factory;
    if (f == null) {
      f = new DynamicStruct.Factory(this);
      factory = f;
    }
    return f;
  }

  /** The factory for lists of this struct. */
  DynamicList.Factory listFactory() {
    DynamicList.Factory f = listFactory;
    if (f == null) {
      f = DynamicList.Factory.create(DynamicType.struct(this));
      listFactory = f;
    }
    return f;
  }

  /**
   * The registry this schema belongs to.
   *
   * @return the registry this schema belongs to
   */
  public SchemaRegistry registry() {
    return registry;
  }

  /** Bound generic parameters by scope id (an absent or null entry means unbound). */
  Map<Long, List<DynamicType>> bindings() {
    return bindings;
  }

  /**
   * All fields, in the order of the schema's field list (by ordinal / code order).
   *
   * @return the fields
   */
  public List<Field> fields() {
    List<Field> f = fields;
    if (f == null) {
      f = loadFields();
    }
    return f;
  }

  /**
   * Members of the union, in field order.
   *
   * @return the union members
   */
  public List<Field> unionFields() {
    fields();
    return unionFields;
  }

  /**
   * Fields outside the union, in field order.
   *
   * @return the fields outside the union
   */
  public List<Field> nonUnionFields() {
    fields();
    return nonUnionFields;
  }

  /**
   * The field with this name, or null.
   *
   * @param name the field's name
   * @return the field with this name, or null
   */
  public Field findField(String name) {
    fields();
    return byName.get(name);
  }

  /**
   * The union member with this discriminant value, or null.
   *
   * @param discriminant the discriminant value
   * @return the union member with this discriminant value, or null
   */
  public Field unionField(int discriminant) {
    fields();
    Field[] byDiscriminant = this.byDiscriminant;
    return discriminant < byDiscriminant.length ? byDiscriminant[discriminant] : null;
  }

  private synchronized List<Field> loadFields() {
    if (fields != null) {
      return fields;
    }
    List<RawStruct> raw = node.list(3);
    List<Field> all = new ArrayList<>(raw.size());
    List<Field> union = new ArrayList<>();
    List<Field> nonUnion = new ArrayList<>();
    Map<String, Field> names = new HashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      Field f = new Field(this, raw.get(i), i);
      all.add(f);
      (f.discriminantValue == NO_DISCRIMINANT ? nonUnion : union).add(f);
      names.put(f.name, f);
    }
    int maxDiscriminant = -1;
    for (Field f : union) {
      maxDiscriminant = Math.max(maxDiscriminant, f.discriminantValue);
    }
    Field[] discriminants = new Field[maxDiscriminant + 1];
    for (Field f : union) {
      discriminants[f.discriminantValue] = f;
    }
    byDiscriminant = discriminants;
    unionFields = Collections.unmodifiableList(union);
    nonUnionFields = Collections.unmodifiableList(nonUnion);
    byName = names;
    fields = Collections.unmodifiableList(all);
    return fields;
  }

  @Override
  public String toString() {
    return shortDisplayName();
  }

  /** One field of a struct: a slot (value) or a group. */
  public static final class Field {
    private final StructSchema parent;
    private final RawStruct raw;
    private final String name;
    private final int index;
    private final int discriminantValue;
    private final boolean isGroup;
    private final int offset;
    private volatile DynamicType type;
    private volatile Object defaultCache;
    private volatile boolean defaultPointerLoaded;
    private SegmentReader defaultSegment;
    private int defaultPointerWord;

    Field(StructSchema parent, RawStruct raw, int index) {
      this.parent = parent;
      this.raw = raw;
      this.name = raw.text(0);
      this.index = index;
      this.discriminantValue = raw.u16(1, NO_DISCRIMINANT);
      this.isGroup = raw.u16(4) == 1;
      this.offset = raw.i32(1);
    }

    /**
     * The struct declaring this field.
     *
     * @return the struct declaring this field
     */
    public StructSchema parent() {
      return parent;
    }

    /**
     * The field's name.
     *
     * @return the field's name
     */
    public String name() {
      return name;
    }

    /**
     * Position in {@link StructSchema#fields()}.
     *
     * @return the index in {@link StructSchema#fields()}
     */
    public int index() {
      return index;
    }

    /**
     * The union discriminant value, or {@link #NO_DISCRIMINANT}.
     *
     * @return the union discriminant value, or {@link #NO_DISCRIMINANT}
     */
    public int discriminantValue() {
      return discriminantValue;
    }

    /**
     * Whether the field is a member of the struct's union.
     *
     * @return {@code true} if the field is a member of the struct's union
     */
    public boolean isUnionMember() {
      return discriminantValue != NO_DISCRIMINANT;
    }

    /**
     * Whether the field is a group.
     *
     * @return {@code true} if the field is a group
     */
    public boolean isGroup() {
      return isGroup;
    }

    /**
     * Slot offset in units of the type's size (bits for Bool); 0 for groups.
     *
     * @return the slot offset in units of the type's size (bits for Bool), or 0 for groups
     */
    public int offset() {
      return isGroup ? 0 : offset;
    }

    /**
     * The field's resolved type; for a group, the group's struct type.
     *
     * @return the field's resolved type
     */
    public DynamicType type() {
      DynamicType t = type;
      if (t == null) {
        SchemaRegistry registry = parent.registry;
        if (isGroup) {
          t = DynamicType.struct(registry.structSchema(raw.i64(2), parent.bindings));
        } else {
          t = registry.resolveType(raw.struct(2), parent.bindings);
        }
        type = t;
      }
      return t;
    }

    /** The raw {@code Value} holding the default (schema.capnp layout). */
    RawStruct defaultValue() {
      return raw.struct(3);
    }

    /** Segment holding the default of a pointer field (null when there is none). */
    SegmentReader defaultSegment() {
      if (!defaultPointerLoaded) {
        loadDefaultPointer();
      }
      return defaultSegment;
    }

    /** Word offset of the default's pointer within {@link #defaultSegment()}. */
    int defaultPointerWord() {
      if (!defaultPointerLoaded) {
        loadDefaultPointer();
      }
      return defaultPointerWord;
    }

    private synchronized void loadDefaultPointer() {
      if (defaultPointerLoaded) {
        return;
      }
      RawStruct v = defaultValue();
      if (!v.isNull(0)) {
        defaultSegment = v.segment();
        defaultPointerWord = v.pointerWord(0);
      }
      defaultPointerLoaded = true;
    }

    /** Raw default bits of a primitive field (the XOR mask applied on the wire). */
    long defaultBits() {
      Object cached = defaultCache;
      if (cached == null) {
        RawStruct v = defaultValue();
        long bits = switch (type().kind()) {
          case BOOL -> v.bool(16) ? 1 : 0;
          case INT8, UINT8 -> v.i8(2);
          case INT16, UINT16, ENUM -> v.i16(1);
          case INT32, UINT32, FLOAT32 -> v.i32(1);
          case INT64, UINT64, FLOAT64 -> v.i64(1);
          default -> 0;
        };
        cached = bits;
        defaultCache = cached;
      }
      return (Long) cached;
    }

    @Override
    public String toString() {
      return parent.shortDisplayName() + "." + name;
    }
  }
}
