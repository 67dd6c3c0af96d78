package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Generated code's path: a lazily parsed {@link SchemaFile} and {@code TextFormat.toString}. */
class SchemaFileTest {
  private static SchemaFile schemaFile(byte[] request, SchemaFile... imports) {
    // Generated code splits the bytes into ISO-8859-1 string chunks.
    String all = new String(request, StandardCharsets.ISO_8859_1);
    int half = all.length() / 2;
    return SchemaFile.of(new String[] {all.substring(0, half), all.substring(half)}, imports);
  }

  @Test
  void toStringOfAnyStructReaderUsesTheEmbeddedSchema() {
    Path importer = CapnpCli.testSchema().resolveSibling("importer.capnp");
    SchemaFile dyntest = schemaFile(CapnpCli.compile());
    SchemaFile file = schemaFile(CapnpCli.run(new byte[0], "compile", "-o-", importer.toString()),
        dyntest);
    assertThat(file.imports()).containsExactly(dyntest);
    SchemaRegistry registry = file.registry();
    assertThat(registry).isSameAs(SchemaRegistry.of(file));
    long fileId = registry.requestedFiles().values().iterator().next();
    long typeId = registry.findNested(fileId, "UsesImport");

    String text = "(small = (a = 1, b = \"x\"), color = green, box = (value = \"boxed\"))";
    byte[] message = CapnpCli.run(text.getBytes(StandardCharsets.UTF_8), "encode",
        importer.toString(), "UsesImport");
    MessageReader reader = Serialize.read(ByteBuffer.wrap(message));
    AnyStruct.Reader root = reader.getRoot(AnyStruct.FACTORY);
    String expected = new String(CapnpCli.run(message, "decode", "--short", importer.toString(),
        "UsesImport"), StandardCharsets.UTF_8).strip();
    assertThat(TextFormat.toString(root, file, typeId)).isEqualTo(expected);
    // Nodes of the imported file resolve too.
    long smallId = registry.findNested(registry.requestedFiles().values().iterator().next(),
        "UsesImport");
    assertThat(registry.getStruct(smallId).findField("small").type().structSchema()
        .shortDisplayName()).isEqualTo("Small");
  }
}
