package dev.capnp.dynamic;

import java.nio.ByteBuffer;

/** The test schema loaded (once) from {@code capnp compile -o-}. */
final class TestSchemas {
  private TestSchemas() {}

  private static SchemaRegistry registry;

  static synchronized SchemaRegistry registry() {
    if (registry == null) {
      registry = SchemaRegistry.fromCodeGeneratorRequest(ByteBuffer.wrap(CapnpCli.compile()));
    }
    return registry;
  }

  static long fileId() {
    return registry().requestedFiles().values().iterator().next();
  }

  static StructSchema struct(String dottedName) {
    return registry().getStruct(registry().findNested(fileId(), dottedName));
  }
}
