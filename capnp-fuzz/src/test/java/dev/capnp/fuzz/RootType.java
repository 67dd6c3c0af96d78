package dev.capnp.fuzz;

import dev.capnp.runtime.StructFactory;
import dev.capnp.runtime.StructReader;
import dev.capnp.test.TestSchema;
import java.util.List;

/**
 * A struct type of the comprehensive test schema ({@code capnp-tests/src/test/capnp/test.capnp})
 * that the decoder target reads messages as: its generated factory and its type id (for the
 * dynamic reader).
 */
record RootType(String name, StructFactory<?, ? extends StructReader> factory, long typeId) {
  /** The root types, indexed by the low bits of the decoder input's selector byte. */
  static final List<RootType> ALL = List.of(
      new RootType("TestAllTypes", TestSchema.TestAllTypes.FACTORY,
          TestSchema.TestAllTypes.TYPE_ID),
      new RootType("TestDefaults", TestSchema.TestDefaults.FACTORY,
          TestSchema.TestDefaults.TYPE_ID),
      new RootType("TestUnion", TestSchema.TestUnion.FACTORY, TestSchema.TestUnion.TYPE_ID),
      new RootType("TestUnnamedUnion", TestSchema.TestUnnamedUnion.FACTORY,
          TestSchema.TestUnnamedUnion.TYPE_ID),
      new RootType("TestUnionDefaults", TestSchema.TestUnionDefaults.FACTORY,
          TestSchema.TestUnionDefaults.TYPE_ID),
      new RootType("TestGroups", TestSchema.TestGroups.FACTORY, TestSchema.TestGroups.TYPE_ID),
      new RootType("TestInterleavedGroups", TestSchema.TestInterleavedGroups.FACTORY,
          TestSchema.TestInterleavedGroups.TYPE_ID),
      new RootType("TestLists", TestSchema.TestLists.FACTORY, TestSchema.TestLists.TYPE_ID),
      new RootType("TestUseGenerics", TestSchema.TestUseGenerics.FACTORY,
          TestSchema.TestUseGenerics.TYPE_ID),
      new RootType("TestAnyPointerHolder", TestSchema.TestAnyPointerHolder.FACTORY,
          TestSchema.TestAnyPointerHolder.TYPE_ID),
      new RootType("TestNestedTypes", TestSchema.TestNestedTypes.FACTORY,
          TestSchema.TestNestedTypes.TYPE_ID),
      new RootType("TestOutOfOrder", TestSchema.TestOutOfOrder.FACTORY,
          TestSchema.TestOutOfOrder.TYPE_ID),
      new RootType("TestKeywords", TestSchema.TestKeywords.FACTORY,
          TestSchema.TestKeywords.TYPE_ID),
      new RootType("TestNewVersion", TestSchema.TestNewVersion.FACTORY,
          TestSchema.TestNewVersion.TYPE_ID),
      new RootType("TestOldVersion", TestSchema.TestOldVersion.FACTORY,
          TestSchema.TestOldVersion.TYPE_ID),
      new RootType("AddressBook", TestSchema.AddressBook.FACTORY,
          TestSchema.AddressBook.TYPE_ID));

  /** The root type selected by the low four bits of {@code selector}. */
  static RootType select(int selector) {
    return ALL.get((selector & 0x0f) % ALL.size());
  }

  /** The selector bits that choose this type. */
  int selectorBits() {
    return ALL.indexOf(this);
  }
}
