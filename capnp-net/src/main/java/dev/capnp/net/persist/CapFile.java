package dev.capnp.net.persist;

import dev.capnp.net.CapnpUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Cap files: a sturdy-ref URI (secret included) saved in a file, in the seed's {@code Cap_file}
 * format (spec section 4): the URI followed by {@code "\n"}. Loading reads the whole file, trims
 * it and checks that it parses as a {@code capnp://} URI.
 *
 * <p>Unlike the seed (which truncates an existing file in place, keeping its mode), saving
 * always leaves a file of mode {@code 0600} on POSIX file systems, whether or not it existed: the
 * URI is written to a new temporary file created {@code 0600} in the same directory, which then
 * atomically replaces the target. So the URI is never in a file that group or others can read,
 * and a reader sees the old or the new file, never a partly written one. A symbolic link at the
 * path is followed (the file it points to is replaced).
 */
public final class CapFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private CapFile() {
  }

  /**
   * Writes {@code uri} to {@code path}: a new file of mode 0600 replaces any existing one.
   *
   * @param path the cap file
   * @param uri the URI to save
   * @throws UncheckedIOException {@code Error saving "path": ...}
   */
  public static void save(Path path, CapnpUri uri) {
    saveText(path, uri.toString());
  }

  /**
   * Writes the URI text {@code uri} (checked to parse) to {@code path}, as {@link #save}.
   *
   * @param path the cap file
   * @param uri the URI text
   */
  public static void saveText(Path path, String uri) {
    CapnpUri.parse(uri);
    byte[] data = (uri + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Path target = Files.isSymbolicLink(path) ? path.toRealPath() : path;
      replace(target.toAbsolutePath(), data);
    } catch (IOException e) {
      throw new UncheckedIOException("Error saving \"" + path + "\": " + e.getMessage(), e);
    }
  }

  /** Writes {@code data} to a temporary file (0600) next to {@code target}, then moves it there. */
  private static void replace(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    String prefix = "." + target.getFileName() + ".";
    Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? Files.createTempFile(dir, prefix, ".tmp", ownerOnly())
        : Files.createTempFile(dir, prefix, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
  }

  /**
   * Reads the URI saved in {@code path}.
   *
   * @param path the cap file
   * @return the saved URI
   * @throws IllegalArgumentException {@code File "p" does not exist}, or
   *     {@code Error loading "p": ...} when the file cannot be read or holds no valid URI
   */
  public static CapnpUri load(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("File \"" + path + "\" does not exist", e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Error loading \"" + path + "\": " + e.getMessage(), e);
    }
    try {
      return CapnpUri.parse(text.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Error loading \"" + path + "\": " + e.getMessage(), e);
    }
  }
}
