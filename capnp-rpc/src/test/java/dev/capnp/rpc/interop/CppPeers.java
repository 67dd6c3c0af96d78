package dev.capnp.rpc.interop;

import java.nio.file.Path;
import java.util.List;

/**
 * The C++ interop peers of {@code interop/} (built with {@code make} against the system's
 * libcapnp-dev on first use): starts {@code interop-server} and runs {@code interop-client}.
 *
 * <p>Without g++, make, pkg-config or libcapnp-dev the tests using this class are skipped with a
 * message saying what is missing — unless the environment variable
 * {@code CAPNP_INTEROP_REQUIRED=1} is set (as CI does), in which case they fail.
 */
final class CppPeers {
  private static final long BUILD_TIMEOUT_SECONDS = 600;

  private static CppPeers instance;
  private static String unavailable;
  private static final boolean[] warned = new boolean[1];

  private final Path buildDir;

  private CppPeers(Path buildDir) {
    this.buildDir = buildDir;
  }

  /** The built peers; skips (or, in CI, fails) the calling test when they cannot be built. */
  static synchronized CppPeers get() {
    if (instance == null && unavailable == null) {
      try {
        instance = build();
      } catch (PeerProcesses.ToolMissing e) {
        unavailable = e.getMessage();
      }
    }
    return PeerProcesses.availableOrSkip(instance, "C++ interop peers", unavailable, warned);
  }

  private static CppPeers build() throws PeerProcesses.ToolMissing {
    Path interop = PeerProcesses.findInteropDir();
    PeerProcesses.requireTool("g++ (package g++)", "g++", "--version");
    PeerProcesses.requireTool("make (package make)", "make", "--version");
    PeerProcesses.requireTool("pkg-config (package pkg-config)", "pkg-config", "--version");
    PeerProcesses.requireTool("capnp (package capnproto)", "capnp", "--version");
    PeerProcesses.requireTool("pkg-config capnp-rpc (package libcapnp-dev)",
        "pkg-config", "--exists", "capnp-rpc");
    PeerProcesses.Finished make = PeerProcesses.run(
        List.of("make", "-s", "-C", interop.toString()), BUILD_TIMEOUT_SECONDS);
    if (make.exitCode() != 0) {
      // The tools are there, so this is a real failure, never a skip.
      throw new IllegalStateException("building the C++ interop peers failed (make -C " + interop
          + ", exit " + make.exitCode() + "):\n" + make.output());
    }
    return new CppPeers(interop.resolve("build"));
  }

  /** The scenario names interop-client knows, in its order. */
  List<String> scenarios() {
    return PeerProcesses.scenarios(binary("interop-client"));
  }

  /** Starts interop-server on a free loopback port. */
  PeerProcesses.Server startServer() {
    return PeerProcesses.startServer(binary("interop-server"));
  }

  /**
   * Runs interop-client against {@code 127.0.0.1:port} with the given scenarios (none: all) and
   * waits for it to end.
   */
  PeerProcesses.ClientRun runClient(int port, String... scenarios) {
    return PeerProcesses.runClient(binary("interop-client"), port, scenarios);
  }

  private String binary(String name) {
    return buildDir.resolve(name).toString();
  }
}
