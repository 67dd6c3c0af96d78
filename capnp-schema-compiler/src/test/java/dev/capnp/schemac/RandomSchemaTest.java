package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property test: random schemas ({@link RandomSchema}) compile to the same request as with the
 * native compiler, or, when capnp rejects them, fail with the same errors. {@code -Dschemac.randomCases=N} (default 200) and
 * {@code -Dschemac.randomSeed=S} (default 1) choose the cases; scripts/schemac-random.sh runs
 * many more.
 */
class RandomSchemaTest {
  private static final java.util.concurrent.atomic.AtomicInteger VALID =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger INVALID =
      new java.util.concurrent.atomic.AtomicInteger();

  @TempDir
  Path dir;

  @org.junit.jupiter.api.AfterAll
  static void printCounts() {
    System.out.println("RandomSchemaTest: " + VALID + " valid schemas matched, " + INVALID
        + " invalid ones rejected with the same errors");
  }

  @TestFactory
  Stream<DynamicTest> randomSchemasMatchTheNativeCompiler() {
    long cases = Long.getLong("schemac.randomCases", 200);
    long first = Long.getLong("schemac.randomSeed", 1);
    return LongStream.range(first, first + cases).mapToObj(seed ->
        DynamicTest.dynamicTest("seed " + seed, () -> {
          NativeCapnp.assumeAvailable();
          String schema = RandomSchema.generate(seed);
          Path file = dir.resolve("r" + seed + ".capnp");
          Files.writeString(file, schema);
          CapnpCompiler compiler = CapnpCompiler.builder().currentDirectory(dir).build();
          byte[] expected;
          try {
            expected = NativeCapnp.compile(dir, List.of(), List.of(), List.of(file.getFileName()));
          } catch (AssertionError nativeFailure) {
            // The schema is invalid for capnp: we must reject it with the same errors. (capnp
            // refuses layouts that Cap'n Proto 0.5 computed wrongly, its issue 344, with an
            // internal assertion rather than a located error; we give a located one.)
            INVALID.incrementAndGet();
            SchemaCompileException e = catchThrowableOfType(
                () -> compiler.compile(List.of(file.getFileName())), SchemaCompileException.class);
            assertThat(e).as("seed %d:\n%s", seed, schema).isNotNull();
            String nativeErrors = nativeFailure.getMessage();
            if (nativeErrors.contains("issues/344")) {
              assertThat(e).hasMessageContaining("issues/344");
            } else {
              assertThat(e.errors().stream().map(SchemaError::toString).toList())
                  .as("seed %d:\n%s", seed, schema)
                  .isEqualTo(nativeErrors.substring(nativeErrors.indexOf(": ") + 2).lines()
                      .filter(l -> !l.isBlank()).toList());
            }
            return;
          }
          VALID.incrementAndGet();
          byte[] actual = compiler.compileToBytes(List.of(file.getFileName()));
          assertThat(RequestComparison.differences(expected, actual))
              .as("seed %d:\n%s", seed, schema).isEmpty();
        }));
  }
}
