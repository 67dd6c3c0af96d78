package dev.capnp.net;

import dev.capnp.net.persist.CapFile;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a sturdy ref given on a command line the way the seed's tools accept it: either a
 * {@code capnp://} URI or the path of a cap file holding one (as written by
 * {@link CapFile#save}).
 *
 * <pre>{@code
 * CapnpUri uri = UriOrCapFile.parse(args[0]);   // "capnp://sha-256:...@host:7000/..."
 *                                               // or "echo.cap"
 * try (Vat vat = Vat.client()) {
 *   vat.importRef(uri).withCapSync(cap -> ...);
 * }
 * }</pre>
 */
public final class UriOrCapFile {
  private UriOrCapFile() {
  }

  /**
   * Parses {@code arg} as a URI when it contains {@code "://"}, otherwise loads it as a cap file.
   *
   * @param arg a {@code capnp://} URI or the path of a cap file
   * @return the sturdy URI
   * @throws IllegalArgumentException with the URI parser's message (e.g. {@code Unknown scheme
   *     "http" in ...}), or the cap file's ({@code File "x" does not exist},
   *     {@code Error loading "x": ...}); an empty argument is refused with its own message
   */
  public static CapnpUri parse(String arg) {
    Objects.requireNonNull(arg, "arg");
    if (arg.isBlank()) {
      throw new IllegalArgumentException(
          "Expected a capnp:// URI or the path of a cap file, got an empty argument");
    }
    if (isUri(arg)) {
      return CapnpUri.parse(arg.strip());
    }
    return CapFile.load(Path.of(arg));
  }

  /**
   * Whether {@code arg} would be read as a URI (rather than as a cap file's path).
   *
   * @param arg a command-line argument
   * @return true if it contains {@code "://"}
   */
  public static boolean isUri(String arg) {
    return Objects.requireNonNull(arg, "arg").contains("://");
  }
}
