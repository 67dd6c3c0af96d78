package dev.capnp.net.persist;

import dev.capnp.net.ServiceId;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.StructFactory;
import dev.capnp.runtime.StructReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A directory of Cap'n Proto structs keyed by digest (the seed's {@code File_store}, spec
 * section 4), typically the SHA-256 of a service ID, so the store never holds the secrets.
 *
 * <ul>
 *   <li>The file name is the unpadded base64url of the digest (43 characters for SHA-256), so
 *       any digest bytes are safe as a name.
 *   <li>{@link #save} writes {@code <name>.new}, flushes it to disk and renames it over
 *       {@code <name>} (atomic on POSIX file systems: readers see the old or the new content,
 *       never a torn one).
 *   <li>The content is the message's single segment with no framing (the seed's format);
 *       messages that grew several segments are first copied into one.
 *   <li>{@link #load} reads the file as one segment and returns the root struct, or empty when
 *       nothing is stored under the digest.
 * </ul>
 */
public final class FileStore {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Path dir;
  private final ReaderOptions options;

  /**
   * A store in the existing directory {@code dir}, reading with the default limits.
   *
   * @param dir the store's directory; it must exist
   */
  public FileStore(Path dir) {
    this(dir, ReaderOptions.DEFAULT);
  }

  /**
   * A store in the existing directory {@code dir}, reading with {@code options}.
   *
   * @param dir the store's directory; it must exist
   * @param options the limits for reading stored structs
   */
  public FileStore(Path dir, ReaderOptions options) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * The directory.
   *
   * @return the store's directory
   */
  public Path directory() {
    return dir;
  }

  /**
   * The file holding {@code digest}'s struct.
   *
   * @param digest the key's SHA-256 digest
   * @return the entry's file; it may not exist
   */
  public Path pathOf(byte[] digest) {
    return dir.resolve(B64URL.encodeToString(digest));
  }

  /**
   * Saves {@code value} (a struct of type {@code type}) under {@code digest}, atomically.
   *
   * @param <R> the struct reader type
   * @param digest the key's SHA-256 digest
   * @param type the struct type
   * @param value the struct to save
   */
  public <R extends StructReader> void save(byte[] digest, StructFactory<?, R> type, R value) {
    MessageBuilder mb = new MessageBuilder();
    mb.setRoot(type, value);
    save(digest, mb);
  }

  /**
   * Saves {@code key}'s digest entry (see {@link #save(byte[], StructFactory, StructReader)}).
   *
   * @param <R> the struct reader type
   * @param key the key
   * @param type the struct type
   * @param value the struct to save
   */
  public <R extends StructReader> void save(ServiceId.DigestKey key, StructFactory<?, R> type,
      R value) {
    save(key.bytes(), type, value);
  }

  /**
   * Saves the root of {@code message} under {@code digest}, atomically (copied into a single
   * segment first if it has several).
   *
   * @param digest the key's SHA-256 digest
   * @param message the message whose root is saved
   * @throws UncheckedIOException naming the file on I/O errors
   */
  public void save(byte[] digest, MessageBuilder message) {
    if (message.segmentCount() != 1) {
      MessageBuilder single = new MessageBuilder((int) Math.min(Integer.MAX_VALUE - 8,
          message.sizeInWords() + 1));
      single.getRootAnyPointer().set(message.getRootAnyPointer().asReader());
      message = single;
    }
    ByteBuffer segment = message.getSegmentsForOutput()[0].duplicate();
    Path target = pathOf(digest);
    Path tmp = target.resolveSibling(target.getFileName() + ".new");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
        while (segment.hasRemaining()) {
          ch.write(segment);
        }
        ch.force(false);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Error saving \"" + target + "\": " + e.getMessage(), e);
    }
  }

  /**
   * The struct stored under {@code digest}, or empty if there is none.
   *
   * @param <R> the struct reader type
   * @param digest the key's SHA-256 digest
   * @param type the struct type
   * @return the stored struct, or empty
   * @throws UncheckedIOException naming the file on I/O errors
   * @throws dev.capnp.runtime.DecodeException if the file is not a valid single-segment message
   */
  public <R extends StructReader> Optional<R> load(byte[] digest, StructFactory<?, R> type) {
    Path file = pathOf(digest);
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Error loading \"" + file + "\": " + e.getMessage(), e);
    }
    if (data.length == 0 || data.length % 8 != 0) {
      throw new dev.capnp.runtime.DecodeException("stored message \"" + file + "\" is "
          + data.length + " bytes, not a whole number of words");
    }
    ByteBuffer seg = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    return Optional.of(new MessageReader(new ByteBuffer[] {seg}, options).getRoot(type));
  }

  /**
   * The struct stored under {@code key}'s digest, or empty.
   *
   * @param <R> the struct reader type
   * @param key the key
   * @param type the struct type
   * @return the stored struct, or empty
   */
  public <R extends StructReader> Optional<R> load(ServiceId.DigestKey key,
      StructFactory<?, R> type) {
    return load(key.bytes(), type);
  }

  /**
   * Whether something is stored under {@code digest}.
   *
   * @param digest the key's SHA-256 digest
   * @return {@code true} if an entry exists
   */
  public boolean contains(byte[] digest) {
    return Files.exists(pathOf(digest));
  }

  /**
   * Deletes the entry for {@code digest}.
   *
   * @param digest the key's SHA-256 digest
   * @throws UncheckedIOException if there is none ({@code NoSuchFileException}) or it cannot be
   *     deleted
   */
  public void remove(byte[] digest) {
    Path file = pathOf(digest);
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Error removing \"" + file + "\": " + e.getMessage(), e);
    }
  }
}
