package dev.capnp.examples.rpc;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.persist.CapFile;
import java.nio.file.Path;

/** Command-line sturdy refs, as the seed accepts them: a {@code capnp://} URI or a cap file. */
final class SturdyArgs {
  private SturdyArgs() {}

  /** Parses {@code arg} as a URI if it starts with {@code capnp://}, else loads it as a cap file. */
  static CapnpUri parse(String arg) {
    return arg.startsWith("capnp://") ? CapnpUri.parse(arg) : CapFile.load(Path.of(arg));
  }
}
