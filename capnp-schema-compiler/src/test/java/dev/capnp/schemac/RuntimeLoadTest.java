package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.runtime.MessageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CapnpCompiler#load}: a schema read at run time, used through the dynamic API. */
class RuntimeLoadTest {
  @TempDir
  Path dir;

  @Test
  void loadsASchemaAndBuildsAMessageWithIt() throws Exception {
    Files.writeString(dir.resolve("book.capnp"), "@0xe0b7ff3c6e5a4d21;\n"
        + "struct Person {\n  name @0 :Text;\n  age @1 :UInt8 = 30;\n"
        + "  phones @2 :List(Phone);\n  struct Phone {\n    number @0 :Text;\n"
        + "    kind @1 :Kind;\n  }\n  enum Kind {\n    mobile @0;\n    home @1;\n  }\n}\n");
    SchemaRegistry registry = CapnpCompiler.builder().currentDirectory(dir).build()
        .load(List.of(Path.of("book.capnp")));
    long fileId = registry.requestedFiles().get("book.capnp");
    StructSchema person = registry.findStruct(fileId, "Person");

    MessageBuilder message = new MessageBuilder();
    DynamicStruct.Builder root = message.getRootAnyPointer().initAs(person.factory());
    TextFormat.parse("(name = \"Ada\", phones = [(number = \"555\", kind = home)])", root);

    assertThat(TextFormat.toString(root.asReader()))
        .isEqualTo("(name = \"Ada\", age = 30, phones = [(number = \"555\", kind = home)])");
  }
}
