package dev.capnp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import dev.capnp.schemac.CapnpCompiler;
import dev.capnp.schemac.SchemaCompileException;
import dev.capnp.schemac.SourceFile;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Fuzz target: the schema compiler written in Java ({@code capnp-schema-compiler}) on arbitrary
 * bytes taken as a {@code .capnp} file. The seed corpus (standard schemas and the compiler's
 * golden schemas, in {@code SchemaCompilerFuzzTestInputs/compile/}) makes Jazzer mutate valid
 * schemas too. Oracle: the input compiles to a readable request or fails with a
 * {@link SchemaCompileException}; any other exception (or a hang) is a finding. Fuzz with
 * {@code scripts/fuzz.sh 'SchemaCompilerFuzzTest#compile' MINUTES}.
 */
class SchemaCompilerFuzzTest {
  private static final CapnpCompiler COMPILER = CapnpCompiler.builder().build();

  @FuzzTest(maxDuration = "5m")
  void compile(byte[] input) {
    byte[] request;
    try {
      request = Serialize.toBytes(COMPILER.compileSources(List.of(new SourceFile("fuzz.capnp", input))));
    } catch (SchemaCompileException e) {
      if (e.errors().isEmpty()) {
        throw new AssertionError("a compile failure without errors");
      }
      return;
    }
    var reader = Serialize.read(ByteBuffer.wrap(request), new ReaderOptions(Long.MAX_VALUE, 1000))
        .getRoot(Schema.CodeGeneratorRequest.FACTORY);
    if (reader.getRequestedFiles().size() != 1 || reader.getNodes().size() == 0) {
      throw new AssertionError("a request without its file");
    }
  }
}
