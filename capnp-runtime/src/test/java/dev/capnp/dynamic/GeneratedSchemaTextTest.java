package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A large real message: the CodeGeneratorRequest of the test schema, printed through the
 * generated {@code Schema} classes' {@code toString()} and dynamically, against
 * {@code capnp decode} with {@code schema.capnp}.
 */
class GeneratedSchemaTextTest {
  private static final String SCHEMA_CAPNP = "/usr/include/capnp/schema.capnp";
  private static final String TEXT = "(id = 0x1234, displayName = \"x.capnp:Foo\", "
      + "struct = (dataWordCount = 2, "
      + "fields = [(name = \"a\", slot = (offset = 1, type = (int32 = void)))]))";

  @Test
  void codeGeneratorRequestPrintsLikeCapnpDecode() {
    byte[] request = CapnpCli.compile();
    MessageReader message = Serialize.read(ByteBuffer.wrap(request));
    Schema.CodeGeneratorRequest.Reader root = message.getRoot(Schema.CodeGeneratorRequest.FACTORY);

    String expectedShort = new String(CapnpCli.run(request, "decode", "--short", SCHEMA_CAPNP,
        "CodeGeneratorRequest"), StandardCharsets.UTF_8);
    assertThat(root.toString() + "\n").isEqualTo(expectedShort);

    SchemaRegistry schemaCapnp = Schema.SCHEMA.registry();
    StructSchema type = schemaCapnp.getStruct(Schema.CodeGeneratorRequest.TYPE_ID);
    byte[] expectedPretty = CapnpCli.run(request, "decode", SCHEMA_CAPNP, "CodeGeneratorRequest");
    byte[] actual = TextFormat.prettyPrintBytes(new DynamicStruct.Reader(type, root));
    assertThat(new String(actual, StandardCharsets.UTF_8) + "\n")
        .isEqualTo(new String(expectedPretty, StandardCharsets.UTF_8));
  }

  @Test
  void nestedGeneratedReadersPrintTheirOwnType() {
    byte[] request = CapnpCli.compile();
    Schema.CodeGeneratorRequest.Reader root = Serialize.read(ByteBuffer.wrap(request))
        .getRoot(Schema.CodeGeneratorRequest.FACTORY);
    Schema.Node.Reader node = root.getNodes().get(0);
    String text = node.toString();
    assertThat(text).startsWith("(id = ").contains("displayName = \"");
  }

  @Test
  void parseIntoAndPrettyPrintGeneratedClasses() {
    dev.capnp.runtime.MessageBuilder message = new dev.capnp.runtime.MessageBuilder();
    Schema.Node.Builder node = message.initRoot(Schema.Node.FACTORY);
    TextFormat.parse(TEXT, node, Schema.SCHEMA, Schema.Node.TYPE_ID);
    assertThat(node.getId()).isEqualTo(0x1234L);
    assertThat(node.isStruct()).isTrue();
    assertThat(node.getStruct().getDataWordCount()).isEqualTo((short) 2);
    byte[] reference = CapnpCli.run(TEXT.getBytes(StandardCharsets.UTF_8), "encode",
        SCHEMA_CAPNP, "Node");
    String expected = new String(CapnpCli.run(reference, "decode", "--short", SCHEMA_CAPNP,
        "Node"), StandardCharsets.UTF_8);
    assertThat(node.asReader().toString() + "\n").isEqualTo(expected);
    assertThat(TextFormat.prettyPrint(node.asReader(), Schema.SCHEMA, Schema.Node.TYPE_ID))
        .startsWith("( id = 4660,\n  displayName = \"x.capnp:Foo\",\n");
  }
}
