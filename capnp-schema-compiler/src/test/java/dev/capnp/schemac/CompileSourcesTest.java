package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.capnp.schema.Schema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CapnpCompiler#compileSources}: schemas held in memory. */
class CompileSourcesTest {
  @Test
  void compilesAnInMemorySourceThatImportsABundledSchema() {
    var message = CapnpCompiler.builder().build().compileSources(List.of(SourceFile.of(
        "mem.capnp", "@0xe0b7ff3c6e5a4d22;\nusing Json = import \"/capnp/compat/json.capnp\";\n"
            + "struct Doc {\n  body @0 :Json.Value;\n}\n")));
    var request = message.getRoot(Schema.CodeGeneratorRequest.FACTORY).asReader();
    assertThat(request.getRequestedFiles().get(0).getFilename().toString()).isEqualTo("mem.capnp");
    assertThat(request.getRequestedFiles().get(0).getImports().get(0).getName().toString())
        .isEqualTo("/capnp/compat/json.capnp");
  }

  @Test
  void reportsErrorsAgainstTheSourceName() {
    SchemaCompileException e = catchThrowableOfType(() -> CapnpCompiler.builder().build()
        .compileSources(List.of(SourceFile.of("bad.capnp", "@0xe0b7ff3c6e5a4d22;\nconst a :Foo = 1;\n"))),
        SchemaCompileException.class);
    assertThat(e.errors()).extracting(SchemaError::toString)
        .containsExactly("bad.capnp:2:10-13: error: Not defined: Foo");
  }
}
