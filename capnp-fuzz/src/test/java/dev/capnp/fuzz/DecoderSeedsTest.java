package dev.capnp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.test.TestSchema;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Checks the committed decoder corpus: the {@code valid-*} seeds really are valid messages that
 * walk (and compare, generated against dynamic reader) without a decode error, so fuzzing starts
 * deep in the decoder, and the malformed seeds
 * still match what {@link MalformedSeeds} generates.
 */
class DecoderSeedsTest {
  private static Path corpus() throws URISyntaxException {
    return Path.of(DecoderSeedsTest.class.getResource("DecoderFuzzTestInputs/decode").toURI());
  }

  @Test
  void validSeedsDecodeAndWalkWithoutErrors() throws Exception {
    int count = 0;
    try (Stream<Path> files = Files.list(corpus())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().startsWith("valid-")) {
          continue;
        }
        byte[] seed = Files.readAllBytes(p);
        ByteBuffer frame = ByteBuffer.wrap(seed, 1, seed.length - 1);
        MessageReader message = (seed[0] & 0x10) != 0 ? SerializePacked.read(frame)
            : Serialize.read(frame);
        RootType root = RootType.select(seed[0]);
        WorkBudget walked = new WorkBudget(Long.MAX_VALUE, "seed");
        new GeneratedReaderWalker(walked).walk(message.getRoot(root.factory()));
        WorkBudget compared = new WorkBudget(Long.MAX_VALUE, "seed");
        new DifferentialWalker(compared).compare(message.getRoot(root.factory()),
            message.getRoot(TestSchema.SCHEMA.registry().getStruct(root.typeId()).factory()));
        if (p.getFileName().toString().endsWith("-TestAllTypes")) {
          // every field, the nested struct and the struct list: hundreds of reads
          assertThat(walked.spent()).as(p.toString()).isGreaterThan(300);
          assertThat(compared.spent()).as(p.toString()).isGreaterThan(150);
        }
        assertThat(message.getRoot(root.factory()).toString()).as(p.toString()).isNotEmpty();
        count++;
      }
    }
    assertThat(count).isGreaterThanOrEqualTo(20);
  }

  @Test
  void malformedSeedsAreCommitted() throws Exception {
    for (Map.Entry<String, byte[]> e : MalformedSeeds.all().entrySet()) {
      Path p = corpus().resolve(e.getKey());
      assertThat(p).as("run scripts/fuzz.sh --seed to regenerate").exists();
      assertThat(Files.readAllBytes(p)).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  /** Regenerates the seeds when {@code -Dseeds.write=DIR} is given (see scripts/fuzz.sh). */
  @Test
  @EnabledIfSystemProperty(named = "seeds.write", matches = ".+")
  void writeSeeds() throws IOException {
    String dir = System.getProperty("seeds.write");
    Path root = Path.of(System.getProperty("seeds.root", ".."));
    SeedCorpus.write(Path.of(dir), root.resolve("capnp-tests/src/test/capnp"),
        root.resolve("capnp-runtime/src/main/resources"));
  }
}
