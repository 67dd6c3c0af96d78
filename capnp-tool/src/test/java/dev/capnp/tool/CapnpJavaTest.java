package dev.capnp.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Runs {@code capnp-java decode/encode} in-process and compares with the real {@code capnp}. */
class CapnpJavaTest {
  private static final String SHAPES = "(name = \"tri\", kind = polygon, sides = 3, "
      + "points = [(x = 0, y = 0), (x = 1, y = 0), (x = 0.5, y = 0.866)], tags = [\"a\", \"b\"], "
      + "style = (color = 16711680, dashed = true))\n"
      + "(name = \"circle with a long name\", radius = 2.5, payload = 0x\"00 ff\")\n"
      + "()\n";

  private record Result(int status, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  private static Path resource(String name) {
    try {
      return Path.of(CapnpJavaTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String schema() {
    return resource("tooltest.capnp").toString();
  }

  private static String importDir() {
    return resource("imports").toString();
  }

  private static Result tool(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CapnpJava.run(args, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static byte[] capnp(byte[] stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("capnp"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      }
      assertThat(p.waitFor()).as("capnp %s: %s", command, err.join()).isZero();
      return out.join();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void schemasImportingJavaAnnotationsNeedNoImportPath() {
    String annotated = resource("annotated.capnp").toString();
    Result encoded = tool(utf8("(x = 3, y = -4)"), "encode", annotated, "Point");
    assertThat(encoded.status()).as(encoded.err()).isZero();
    Result decoded = tool(encoded.out(), "decode", annotated, "Point");
    assertThat(decoded.status()).as(decoded.err()).isZero();
    assertThat(decoded.text()).isEqualTo("(x = 3, y = -4)\n");
  }

  @Test
  void decodeMatchesCapnpByteForByte() {
    byte[] messages = capnp(utf8(SHAPES), "encode", "-I" + importDir(), schema(), "Shape");
    byte[] expected = capnp(messages, "decode", "-I" + importDir(), schema(), "Shape");
    Result r = tool(messages, "decode", "-I", importDir(), schema(), "Shape");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.text()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void decodePackedAndShort() {
    byte[] messages = capnp(utf8(SHAPES), "encode", "--packed", "-I" + importDir(), schema(), "Shape");
    byte[] expected = capnp(messages, "decode", "--packed", "--short", "-I" + importDir(), schema(),
        "Shape");
    Result r = tool(messages, "decode", "--packed", "--short", "-I", importDir(), schema(), "Shape");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.text()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void decodeFlat() {
    String text = "(name = \"flat\", sides = 5, tags = [\"x\"])";
    String expected = "(name = \"flat\", kind = circle, tags = [\"x\"], sides = 5)\n";
    byte[] flat = capnp(utf8(text), "convert", "text:flat", "-I" + importDir(), schema(), "Shape");
    Result r = tool(flat, "decode", "--flat", "-I", importDir(), schema(), "Shape");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.text()).isEqualTo(expected);
    byte[] flatPacked = capnp(utf8(text), "convert", "text:flat-packed", "-I" + importDir(),
        schema(), "Shape");
    Result packed = tool(flatPacked, "decode", "--flat", "--packed", "-I", importDir(), schema(),
        "Shape");
    assertThat(packed.status()).as(packed.err()).isZero();
    assertThat(packed.text()).isEqualTo(expected);
  }

  @Test
  void genericRootType() {
    String type = "Wrapper(List(Shape.Style))";
    byte[] message = capnp(utf8("(item = [(color = 1, dashed = true)])"), "encode", "-I" + importDir(),
        schema(), type);
    Result r = tool(message, "decode", "-I", importDir(), schema(), type);
    assertThat(r.status()).as(r.err()).isZero();
    String expected = new String(capnp(message, "decode", "-I" + importDir(), schema(), type),
        StandardCharsets.UTF_8);
    assertThat(expected).isEqualTo("( item = [\n    (color = 1, dashed = true) ] )\n");
    assertThat(r.text()).isEqualTo(expected);
    Result encoded = tool(utf8("(item = [(color = 1, dashed = true)])"), "encode", "-I", importDir(),
        schema(), type);
    assertThat(encoded.status()).as(encoded.err()).isZero();
    assertThat(new String(capnp(encoded.out(), "decode", "-I" + importDir(), schema(), type),
        StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void encodeFlat() {
    String text = "(name = \"flat\", sides = 5, tags = [\"x\"], points = [(x = 1, y = 2)])";
    byte[] reference = capnp(utf8(text), "convert", "text:flat", "-I" + importDir(), schema(),
        "Shape");
    String expected = new String(capnp(reference, "decode", "--flat", "-I" + importDir(),
        schema(), "Shape"), StandardCharsets.UTF_8);
    Result r = tool(utf8(text), "encode", "--flat", "-I", importDir(), schema(), "Shape");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(new String(capnp(r.out(), "decode", "--flat", "-I" + importDir(), schema(),
        "Shape"), StandardCharsets.UTF_8)).isEqualTo(expected);
    Result packed = tool(utf8(text), "encode", "--flat", "--packed", "-I", importDir(), schema(),
        "Shape");
    assertThat(new String(capnp(packed.out(), "decode", "--flat", "--packed", "-I" + importDir(),
        schema(), "Shape"), StandardCharsets.UTF_8)).isEqualTo(expected);
    Result two = tool(utf8(text + text), "encode", "--flat", "-I", importDir(), schema(), "Shape");
    assertThat(two.status()).isEqualTo(1);
    assertThat(two.err()).contains("--flat expects exactly one message");
  }

  @Test
  void rootTypesNamedThroughUsingAliases() {
    String aliases = resource("aliases.capnp").toString();
    String[][] cases = {
        {"PointAlias", "(x = 1.5, y = -2)"},
        {"StyleAlias", "(color = 7, dashed = true)"},
        {"Tool.Shape", "(name = \"via file alias\", sides = 4)"},
        {"WrappedText", "(item = \"boxed\")"},
        {"H", "(value = 42)"},
        {"Holder.Inner", "(value = -1)"},
        {"Tool.Wrapper(PointAlias)", "(item = (x = 3, y = 4))"}};
    for (String[] c : cases) {
      String type = c[0];
      byte[] reference = capnp(utf8(c[1]), "encode", "-I" + importDir(), aliases, type);
      String expected = new String(capnp(reference, "decode", "-I" + importDir(), aliases, type),
          StandardCharsets.UTF_8);
      Result decoded = tool(reference, "decode", "-I", importDir(), aliases, type);
      assertThat(decoded.status()).as("decode %s: %s", type, decoded.err()).isZero();
      assertThat(decoded.text()).as(type).isEqualTo(expected);
      Result encoded = tool(utf8(c[1]), "encode", "-I", importDir(), aliases, type);
      assertThat(encoded.status()).as("encode %s: %s", type, encoded.err()).isZero();
      assertThat(encoded.out()).as(type).isEqualTo(reference);
    }
    Result unknown = tool(new byte[0], "decode", "-I", importDir(), aliases, "Nowhere");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err()).contains("no type named 'Nowhere'");
    Result notStruct = tool(new byte[0], "decode", "-I", importDir(), aliases, "Tool.Kind");
    assertThat(notStruct.status()).isEqualTo(1);
    assertThat(notStruct.err()).contains("not a struct");
  }

  @Test
  void decodeNestedType() {
    byte[] message = capnp(utf8("(color = 7, dashed = true)"), "encode", "-I" + importDir(),
        schema(), "Shape.Style");
    Result r = tool(message, "decode", "-I", importDir(), schema(), "Shape.Style");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.text()).isEqualTo("(color = 7, dashed = true)\n");
  }

  @Test
  void encodeRoundTripsThroughCapnpDecode() {
    for (boolean packed : new boolean[] {false, true}) {
      List<String> args = new ArrayList<>(List.of("encode"));
      if (packed) {
        args.add("--packed");
      }
      args.addAll(List.of("-I", importDir(), schema(), "Shape"));
      Result r = tool(utf8(SHAPES), args.toArray(new String[0]));
      assertThat(r.status()).as(r.err()).isZero();
      byte[] reference = capnp(utf8(SHAPES), packed ? new String[] {"encode", "--packed",
          "-I" + importDir(), schema(), "Shape"} : new String[] {"encode", "-I" + importDir(),
          schema(), "Shape"});
      String[] decode = packed ? new String[] {"decode", "--packed", "-I" + importDir(), schema(),
          "Shape"} : new String[] {"decode", "-I" + importDir(), schema(), "Shape"};
      assertThat(new String(capnp(r.out(), decode), StandardCharsets.UTF_8))
          .isEqualTo(new String(capnp(reference, decode), StandardCharsets.UTF_8));
    }
  }

  @Test
  void badTextGivesOneLineErrorWithPosition() {
    Result r = tool(utf8("(name = 5)"), "encode", "-I", importDir(), schema(), "Shape");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(
        "capnp-java: error: line 1, column 9-9: Type mismatch; expected Text.\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badBinaryInputFailsCleanly() {
    Result r = tool(new byte[] {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0}, "decode", "-I",
        importDir(), schema(), "Shape");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("capnp-java: error: ").doesNotContain("\tat ");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  @Test
  void encodeOfEmptyAndCommentOnlyInput() {
    Result empty = tool(new byte[0], "encode", "-I", importDir(), schema(), "Shape");
    assertThat(empty.status()).isZero();
    assertThat(empty.out()).isEmpty();
    Result comment = tool(utf8("# nothing here\n"), "encode", "-I", importDir(), schema(), "Shape");
    assertThat(comment.status()).isEqualTo(1);
    assertThat(comment.err()).contains("no message in input");
  }

  @Test
  void pointerCycleEndsInAnErrorNotAHang() {
    // Root struct whose only pointer points back at itself (capnp decode segfaults on this).
    byte[] cycle = {0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
        (byte) 0xfc, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 1, 0};
    Result r = tool(cycle, "decode", "-I", importDir(), schema(), "Chain");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("capnp-java: error: nesting limit exceeded");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void evalMatchesCapnpEval() {
    String evalSchema = resource("evaltest.capnp").toString();
    for (String name : new String[] {"f", "d", "t", "s", "l", "e", "v", "u", "dat", "ls", "s.l",
        "s.l[1]", "s.inner", "s.inner.t", "S.a", "S.f", "ls[1]", "ls[1].a"}) {
      for (boolean oneLine : new boolean[] {false, true}) {
        String[] args = oneLine ? new String[] {"eval", "--short", evalSchema, name}
            : new String[] {"eval", evalSchema, name};
        Result r = tool(new byte[0], args);
        assertThat(r.status()).as(name + ": " + r.err()).isZero();
        assertThat(r.text()).as(name)
            .isEqualTo(new String(capnp(new byte[0], args), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void evalErrorsMatchCapnpEval() {
    String evalSchema = resource("evaltest.capnp").toString();
    String[][] cases = {{"S", "'S' cannot be evaluated."}, {"nope", "'nope' is not defined."},
        {"s.zz", "'s' has no member 'zz'."}, {"s.l[5]", "'l[5]' is out-of-bounds."},
        {"e.x", "'e' is not a struct."}, {"s.a[0]", "'a' is not a list."}};
    for (String[] c : cases) {
      Result r = tool(new byte[0], "eval", evalSchema, c[0]);
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("capnp-java: error: " + c[1] + "\n");
    }
  }

  @Test
  void evalFollowsUsingAliasesLikeCapnpEval() {
    String aliases = resource("evalaliases.capnp").toString();
    for (String name : new String[] {"T.a", "T.l", "c", "c.inner.t", "cc.l[2]", "first",
        "first[1].a", "Point.x", "Box.Inner.a", "Box.k", "Box.Deeper.up.a",
        "Box.Deeper.ViaShadow.a", "Box.inner", "Ev.d", "Ev.ls[1].a", "local.inner.t",
        "localAlias.a"}) {
      for (boolean oneLine : new boolean[] {false, true}) {
        String[] args = oneLine ? new String[] {"eval", "--short", "-I" + importDir(), aliases, name}
            : new String[] {"eval", "-I" + importDir(), aliases, name};
        Result r = tool(new byte[0], args);
        assertThat(r.status()).as(name + ": " + r.err()).isZero();
        assertThat(r.text()).as(name)
            .isEqualTo(new String(capnp(new byte[0], args), StandardCharsets.UTF_8));
      }
    }
    String[][] errors = {{"Box.nope", "'Box' has no member 'nope'."},
        {"Point.z", "'Point' has no member 'z'."}, {"first[5]", "'first[5]' is out-of-bounds."},
        {"Shared.Point", "'Point' cannot be evaluated."}, {"Ev.nope", "'nope' is not defined."}};
    for (String[] e : errors) {
      Result r = tool(new byte[0], "eval", "-I", importDir(), aliases, e[0]);
      assertThat(r.status()).as(e[0]).isEqualTo(1);
      assertThat(r.err()).as(e[0]).isEqualTo("capnp-java: error: " + e[1] + "\n");
    }
  }

  @Test
  void usingDeclarationsAreFoundByScope() {
    UsingDeclarations d = UsingDeclarations.parse("""
        @0xf024b0e117ae25e2;
        using A = import "a.capnp".B;  # comment with using x = y;
        struct S(T) $ann("{ using fake = s; }") {
          using C = A(Text);
          g :group { using inGroup = s; }
          interface I { using d = .x; m @0 () -> (); }
        }
        """);
    assertThat(d.get("", "A")).containsExactly("import", "\"a.capnp\"", ".", "B");
    assertThat(d.get("S", "C")).containsExactly("A", "(", "Text", ")");
    assertThat(d.get("S.I", "d")).containsExactly(".", "x");
    assertThat(d.get("", "x")).isNull();
    assertThat(d.get("S", "fake")).isNull();
    assertThat(d.get("S", "inGroup")).isNull();
  }

  @Test
  void verbosePrintsStackTrace() {
    Result r = tool(utf8("(nope = 1)"), "encode", "--verbose", "-I", importDir(), schema(), "Shape");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("\tat ").contains("Struct has no field named 'nope'");
  }

  @Test
  void unknownTypeAndMissingFile() {
    Result r = tool(new byte[0], "decode", "-I", importDir(), schema(), "Nope");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("capnp-java: error: no type named 'Nope' in ")
        .endsWith("tooltest.capnp\n");
    Result kind = tool(new byte[0], "decode", "-I", importDir(), schema(), "Kind");
    assertThat(kind.err()).contains("'Kind' is not a struct type");
    Result missing = tool(new byte[0], "decode", "/no/such/file.capnp", "Shape");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("no such schema file: /no/such/file.capnp");
  }

  @Test
  void missingCapnpSaysHowToInstall() {
    String old = System.getProperty("capnp.executable");
    System.setProperty("capnp.executable", "/nonexistent/capnp");
    try {
      Result r = tool(new byte[0], "decode", schema(), "Shape");
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).contains("apt-get install capnproto");
      assertThat(r.err().strip().lines().count()).isEqualTo(1);
    } finally {
      if (old == null) {
        System.clearProperty("capnp.executable");
      } else {
        System.setProperty("capnp.executable", old);
      }
    }
  }

  @Test
  void usageErrorsAndHelp() {
    Result help = tool(new byte[0], "--help");
    assertThat(help.status()).isZero();
    assertThat(help.text()).contains("decode").contains("encode");
    Result decodeHelp = tool(new byte[0], "decode", "--help");
    assertThat(decodeHelp.text()).contains("--packed").contains("--flat").contains("-I");
    Result noCommand = tool(new byte[0]);
    assertThat(noCommand.status()).isEqualTo(2);
    assertThat(noCommand.err()).startsWith("Missing command: use 'decode', 'encode' or 'eval'");
    Result missingArgs = tool(new byte[0], "decode");
    assertThat(missingArgs.status()).isEqualTo(2);
    assertThat(missingArgs.err()).contains("Missing required parameter");
  }
}
