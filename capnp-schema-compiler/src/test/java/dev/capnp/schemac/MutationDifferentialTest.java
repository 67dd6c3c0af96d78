package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of error reporting: random schemas with a few edits (a token deleted,
 * duplicated or replaced by schema punctuation) are compiled by capnp and by us; when capnp
 * accepts, the requests must match; when it rejects, our error lines must be its error lines
 * (where capnp itself crashes, we only must not). {@code -Dschemac.mutantCases=N} (default 100;
 * 1500 pass).
 */
class MutationDifferentialTest {
  private static final String[] EDITS = {"@", ":", ";", "=", "(", ")", "{", "}", "[", "]", ",",
      ".", "$", "0", "Int32", "List", "struct", "union", "group", "foo", "Foo", "\"x\"", "-1"};

  @TempDir
  Path dir;

  static String mutate(String schema, Random random) {
    String[] tokens = schema.split("(?<=[\\s;:(){}\\[\\],=@$])|(?=[\\s;:(){}\\[\\],=@$])", -1);
    StringBuilder out = new StringBuilder();
    int edits = 1 + random.nextInt(2);
    java.util.Set<Integer> at = new java.util.HashSet<>();
    while (at.size() < edits) {
      at.add(random.nextInt(tokens.length));
    }
    for (int i = 0; i < tokens.length; i++) {
      if (!at.contains(i) || tokens[i].isBlank()) {
        out.append(tokens[i]);
        continue;
      }
      switch (random.nextInt(3)) {
        case 0 -> { }
        case 1 -> out.append(tokens[i]).append(tokens[i]);
        default -> out.append(EDITS[random.nextInt(EDITS.length)]);
      }
    }
    return out.toString();
  }

  @TestFactory
  Stream<DynamicTest> mutantsGetTheSameResultAsCapnp() {
    long cases = Long.getLong("schemac.mutantCases", 100);
    return LongStream.rangeClosed(1, cases).mapToObj(seed ->
        DynamicTest.dynamicTest("mutant " + seed, () -> {
          NativeCapnp.assumeAvailable();
          Random random = new Random(seed);
          String schema = mutate(RandomSchema.generate(seed), random);
          Path file = dir.resolve("x" + seed + ".capnp");
          Files.writeString(file, schema, StandardCharsets.UTF_8);
          CapnpCompiler compiler = CapnpCompiler.builder().currentDirectory(dir).build();
          byte[] expected;
          try {
            expected = NativeCapnp.compile(dir, List.of(), List.of(), List.of(file.getFileName()));
          } catch (AssertionError nativeFailure) {
            String nativeErrors = nativeFailure.getMessage();
            if (nativeErrors.contains("*** Uncaught exception ***")
                && !nativeErrors.contains("issues/344")) {
              // capnp crashed (e.g. on the float literal "1e"): we must not, whatever we decide.
              try {
                compiler.compile(List.of(file.getFileName()));
              } catch (SchemaCompileException clean) {
                assertThat(clean.errors()).isNotEmpty();
              }
              return;
            }
            SchemaCompileException e = catchThrowableOfType(
                () -> compiler.compile(List.of(file.getFileName())), SchemaCompileException.class);
            assertThat(e).as("seed %d:\n%s", seed, schema).isNotNull();
            if (nativeErrors.contains("issues/344")) {
              return;
            }
            assertThat(e.errors().stream().map(SchemaError::toString).toList())
                .as("seed %d:\n%s", seed, schema)
                .isEqualTo(nativeErrors.substring(nativeErrors.indexOf(": ") + 2).lines()
                    .filter(l -> !l.isBlank()).toList());
            return;
          }
          byte[] actual = compiler.compileToBytes(List.of(file.getFileName()));
          assertThat(RequestComparison.differences(expected, actual))
              .as("seed %d:\n%s", seed, schema).isEmpty();
        }));
  }
}
