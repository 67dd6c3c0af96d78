package dev.capnp.rpc.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Rust interop peers of {@code interop/rust/} (Rust capnp-rpc 0.14, an implementation
 * independent of both ours and the C++ reference), built once with
 * {@code cargo build --offline --release} from Debian's crate sources in
 * {@value #REGISTRY}: starts {@code interop-rust-server} and runs {@code interop-rust-client}.
 *
 * <p>Without cargo or the crates (Debian packages {@code librust-capnp-rpc-dev},
 * {@code librust-capnp-dev}, {@code librust-capnp-futures-dev}, {@code librust-futures-dev},
 * {@code librust-tokio-dev}, {@code librust-tokio-util-dev}) the tests using this class are
 * skipped with a message saying what is missing — unless {@code CAPNP_INTEROP_REQUIRED=1} is set
 * (as CI does), in which case they fail.
 */
final class RustPeers {
  static final String REGISTRY = "/usr/share/cargo/registry";
  private static final long BUILD_TIMEOUT_SECONDS = 900;
  /** Crate directory prefix -> the Debian package that installs it. */
  private static final String[][] CRATES = {
    {"capnp-0.14.", "librust-capnp-dev"},
    {"capnp-rpc-0.14.", "librust-capnp-rpc-dev"},
    {"capnp-futures-0.14.", "librust-capnp-futures-dev"},
    {"futures-0.3.", "librust-futures-dev"},
    {"tokio-1.", "librust-tokio-dev"},
    {"tokio-util-0.7.", "librust-tokio-util-dev"},
  };

  private static RustPeers instance;
  private static String unavailable;
  private static final boolean[] warned = new boolean[1];

  private final Path binDir;

  private RustPeers(Path binDir) {
    this.binDir = binDir;
  }

  /** The built peers; skips (or, in CI, fails) the calling test when they cannot be built. */
  static synchronized RustPeers get() {
    if (instance == null && unavailable == null) {
      try {
        instance = build();
      } catch (PeerProcesses.ToolMissing e) {
        unavailable = e.getMessage();
      }
    }
    return PeerProcesses.availableOrSkip(instance, "Rust interop peers", unavailable, warned);
  }

  private static RustPeers build() throws PeerProcesses.ToolMissing {
    Path crate = PeerProcesses.findInteropDir().resolve("rust");
    PeerProcesses.requireTool("cargo (package cargo)", "cargo", "--version");
    List<String> missing = new ArrayList<>();
    for (String[] c : CRATES) {
      if (!hasCrate(c[0])) {
        missing.add(c[0] + "* (package " + c[1] + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new PeerProcesses.ToolMissing("crate sources missing in " + REGISTRY + ": "
          + String.join(", ", missing));
    }
    // In the crate's directory, so that its .cargo/config.toml (crates-io -> REGISTRY) applies.
    PeerProcesses.Finished cargo = PeerProcesses.run(
        List.of("cargo", "build", "--offline", "--release", "--quiet"), crate,
        BUILD_TIMEOUT_SECONDS);
    if (cargo.exitCode() != 0) {
      // The tools are there, so this is a real failure, never a skip.
      throw new IllegalStateException("building the Rust interop peers failed (cargo build in "
          + crate + ", exit " + cargo.exitCode() + "):\n" + cargo.output());
    }
    return new RustPeers(crate.resolve("target/release"));
  }

  private static boolean hasCrate(String prefix) {
    Path registry = Path.of(REGISTRY);
    if (!Files.isDirectory(registry)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(registry)) {
      return entries.map(p -> p.getFileName().toString()).anyMatch(name ->
          name.startsWith(prefix) && name.length() > prefix.length()
              && Character.isDigit(name.charAt(prefix.length())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scenario names interop-rust-client knows, in its order. */
  List<String> scenarios() {
    return PeerProcesses.scenarios(binary("interop-rust-client"));
  }

  /** Starts interop-rust-server on a free loopback port. */
  PeerProcesses.Server startServer() {
    return PeerProcesses.startServer(binary("interop-rust-server"));
  }

  /**
   * Runs interop-rust-client against {@code 127.0.0.1:port} with the given scenarios (none: all)
   * and waits for it to end.
   */
  PeerProcesses.ClientRun runClient(int port, String... scenarios) {
    return PeerProcesses.runClient(binary("interop-rust-client"), port, scenarios);
  }

  private String binary(String name) {
    return binDir.resolve(name).toString();
  }
}
