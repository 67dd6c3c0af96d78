package dev.capnp.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A vat's loop yields after a turn that answered a peer over TCP ({@link AnswerYield}), not
 * after replies on a Unix-domain socket, not after replies the peer will not finish, not after
 * messages that are not replies, and not at
 * all with {@code -Dcapnp.net.yieldAfterReply=false} (in a forked JVM, since the property is
 * read once).
 */
class AnswerYieldLoopTest {
  @Test
  void repliesOverTcpAreFollowedByYields() throws Exception {
    // (on a loaded machine a long yield backs off: at least the first one happens)
    assertThat(AnswerYieldProbe.exchange(true, true, 20)).isPositive();
  }

  @Test
  void repliesThePeerWillNotFinishAreNot() throws Exception {
    // (a Return that said noFinishNeeded to a peer that honours it: no Finish to wait for)
    assertThat(AnswerYieldProbe.counts(true, true, false, 20)[0]).isZero();
  }

  @Test
  void repliesOverAUnixSocketAreNot() throws Exception {
    assertThat(AnswerYieldProbe.exchange(false, true, 20)).isZero();
  }

  @Test
  void messagesThatAreNotRepliesAreNot() throws Exception {
    assertThat(AnswerYieldProbe.exchange(true, false, 20)).isZero();
  }

  @Test
  void thePropertyTurnsItOffAndItIsOnByDefault() throws Exception {
    assertThat(forked("-Dcapnp.net.yieldAfterReply=false")).isEqualTo("yields=0");
    assertThat(forked(null)).matches("yields=[1-9][0-9]*");
  }

  /**
   * Runs {@link AnswerYieldProbe} in a new JVM with {@code options} (none if {@code null}) and
   * {@code args}; returns the last line it printed.
   */
  static String forked(String options, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    if (options != null) {
      cmd.addAll(List.of(options.split(" ")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AnswerYieldProbe.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread pump = new Thread(() -> {
      try {
        p.getInputStream().transferTo(out);
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    pump.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the probe did not finish: " + out);
    }
    pump.join(5000);
    String text = out.toString(StandardCharsets.UTF_8).trim();
    assertThat(p.exitValue()).as(text).isZero();
    String[] lines = text.split("\n");
    return lines[lines.length - 1].trim();
  }
}
