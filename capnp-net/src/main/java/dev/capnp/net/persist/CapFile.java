package dev.capnp.net.persist;

import dev.capnp.net.CapnpUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Cap files: a sturdy-ref URI (secret included) saved in a file, as the seed's {@code Cap_file}
 * writes them (spec section 4): the URI followed by {@code "\n"}, written with
 * {@code O_WRONLY|O_CREAT|O_TRUNC} and mode {@code 0600} (the mode applies when the file is
 * created; an existing file keeps its mode). Loading reads the whole file, trims it and checks
 * that it parses as a {@code capnp://} URI.
 */
public final class CapFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private CapFile() {
  }

  /**
   * Writes {@code uri} to {@code path} (created with mode 0600, or truncated).
   *
   * @throws UncheckedIOException {@code Error saving "path": ...}
   */
  public static void save(Path path, CapnpUri uri) {
    saveText(path, uri.toString());
  }

  /** Writes the URI text {@code uri} (checked to parse) to {@code path}. */
  public static void saveText(Path path, String uri) {
    CapnpUri.parse(uri);
    byte[] data = (uri + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        FileAttribute<Set<PosixFilePermission>> mode =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        try (var ch = Files.newByteChannel(path, Set.of(StandardOpenOption.WRITE,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING), mode)) {
          var buf = java.nio.ByteBuffer.wrap(data);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
      } else {
        Files.write(path, data);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Error saving \"" + path + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the URI saved in {@code path}.
   *
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
