package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Robustness: mutated schema files (bytes replaced, deleted, duplicated, truncated, random
 * schema punctuation inserted) either compile or fail with a {@link SchemaCompileException};
 * the compiler never throws anything else. (The Jazzer target does the same at length.)
 */
class MutatedSchemaTest {
  private static final String PUNCTUATION = "@:;=(){}[],.$\"#0x-*\n ";
  private static final int MUTANTS_PER_SEED = 60;

  @TempDir
  Path dir;

  private static List<byte[]> seeds() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    for (String name : List.of("capnp/schema.capnp", "capnp/rpc.capnp", "capnp/compat/json.capnp",
        "capnp/c++.capnp", "capnp/persistent.capnp")) {
      try (InputStream in = MutatedSchemaTest.class.getClassLoader().getResourceAsStream(name)) {
        seeds.add(in.readAllBytes());
      }
    }
    for (long seed = 1; seed <= 5; seed++) {
      seeds.add(RandomSchema.generate(seed).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return seeds;
  }

  static byte[] mutate(byte[] input, Random random) {
    byte[] b = input.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(5)) {
        case 0 -> b[at] = (byte) random.nextInt(256);
        case 1 -> b[at] = (byte) PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
        case 2 -> {
          int len = Math.min(b.length - at, 1 + random.nextInt(40));
          byte[] shorter = new byte[b.length - len];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + len, shorter, at, b.length - at - len);
          b = shorter;
        }
        case 3 -> {
          int len = Math.min(b.length - at, 1 + random.nextInt(40));
          byte[] longer = new byte[b.length + len];
          System.arraycopy(b, 0, longer, 0, at + len);
          System.arraycopy(b, at, longer, at + len, b.length - at);
          b = longer;
        }
        default -> b = java.util.Arrays.copyOf(b, at);
      }
    }
    return b;
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() throws Exception {
    Path file = dir.resolve("deep.capnp");
    Files.writeString(file, "@0xbf5147cbbecf40c1;\nconst a :List(Int32) = " + "[".repeat(20000)
        + "1" + "]".repeat(20000) + ";\n");
    SchemaCompileException e = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> CapnpCompiler.builder().currentDirectory(dir).build()
            .compile(List.of(file.getFileName())), SchemaCompileException.class);
    assertThat(e).isNotNull();
    assertThat(e.errors().get(0).toString())
        .isEqualTo("deep.capnp:2:281: error: Parse error: nested more than 256 levels deep.");
  }

  @Test
  void mutatedSchemasFailOnlyWithCompileErrors() throws Exception {
    Random random = new Random(42);
    CapnpCompiler compiler = CapnpCompiler.builder().currentDirectory(dir).build();
    int compiled = 0;
    int rejected = 0;
    for (byte[] seed : seeds()) {
      for (int i = 0; i < MUTANTS_PER_SEED; i++) {
        byte[] mutant = mutate(seed, random);
        Path file = dir.resolve("m.capnp");
        Files.write(file, mutant);
        try {
          compiler.compile(List.of(file.getFileName()));
          compiled++;
        } catch (SchemaCompileException e) {
          assertThat(e.errors()).isNotEmpty();
          rejected++;
        } catch (RuntimeException | StackOverflowError e) {
          throw new AssertionError("unexpected " + e + " for:\n"
              + new String(mutant, java.nio.charset.StandardCharsets.ISO_8859_1), e);
        }
      }
    }
    assertThat(rejected).isPositive();
    assertThat(compiled + rejected).isEqualTo(10 * MUTANTS_PER_SEED);
  }
}
