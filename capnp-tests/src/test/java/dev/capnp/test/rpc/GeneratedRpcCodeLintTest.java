package dev.capnp.test.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.compiler.JavaGenerator;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated code of the schemas with interfaces compiles without any warning under
 * {@code javac -Xlint:all -Werror} against capnp-rpc and capnp-runtime (the Maven build compiles
 * it with warnings enabled but not fatal).
 */
class GeneratedRpcCodeLintTest {
  @Test
  void generatedRpcCodeCompilesWithoutWarnings(@TempDir Path dir)
      throws IOException, InterruptedException {
    Process capnp = new ProcessBuilder("capnp", "compile", "-I", "target/capnp-include",
        "--src-prefix", "src/test/capnp", "-o-", "src/test/capnp/rpc-calls.capnp",
        "src/test/capnp/rpc-edge.capnp", "src/test/capnp/rpc-stream.capnp",
        "src/test/capnp/test.capnp").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    capnp.getInputStream().transferTo(request);
    assertThat(capnp.waitFor(60, TimeUnit.SECONDS) && capnp.exitValue() == 0).isTrue();

    Map<String, String> sources = new JavaGenerator(JavaGenerator.Options.defaults())
        .generateSources(request.toByteArray());
    assertThat(sources).containsKeys("dev/capnp/test/rpc/RpcCalls.java",
        "dev/capnp/test/rpc/RpcEdge.java", "dev/capnp/test/rpc/RpcStream.java",
        "dev/capnp/test/TestSchema.java");
    List<File> files = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path p = dir.resolve("src").resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue());
      files.add(p.toFile());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null,
        StandardCharsets.UTF_8)) {
      // test.capnp imports test-import.capnp: compile against its Maven-generated class
      List<String> options = List.of("-Xlint:all", "-Werror", "--release", "17", "-implicit:none",
          "-classpath", System.getProperty("java.class.path"),
          "-d", Files.createDirectories(dir.resolve("classes")).toString());
      boolean ok = javac.getTask(diagnostics, fm, null, options, null,
          fm.getJavaFileObjectsFromFiles(files)).call();
      assertThat(ok).as("javac -Xlint:all -Werror:\n%s", diagnostics).isTrue();
    }
    assertThat(diagnostics.toString()).isEmpty();
  }
}
