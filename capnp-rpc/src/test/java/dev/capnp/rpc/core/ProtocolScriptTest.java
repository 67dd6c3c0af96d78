package dev.capnp.rpc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.MessageBuilder;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Message-level protocol tests written as plain-text scripts ({@code
 * src/test/resources/protocol-scripts/*.rpc}): a raw peer feeds {@code rpc.capnp} messages to
 * one connection and the script asserts, in order, each message the connection sends back.
 *
 * <p>The language, one line per message or action ({@code #} followed by a space starts a
 * comment; a string ending in {@code ..."} in an expectation matches by prefix):
 *
 * <pre>
 * object NAME [echo | hold | fails "reason" | gives CAP | tailcalls]
 *                       a local test object of the vat (records each call's text; echo answers
 *                       ("got:TEXT" #caps..), hold keeps calls open until "local NAME answers",
 *                       gives answers ("got:TEXT" #0) with CAP, tailcalls tail-calls the
 *                       capability at params pointer 1 with the same text)
 * vat limits maxAnswers=N maxImports=N maxExports=N maxCapTableEntries=N maxBytesInFlight=N
 * vat serves NAME | nothing          starts the connection with NAME as its bootstrap
 * vat disconnects "reason"           RpcConnection.disconnect
 * peer&gt; MESSAGE                      the peer sends MESSAGE (see {@link ProtocolScriptFormat})
 * vat&gt;  MESSAGE                      the vat's next message is MESSAGE
 * local VAR = bootstrap | promise | broken "reason" | call CAP "text" [CAP..] | CALL.N
 * local PROMISE resolves to CAP | local PROMISE breaks "reason"
 * local VAR drop                     closes a capability, cancels (or closes) a call
 * local OBJECT got "text"            the object's next call (in arrival order) had this text
 * local OBJECT answers | local OBJECT fails "reason"     ends the oldest held call
 * expect no more messages | expect tables empty | expect tables questions=N answers=N
 *     imports=N exports=N embargoes=N | expect invariants | expect connected
 * expect aborted "reason prefix"     the connection is disconnected with that reason
 * expect CAP broken "prefix" | expect OBJECT released | expect OBJECT alive
 * expect OBJECT canceled             the oldest call OBJECT holds was canceled by its caller
 * expect CALL pending | expect CALL returned "text" | expect CALL failed "prefix"
 * expect no leaks                    (last line) drop everything, close: no reference is left
 * </pre>
 *
 * <p>At the end of every script the vat must have sent nothing unexpected, every call an
 * object received must have been named by a {@code got} line, and {@code expect no leaks}
 * holds (it is run if the script did not end with it).
 */
class ProtocolScriptTest {
  static final String FOLDER = "protocol-scripts";

  static Path folder() throws URISyntaxException {
    URL url = ProtocolScriptTest.class.getClassLoader().getResource(FOLDER);
    assertThat(url).as("test resource folder " + FOLDER).isNotNull();
    return Path.of(url.toURI());
  }

  @TestFactory
  Stream<DynamicTest> scripts() throws IOException, URISyntaxException {
    List<Path> files;
    try (Stream<Path> s = Files.list(folder())) {
      files = s.filter(p -> p.toString().endsWith(".rpc")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
        f.toUri(), () -> new ProtocolScriptRunner(f.getFileName().toString())
            .run(Files.readString(f, StandardCharsets.UTF_8))));
  }

  /** Every script begins with a comment naming the protocol rule it checks. */
  @Test
  void everyScriptSaysWhatItChecks() throws IOException, URISyntaxException {
    try (Stream<Path> s = Files.list(folder())) {
      s.filter(p -> p.toString().endsWith(".rpc")).forEach(p -> {
        try {
          assertThat(Files.readString(p)).as(p.toString()).startsWith("# ");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
  }

  static final String CONNECTION = String.join("\n",
      "object svc",
      "vat serves svc",
      "peer> bootstrap q0",
      "vat>  return a0 results #0 caps=[senderHosted=e0]",
      "peer> finish q0",
      "peer> call q1 importedCap=e0 (\"hi\")",
      "local svc got \"hi\"",
      "vat>  return a1 results (\"got:hi\") noFinishNeeded",
      "peer> finish q1 releaseResultCaps",
      "peer> release e0 x1",
      "expect tables empty");

  @Test
  void aPassingScriptPasses() {
    new ProtocolScriptRunner("connection").run(CONNECTION);
  }

  /** A wrong message expectation fails, naming both lines and showing the transcript. */
  @Test
  void aWrongExpectationFails() {
    String wrong = CONNECTION.replace("(\"got:hi\")", "(\"got:ho\")");
    assertThatThrownBy(() -> new ProtocolScriptRunner("wrong").run(wrong))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("wrong:8: the vat's next message differs")
        .hasMessageContaining("expected: return a1 results (\"got:ho\")")
        .hasMessageContaining("actual:   return a1 results (\"got:hi\")")
        .hasMessageContaining("vat sent: return a0 results #0 caps=[senderHosted=e0]");
  }

  /** Messages the script does not mention, and unmentioned calls, fail too. */
  @Test
  void unexpectedMessagesAndCallsFail() {
    String noReturn = CONNECTION.replace(
        "vat>  return a1 results (\"got:hi\") noFinishNeeded\n", "");
    assertThatThrownBy(() -> new ProtocolScriptRunner("x").run(noReturn))
        .hasMessageContaining("the vat sent messages the script does not expect")
        .hasMessageContaining("return a1 results (\"got:hi\")");
    String noGot = CONNECTION.replace("local svc got \"hi\"\n", "");
    assertThatThrownBy(() -> new ProtocolScriptRunner("x").run(noGot))
        .hasMessageContaining("svc received calls the script does not expect: [hi]");
    String notEmpty = CONNECTION.replace("peer> release e0 x1\n", "");
    assertThatThrownBy(() -> new ProtocolScriptRunner("x").run(notEmpty))
        .hasMessageContaining("x:10: tables not empty");
    assertThatThrownBy(() -> new ProtocolScriptRunner("x").run(CONNECTION + "\nvat> finish q0"))
        .hasMessageContaining("the vat sent no further message");
    assertThatThrownBy(() -> new ProtocolScriptRunner("x").run("peer> bootstrap 0"))
        .hasMessageContaining("x:1: cannot read this line: expected an id qN, found '0'");
  }

  /** Canonical lines survive build-then-summarize unchanged; shorthands become canonical. */
  @Test
  void summaryAndParserRoundTrip() {
    List<String> canonical = List.of(
        "bootstrap q0",
        "call q1 importedCap=e0 (\"hi\" #0 _ #1) caps=[senderHosted=e5, senderPromise=e6]",
        "call q2 promisedAnswer=q1.1.noop interface=0x1234 method=3 sendResultsTo=yourself"
            + " allowThirdPartyTailCall ()",
        "call q3 promisedAnswer=q0",
        "return a0 results #0 caps=[senderHosted=e0]",
        "return a1 results (_ #0) caps=[receiverHosted=e2, receiverAnswer=q4.1,"
            + " thirdPartyHosted=e9, none] releaseParamCaps",
        "return a2 exception \"it \\\"failed\\\" \\\\ badly\"",
        "return a3 exception disconnected \"gone\"",
        "return a4 canceled releaseParamCaps",
        "return a5 resultsSentElsewhere",
        "return a6 takeFromOtherQuestion=q7",
        "finish q1",
        "finish q2 releaseResultCaps",
        "resolve e3 senderHosted=e4",
        "resolve e3 receiverAnswer=q2.0",
        "resolve e3 exception overloaded \"busy\"",
        "release e3 x2",
        "disembargo importedCap=e1 senderLoopback=d0",
        "disembargo promisedAnswer=q1.2 receiverLoopback=d7",
        "disembargo importedCap=e1 accept",
        "disembargo importedCap=e1 accept=0a0b",
        "abort \"bye\"",
        "abort unimplemented \"no\"",
        "unimplemented resolve e1 senderHosted=e2",
        "unimplemented unimplemented bootstrap q0");
    for (String line : canonical) {
      assertThat(roundTrip(line)).as(line).isEqualTo(line);
    }
    assertThat(roundTrip("call q1   importedCap=e0 sendResultsTo=caller  ( \"a\" _ )"))
        .isEqualTo("call q1 importedCap=e0 (\"a\")");
    assertThatThrownBy(() -> roundTrip("release e1")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> roundTrip("finish q1 extra")).hasMessageContaining("extra");
  }

  @Test
  void prefixPatternsAndComments() {
    assertThat(ProtocolScriptFormat.matches("abort \"RPC limit...\"", "abort \"RPC limit x\""))
        .isTrue();
    assertThat(ProtocolScriptFormat.matches("abort \"RPC limit...\"", "abort \"RPC lim\""))
        .isFalse();
    assertThat(ProtocolScriptFormat.matches("abort \"x\"", "abort \"x \"")).isFalse();
    assertThat(ProtocolScriptRunner.stripComment("vat> return a0 results #0 # the cap"))
        .isEqualTo("vat> return a0 results #0 ");
    assertThat(ProtocolScriptRunner.stripComment("peer> abort \"a # b\" #")).isEqualTo(
        "peer> abort \"a # b\" ");
  }

  static String roundTrip(String line) {
    MessageBuilder mb = new MessageBuilder();
    ProtocolScriptFormat.build(line, mb.initRoot(Rpc.Message.FACTORY));
    return ProtocolScriptFormat.summarize(mb.getRoot(Rpc.Message.FACTORY).asReader());
  }
}
