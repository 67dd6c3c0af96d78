package dev.capnp.schemac;

/** The built-in type names of the schema language. */
enum Builtin {
  VOID("Void"), BOOL("Bool"), INT8("Int8"), INT16("Int16"), INT32("Int32"), INT64("Int64"),
  UINT8("UInt8"), UINT16("UInt16"), UINT32("UInt32"), UINT64("UInt64"), FLOAT32("Float32"),
  FLOAT64("Float64"), TEXT("Text"), DATA("Data"), LIST("List"), OBJECT("Object"),
  ANY_POINTER("AnyPointer"), ANY_STRUCT("AnyStruct"), ANY_LIST("AnyList"),
  CAPABILITY("Capability");

  private final String schemaName;

  Builtin(String schemaName) {
    this.schemaName = schemaName;
  }

  /** The builtin called {@code name}, or null. */
  static Builtin named(String name) {
    for (Builtin b : values()) {
      if (b.schemaName.equals(name)) {
        return b;
      }
    }
    return null;
  }

  /** A stand-in id, used only as a brand scope id for {@code List}'s parameter. */
  long pseudoId() {
    return 1000 + ordinal();
  }

  int parameterCount() {
    return this == LIST ? 1 : 0;
  }
}
