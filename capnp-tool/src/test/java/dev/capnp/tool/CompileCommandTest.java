package dev.capnp.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.compiler.JavaGenerator;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code capnp-java compile}: the schema compiler written in Java, run as a subcommand. */
class CompileCommandTest {
  @TempDir
  Path dir;

  private record Result(int status, byte[] out, String err) {}

  private static Result tool(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CapnpJava.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static Path resource(String name) {
    try {
      return Path.of(CompileCommandTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Schema.CodeGeneratorRequest.Reader read(byte[] framed) {
    return Serialize.read(ByteBuffer.wrap(framed), new ReaderOptions(Long.MAX_VALUE, 1000))
        .getRoot(Schema.CodeGeneratorRequest.FACTORY);
  }

  private static Set<Long> nodeIds(Schema.CodeGeneratorRequest.Reader request) {
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < request.getNodes().size(); i++) {
      ids.add(request.getNodes().get(i).getId());
    }
    return ids;
  }

  private static byte[] nativeCompile(String... args) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(Stream.concat(Stream.of("capnp", "compile", "-o-"), Stream.of(args))
          .toList()).start();
    } catch (IOException e) {
      Assumptions.assumeTrue(System.getenv("CAPNP_INTEROP_REQUIRED") == null,
          "capnp is required");
      Assumptions.abort("capnp is not on the PATH");
      throw e;
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  @Test
  void writesTheRequestOfTheNativeCompiler() throws Exception {
    String schema = resource("tooltest.capnp").toString();
    String imports = "-I" + resource("imports");
    String prefix = "--src-prefix=" + resource("tooltest.capnp").getParent();
    Result result = tool("compile", "-o-", imports, prefix, schema);
    assertThat(result.err()).isEmpty();
    assertThat(result.status()).isZero();
    byte[] expected = nativeCompile(imports, prefix, schema);
    assertThat(nodeIds(read(result.out()))).isEqualTo(nodeIds(read(expected)));
    JavaGenerator generator = new JavaGenerator(
        JavaGenerator.Options.defaults().withPackage("shared.capnp", "dev.capnp.tool.shared")
            .withPackage("tooltest.capnp", "dev.capnp.tool.tt"));
    Map<String, String> fromJava = generator.generateSources(result.out());
    assertThat(fromJava).isNotEmpty().isEqualTo(generator.generateSources(expected));
  }

  @Test
  void generatesJavaSources() throws Exception {
    Result result = tool("compile", "-o", "java:" + dir, "-I" + resource("imports"),
        "--src-prefix=" + resource("tooltest.capnp").getParent(),
        "--package", "shared.capnp=dev.capnp.tool.shared",
        "--package", "tooltest.capnp=dev.capnp.tool.tt", resource("tooltest.capnp").toString());
    assertThat(result.err()).isEmpty();
    assertThat(result.status()).isZero();
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".java")).toList()).isNotEmpty();
    }
  }

  @Test
  void reportsSchemaErrorsLikeCapnp() throws Exception {
    Path bad = dir.resolve("bad.capnp");
    Files.writeString(bad, "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Bogus;\n}\n");
    Result result = tool("compile", "-o-", bad.toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines().toList())
        .containsExactly(bad.toString().substring(1) + ":3:9-14: error: Not defined: Bogus");
  }

  @Test
  void decodeCompilesSchemasWithTheJavaCompiler() throws Exception {
    Path bad = dir.resolve("bad.capnp");
    Files.writeString(bad, "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Bogus;\n}\n");
    Result result = tool("decode", bad.toString(), "Foo");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err()).contains("cannot compile " + bad + ": ")
        .contains(":3:9-14: error: Not defined: Bogus");
  }

  @Test
  void aMissingFileIsAClearError() {
    Path missing = dir.resolve("missing.capnp");
    Result result = tool("compile", "-o-", missing.toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo("capnp-java: error: cannot read " + missing + " (NoSuchFileException)");
  }

  @Test
  void refusesNativePlugins() {
    Result result = tool("compile", "-o", "c++", resource("tooltest.capnp").toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err()).contains("unsupported output 'c++'");
  }

  @Test
  void idPrintsANewFileId() {
    Result first = tool("id");
    Result second = tool("id");
    assertThat(first.status()).isZero();
    String id = new String(first.out(), StandardCharsets.UTF_8);
    assertThat(id).matches("@0x[89a-f][0-9a-f]{15};\n");
    assertThat(new String(second.out(), StandardCharsets.UTF_8)).isNotEqualTo(id);
  }

  @Test
  void needsAnOutput() {
    Result result = tool("compile", resource("tooltest.capnp").toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err()).contains("no outputs specified");
  }

  @Test
  void bundledStandardSchemasNeedNoImportPath() throws Exception {
    Path file = dir.resolve("uses.capnp");
    Files.writeString(file, "@0xbf5147cbbecf40c2;\nusing Json = import \"/capnp/compat/json.capnp\";\n"
        + "struct Uses {\n  v @0 :Json.Value;\n}\n");
    Result result = tool("compile", "-o-", file.toString());
    assertThat(result.err()).isEmpty();
    List<String> names = new java.util.ArrayList<>();
    var request = read(result.out());
    for (int i = 0; i < request.getNodes().size(); i++) {
      names.add(request.getNodes().get(i).getDisplayName().toString());
    }
    assertThat(names).contains("capnp/compat/json.capnp:Value");
  }
}
