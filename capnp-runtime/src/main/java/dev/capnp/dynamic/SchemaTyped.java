package dev.capnp.dynamic;

/**
 * A pointer factory that knows the schema type it reads. Generated struct factories implement
 * it (when generated with {@code toString()}), so that a generic struct's own {@code toString()}
 * can print fields of its type parameters as the types they are bound to.
 */
public interface SchemaTyped {
  /**
   * The type this factory reads, with its own type arguments bound where known.
   *
   * @return the type this factory reads, with its own type arguments bound where known
   */
  DynamicType schemaType();
}
