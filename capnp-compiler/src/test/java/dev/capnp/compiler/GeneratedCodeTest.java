package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generates Java for src/test/capnp/test.capnp and imported.capnp into target/, compiles it with
 * {@code -Xlint:all -Werror} together with src/test/driver (which uses the generated API with
 * its intended static types), runs the driver and checks its messages with {@code capnp decode}.
 */
class GeneratedCodeTest {
  private static final Path OUT = Path.of("target/generated-test-code").toAbsolutePath();
  private static URLClassLoader loader;
  private static boolean textFormat;
  private static Class<?> driver;

  @BeforeAll
  static void generateAndCompile() throws IOException, ReflectiveOperationException {
    TestSchemas.assumeCapnp();
    deleteRecursively(OUT);
    Path src = OUT.resolve("src");
    Path classes = OUT.resolve("classes");
    Files.createDirectories(classes);
    byte[] request = TestSchemas.compile("test.capnp", "imported.capnp");
    // toString() needs dev.capnp.dynamic.TextFormat; generate it only once that class exists.
    textFormat = classExists("dev.capnp.dynamic.TextFormat");
    List<Path> written = new JavaGenerator(JavaGenerator.Options.defaults()
        .withToString(textFormat)).generate(new java.io.ByteArrayInputStream(request), src);
    assertThat(written).hasSize(2);

    List<File> sources = new ArrayList<>();
    for (Path p : written) {
      sources.add(p.toFile());
    }
    try (Stream<Path> s = Files.walk(Path.of("src/test/driver"))) {
      s.filter(p -> p.toString().endsWith(".java")).forEach(p -> sources.add(p.toFile()));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null,
        StandardCharsets.UTF_8)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromFiles(sources);
      List<String> options = List.of("-Xlint:all", "-Werror", "--release", "17",
          "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
      boolean ok = javac.getTask(diagnostics, files, null, options, null, units).call();
      assertThat(ok).as("javac -Xlint:all -Werror on generated code:\n%s", diagnostics).isTrue();
    }
    assertThat(diagnostics.toString()).isEmpty();
    loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        GeneratedCodeTest.class.getClassLoader());
    driver = loader.loadClass("dev.capnp.compiler.test.Driver");
  }

  @AfterAll
  static void close() throws IOException {
    if (loader != null) {
      loader.close();
    }
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, GeneratedCodeTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Object call(String method, Object... args) throws Throwable {
    Class<?>[] types = new Class<?>[args.length];
    for (int i = 0; i < args.length; i++) {
      types[i] = args[i].getClass();
    }
    Method m = driver.getMethod(method, types);
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static String decode(String type, byte[] message) {
    return TestSchemas.decode("test.capnp", type, message);
  }

  private static final String ZERO_ALL_TYPES = "voidField = void, boolField = false, "
      + "int8Field = 0, int16Field = 0, int32Field = 0, int64Field = 0, uint8Field = 0, "
      + "uint16Field = 0, uint32Field = 0, uint64Field = 0, float32Field = 0, float64Field = 0";

  private static String withInt32(int value) {
    return ZERO_ALL_TYPES.replace(", int32Field = 0,", ", int32Field = " + value + ",");
  }

  @Test
  void allTypesRoundTripThroughTheReferenceTool() throws Throwable {
    byte[] message = (byte[]) call("buildAllTypes");
    assertThat(decode("AllTypes", message)).isEqualTo("(voidField = void, boolField = true, "
        + "int8Field = -8, int16Field = -16, int32Field = -32, int64Field = -64, "
        + "uint8Field = 200, uint16Field = 60000, uint32Field = 4294967280, "
        + "uint64Field = 18446744073709551615, float32Field = 1.5, float64Field = -2.25, "
        + "textField = \"hello\", dataField = \"\\001\\002\\003\", structField = ("
        + ZERO_ALL_TYPES + ", textField = \"inner\", enumField = red, shade = light), "
        + "enumField = darkBlue, anyField = <opaque pointer>, voidList = [void, void], "
        + "boolList = [true, false, true], int8List = [-1], int16List = [-2], "
        + "int32List = [0, 3], int64List = [4], uint8List = [255], uint16List = [65535], "
        + "uint32List = [4294967295], uint64List = [18446744073709551615], "
        + "float32List = [0.25], float64List = [0.5], textList = [\"x\", \"yz\"], "
        + "dataList = [\"\\t\"], structList = [(" + ZERO_ALL_TYPES
        + ", enumField = red, shade = light), (" + withInt32(11) + ", enumField = red, shade = light)], "
        + "enumList = [green, red], listList = [[0, 7], [8]], anyStruct = <opaque pointer>, "
        + "point = (x = 10, y = -10), "
        + "shade = dark)");
    assertThat(call("readAllTypes", message)).isEqualTo("[true, -8, -16, -32, -64, 200, "
        + "60000, 4294967280, 18446744073709551615, 1.5, -2.25, hello, 3, inner, DARK_BLUE, 5, "
        + "2, true, 3, yz, 11, GREEN, 7, -10, DARK, false, true/true/false/true/false, "
        + "true/true/false]");
  }

  @Test
  void defaultsReadFromAnEmptyStruct() throws Throwable {
    assertThat(call("readDefaults")).isEqualTo("[true, -12, -1234, -123456, -123456789012345, "
        + "234, 45678, 3456789012, 12345678901234567890, 1234.5, -1.25E-100, foo, bar, "
        + "7:nested:2, DARK_BLUE, 3:5, bc, 2:3:0, true, -Infinity, false]");
  }

  @Test
  void settingFieldsWithDefaultsAppliesTheXorMasks() throws Throwable {
    byte[] message = (byte[]) call("buildDefaults");
    assertThat(decode("Defaults", message)).isEqualTo("(boolField = false, int8Field = 1, "
        + "int16Field = -1234, int32Field = 0, int64Field = -123456789012345, uint8Field = 234, "
        + "uint16Field = 45678, uint32Field = 1, uint64Field = 12345678901234567890, "
        + "float32Field = 0, float64Field = -1.25e-100, structField = (" + withInt32(8) + ", textField = \"nested\", "
        + "enumField = red, int32List = [1, 2], shade = light), enumField = red, "
        + "textList = [\"a\", \"bc\"], float32Nan = nan, float64Inf = -inf)");
  }

  @Test
  void unionsSetDiscriminants() throws Throwable {
    byte[] message = (byte[]) call("buildUnions");
    assertThat(decode("Unions", message)).isEqualTo("(textValue = \"now text\", "
        + "named = (point = (x = 3, y = 0)), plain = (p = 7, q = \"q\", "
        + "inner = (right = [\"r\"])))");
    assertThat(call("readUnions", message)).isEqualTo("[TEXT_VALUE, true, false, POINT, 3, "
        + "RIGHT, true, INT_VALUE, NOTHING, GROUP_VALUE, 1, COLOR:DARK_BLUE]");
  }

  @Test
  void genericsBuildAndReadWithBoundTypes() throws Throwable {
    byte[] message = (byte[]) call("buildGenerics");
    assertThat(decode("UsesGenerics", message)).isEqualTo("(boxText = (value = \"boxed\", "
        + "values = [(value = \"inner\")]), boxBox = (value = (value = \"\\004\\002\")), "
        + "pair = (key = \"k\", value = (" + withInt32(42) + ", enumField = red, shade = light), swapped = (key = ("
        + withInt32(43)
        + ", enumField = red, shade = light))), listBox = [(), (value = \"second\")], "
        + "unbound = (value = <opaque pointer>), inner = (t = \"tee\", "
        + "self = (deep = (t2 = \"deep\"))), wrapped = (item = (value = \"wrapped\"), "
        + "items = [(x = 1, y = 0)]), listListBox = [[(value = \"\\a\")]])");
    assertThat(call("readGenerics", message)).isEqualTo(
        "[boxed, inner, 2, k=42, 43, second, any, tee/deep, wrapped/1, 7]");
  }

  @Test
  void constantsOfEveryKind() throws Throwable {
    assertThat(call("readConstants")).isEqualTo("[-42, 18446744073709551615, 0.5, true, "
        + "hello \"world\"\n, 3:255, GREEN, 99:const:DARK_BLUE, 6, boxed, 5, 100:100]");
  }

  @Test
  void toStringPrintsTheTextFormatLikeTheReferenceTool() throws Throwable {
    org.junit.jupiter.api.Assumptions.assumeTrue(textFormat,
        "dev.capnp.dynamic.TextFormat not available yet");
    byte[] message = (byte[]) call("buildGenerics");
    String[] lines = ((String) call("toStrings", message)).split("\n");
    assertThat(lines[0]).isEqualTo(decode("UsesGenerics", message));
    assertThat(lines[1]).isEqualTo("(intValue = 0, named = (flag = false), "
        + "plain = (p = 0, q = \"q\", inner = (left = 0)))");
    assertThat(lines[2]).isEqualTo("(p = 0, q = \"q\", inner = (left = 0))");
    assertThat(lines[3]).isEqualTo("(x = 5, y = 6)");
  }

  @Test
  void escapedNamesWriteTheSchemaFields() throws Throwable {
    byte[] message = (byte[]) call("buildKeywords");
    assertThat(decode("Keywords", message)).isEqualTo(
        "(class = 1, package = \"pkg\", new = true, hashCode = 2, getClass = 3)");
  }
}
