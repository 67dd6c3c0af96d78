package dev.capnp.bench.rpc;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark's server in a child JVM, started with this JVM's options and class path; it
 * prints {@code ADDRESS <address>} and serves until its standard input closes.
 */
final class ServerChild {
  private ServerChild() {}

  /** Starts {@code main} with {@code args} in a child JVM (its stderr goes to ours). */
  static Process spawn(Class<?> main, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The address the child prints on its {@code ADDRESS} line. */
  static String readAddress(Process child) throws Exception {
    BufferedReader r = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("ADDRESS ")) {
        return line.substring("ADDRESS ".length());
      }
    }
    throw new IllegalStateException("server child exited without printing its address");
  }
}
