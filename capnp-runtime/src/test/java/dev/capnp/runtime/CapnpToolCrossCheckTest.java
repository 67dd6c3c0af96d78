package dev.capnp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks our encoding against the reference {@code capnp} tool (skipped if not installed). */
class CapnpToolCrossCheckTest {
  static final String VALUE = "(a = 5, b = true, c = \"hi\", d = [1, -2], e = (a = 7, h = 0),"
      + " f = [(a = 1), (a = 2, c = \"x\")], g = 1.5, h = 99, i = [true, false, true],"
      + " j = \"\\x01\\x02\\xff\")";

  @TempDir
  static Path dir;
  static Path schema;

  @BeforeAll
  static void writeSchema() throws IOException {
    schema = dir.resolve("t.capnp");
    Files.writeString(schema, T.SCHEMA);
  }

  private static byte[] capnp(byte[] input, String... args) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/capnp")), "capnp tool not installed");
    String[] cmd = new String[args.length + 1];
    cmd[0] = "capnp";
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("PWD", dir.toString());
    Process p = pb.start();
    try (OutputStream os = p.getOutputStream()) {
      os.write(input);
    }
    byte[] out;
    try (InputStream is = p.getInputStream()) {
      out = is.readAllBytes();
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("capnp %s", String.join(" ", args)).isZero();
    return out;
  }

  private static MessageBuilder build(int firstSegmentWords) {
    MessageBuilder mb = new MessageBuilder(firstSegmentWords);
    T.Builder t = mb.initRoot(T.FACTORY);
    t.setA(5).setB(true).setC("hi").setG(1.5).setH(99);
    PrimitiveList.Short.Builder d = t.initD(2);
    d.set(0, (short) 1);
    d.set(1, (short) -2);
    t.initE().setA(7).setH(0);
    StructList.Builder<T.Builder> f = t.initF(2);
    f.get(0).setA(1);
    f.get(1).setA(2).setC("x");
    PrimitiveList.Boolean.Builder i = t.initI(3);
    i.set(0, true);
    i.set(2, true);
    t.setJ(new byte[] {1, 2, (byte) 0xff});
    return mb;
  }

  private static void checkValue(T.Reader r) {
    assertThat(r.getA()).isEqualTo(5);
    assertThat(r.getB()).isTrue();
    assertThat(r.getC().toString()).isEqualTo("hi");
    assertThat(r.getD().toArray()).containsExactly((short) 1, (short) -2);
    assertThat(r.getE().getA()).isEqualTo(7);
    assertThat(r.getE().getH()).isZero();
    assertThat(r.getF().get(1).getC().toString()).isEqualTo("x");
    assertThat(r.getG()).isEqualTo(1.5);
    assertThat(r.getH()).isEqualTo(99);
    assertThat(r.getI().toArray()).containsExactly(true, false, true);
    assertThat(r.getJ().toArray()).containsExactly(1, 2, 0xff);
  }

  @Test
  void canonicalFormMatchesTheReferenceTool() throws Exception {
    byte[] expected = capnp(VALUE.getBytes(StandardCharsets.UTF_8),
        "convert", "text:canonical", "t.capnp", "T");
    assertThat(Canonical.canonicalize(build(1).getRoot(T.FACTORY).asReader()))
        .isEqualTo(expected);
  }

  @Test
  void weReadWhatTheToolWrites() throws Exception {
    byte[] binary = capnp(VALUE.getBytes(StandardCharsets.UTF_8),
        "convert", "text:binary", "t.capnp", "T");
    checkValue(Serialize.read(ByteBuffer.wrap(binary)).getRoot(T.FACTORY));
    byte[] packed = capnp(VALUE.getBytes(StandardCharsets.UTF_8),
        "convert", "text:packed", "t.capnp", "T");
    checkValue(SerializePacked.read(ByteBuffer.wrap(packed)).getRoot(T.FACTORY));
    assertThat(SerializePacked.pack(binary)).isEqualTo(packed);
  }

  @Test
  void theToolReadsWhatWeWrite() throws Exception {
    byte[] expected = capnp(VALUE.getBytes(StandardCharsets.UTF_8),
        "convert", "text:canonical", "t.capnp", "T");
    for (int first : new int[] {1, 2, 7, 1024}) {
      MessageBuilder mb = build(first);
      assertThat(capnp(Serialize.toBytes(mb), "convert", "binary:canonical", "t.capnp", "T"))
          .isEqualTo(expected);
      assertThat(capnp(SerializePacked.toBytes(mb), "convert", "packed:canonical", "t.capnp",
          "T")).isEqualTo(expected);
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    text.write(capnp(Serialize.toBytes(build(1)), "decode", "t.capnp", "T"));
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("c = \"hi\"").contains("h = 99");
  }
}
