package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The committed generated code for the standard schemas is exactly what the current generator
 * produces (run scripts/regenerate-standard-schemas.sh after changing the generator). For
 * schema.capnp this is also the bootstrap fixed point: the generator reads requests through
 * that very code.
 */
class StandardSchemasTest {
  private static final Path INCLUDE = Path.of("/usr/include");
  private static final Path PROJECT_RPC_SCHEMA =
      Path.of("../capnp-rpc/src/main/schema").toAbsolutePath().normalize();

  @ParameterizedTest
  @CsvSource({
    "schema.capnp, dev.capnp.schema, capnp-runtime, Schema",
    "rpc.capnp, dev.capnp.rpc.proto, capnp-rpc, Rpc",
    "rpc-twoparty.capnp, dev.capnp.rpc.proto, capnp-rpc, RpcTwoparty",
    "persistent.capnp, dev.capnp.rpc.proto, capnp-rpc, PersistentSchema",
    "stream.capnp, dev.capnp.rpc.proto, capnp-rpc, Stream",
  })
  void committedCodeIsUpToDate(String file, String pkg, String module, String outer)
      throws IOException {
    TestSchemas.assumeCapnp();
    // rpc.capnp: the project's copy of master's schema (Level 3), see the regeneration script
    Path src = file.equals("rpc.capnp") ? PROJECT_RPC_SCHEMA : INCLUDE;
    Path schema = src.resolve("capnp").resolve(file);
    assumeTrue(Files.exists(schema), schema + " not installed");
    byte[] request = TestSchemas.run(List.of("capnp", "compile", "-I", INCLUDE.toString(),
        "--src-prefix", src.toString(), "-o-", schema.toString()), null);
    boolean toString = Files.exists(
        Path.of("../capnp-runtime/src/main/java/dev/capnp/dynamic/TextFormat.java"));
    Map<String, String> sources = new JavaGenerator(JavaGenerator.Options.defaults()
        .withPackage("capnp/" + file, pkg).withToString(toString)).generateSources(request);
    String relative = pkg.replace('.', '/') + "/" + outer + ".java";
    assertThat(sources).containsOnlyKeys(relative);
    Path committed = Path.of("..", module, "src/main/java", relative);
    assertThat(sources.get(relative))
        .as("%s is stale: run scripts/regenerate-standard-schemas.sh", committed)
        .isEqualTo(Files.readString(committed));
  }
}
