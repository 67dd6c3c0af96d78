package dev.capnp.net.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.net.ServiceId;
import dev.capnp.runtime.DecodeException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.schema.Schema.CodeGeneratorRequest.RequestedFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec section 4: {@code File_store} (the seed's "File store" test and the format). */
class FileStoreTest {
  @TempDir
  Path dir;

  private static RequestedFile.Reader simple(String text) {
    MessageBuilder mb = new MessageBuilder();
    RequestedFile.Builder b = mb.initRoot(RequestedFile.FACTORY);
    b.setFilename(text);
    return b.asReader();
  }

  private static byte[] digest(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void fileStore() throws Exception {
    FileStore s = new FileStore(dir);
    assertThat(s.load(digest("missing"), RequestedFile.FACTORY)).isEmpty();
    s.save(digest("!/.."), RequestedFile.FACTORY, simple("Test"));
    Optional<RequestedFile.Reader> back = s.load(digest("!/.."), RequestedFile.FACTORY);
    assertThat(back).isPresent();
    assertThat(back.get().getFilename().toString()).isEqualTo("Test");
    // the digest is base64url-encoded, so it cannot escape the directory
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("IS8uLg");
    }
  }

  @Test
  void contentIsTheBareSegment() throws Exception {
    FileStore s = new FileStore(dir);
    MessageBuilder mb = new MessageBuilder();
    RequestedFile.Builder b = mb.initRoot(RequestedFile.FACTORY);
    b.setId(0x1122334455667788L);
    b.setFilename("segment");
    s.save(digest("d"), mb);
    ByteBuffer seg = mb.getSegmentsForOutput()[0];
    byte[] expected = new byte[seg.remaining()];
    seg.duplicate().get(expected);
    assertThat(Files.readAllBytes(s.pathOf(digest("d")))).isEqualTo(expected);
    assertThat(s.load(digest("d"), RequestedFile.FACTORY).orElseThrow().getId())
        .isEqualTo(0x1122334455667788L);
  }

  @Test
  void sha256DigestsGive43CharacterNames() {
    FileStore s = new FileStore(dir);
    ServiceId id = ServiceId.generate();
    s.save(id.digestKey(), RequestedFile.FACTORY, simple("x"));
    assertThat(s.pathOf(id.digest()).getFileName().toString()).hasSize(43);
    assertThat(s.contains(id.digest())).isTrue();
    assertThat(s.load(id.digestKey(), RequestedFile.FACTORY).orElseThrow().getFilename()
        .toString()).isEqualTo("x");
  }

  @Test
  void saveReplacesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
    FileStore s = new FileStore(dir);
    s.save(digest("k"), RequestedFile.FACTORY, simple("one"));
    s.save(digest("k"), RequestedFile.FACTORY, simple("two, longer than one"));
    s.save(digest("k"), RequestedFile.FACTORY, simple("3"));
    assertThat(s.load(digest("k"), RequestedFile.FACTORY).orElseThrow().getFilename()
        .toString()).isEqualTo("3");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("aw");
    }
  }

  @Test
  void multiSegmentMessagesAreStoredAsOneSegment() {
    FileStore s = new FileStore(dir);
    MessageBuilder mb = new MessageBuilder(4);
    RequestedFile.Builder b = mb.initRoot(RequestedFile.FACTORY);
    String big = "x".repeat(5000);
    b.setFilename(big);
    assertThat(mb.segmentCount()).isGreaterThan(1);
    s.save(digest("big"), mb);
    assertThat(s.load(digest("big"), RequestedFile.FACTORY).orElseThrow().getFilename()
        .toString()).isEqualTo(big);
  }

  @Test
  void removeAndErrors() throws Exception {
    FileStore s = new FileStore(dir);
    s.save(digest("r"), RequestedFile.FACTORY, simple("r"));
    s.remove(digest("r"));
    assertThat(s.load(digest("r"), RequestedFile.FACTORY)).isEmpty();
    assertThatThrownBy(() -> s.remove(digest("r"))).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("Error removing");
    Files.write(s.pathOf(digest("bad")), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> s.load(digest("bad"), RequestedFile.FACTORY))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("3 bytes, not a whole number of words");
    FileStore nowhere = new FileStore(dir.resolve("no-such-dir"));
    assertThatThrownBy(() -> nowhere.save(digest("x"), RequestedFile.FACTORY, simple("x")))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("Error saving");
  }
}
