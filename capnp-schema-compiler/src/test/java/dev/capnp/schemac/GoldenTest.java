package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.compiler.JavaGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden equality with the native compiler: each case is compiled by {@code capnp compile -o-}
 * and by {@link CapnpCompiler}, and the requests must have the same nodes (in the same order),
 * source info and requested files, and give the same generated Java. Every candidate (the golden files here, {@code /usr/include/capnp} and every
 * schema of the project) must pass unless listed in {@link #KNOWN_FAILURES}. Run with
 * {@code -Dschemac.survey=true} to print which pass instead of failing, and with
 * {@code -Dschemac.extraDir=DIR} to add the schemas of a directory (for example the C++ test
 * schemas).
 */
class GoldenTest {
  static final Path MODULE = Path.of("").toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static final Path GOLDEN = MODULE.resolve("src/test/resources/dev/capnp/schemac/golden");
  static final Path USR_INCLUDE = Path.of("/usr/include");
  static final Path JAVA_CAPNP_DIR = REPO.resolve("capnp-runtime/src/main/resources");
  static final Path TOOL_IMPORTS = REPO.resolve("capnp-tool/src/test/resources/dev/capnp/tool/imports");

  /** One compilation: files, run in {@code cwd} with import path and source prefixes. */
  record Case(String name, Path cwd, List<Path> importPath, List<Path> srcPrefixes,
      List<Path> files) {}

  static Case golden(String file) {
    return new Case("golden/" + file, GOLDEN, List.of(), List.of(), List.of(Path.of(file)));
  }

  static Case system(String file) {
    return new Case(file, MODULE, List.of(USR_INCLUDE), List.of(USR_INCLUDE),
        List.of(USR_INCLUDE.resolve(file)));
  }

  static Case project(String file) {
    return new Case(file, REPO, List.of(JAVA_CAPNP_DIR, TOOL_IMPORTS), List.of(),
        List.of(Path.of(file)));
  }

  /**
   * Candidates known not to match yet (by name); every other candidate must match. Empty: all
   * of {@code /usr/include/capnp}, the project's schemas and the golden files pass.
   */
  static final Set<String> KNOWN_FAILURES = Set.of();

  /** Every case we aim at. */
  static List<Case> candidates() throws Exception {
    List<Case> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(GOLDEN)) {
      files.map(p -> p.getFileName().toString()).sorted().forEach(f -> all.add(golden(f)));
    }
    for (String f : List.of("capnp/c++.capnp", "capnp/schema.capnp", "capnp/stream.capnp",
        "capnp/rpc.capnp", "capnp/rpc-twoparty.capnp", "capnp/persistent.capnp",
        "capnp/compat/json.capnp")) {
      all.add(system(f));
    }
    all.add(new Case("capnp-tests test.capnp + test-import.capnp", REPO,
        List.of(JAVA_CAPNP_DIR), List.of(Path.of("capnp-tests/src/test")),
        List.of(Path.of("capnp-tests/src/test/capnp/test.capnp"),
            Path.of("capnp-tests/src/test/capnp/test-import.capnp"))));
    Path multi = MODULE.resolve("src/test/resources/dev/capnp/schemac/multi");
    for (List<String> order : List.of(List.of("a.capnp"), List.of("a.capnp", "sub/b.capnp"),
        List.of("sub/b.capnp", "a.capnp"), List.of("sub/c.capnp", "a.capnp", "sub/b.capnp"))) {
      all.add(new Case("multi " + order, multi, List.of(), List.of(),
          order.stream().map(Path::of).toList()));
    }
    String extra = System.getProperty("schemac.extraDir");
    if (extra != null) {
      try (Stream<Path> files = Files.list(Path.of(extra))) {
        files.filter(p -> p.toString().endsWith(".capnp")).sorted().forEach(p -> all.add(
            new Case(p.toString(), p.getParent(), List.of(p.getParent().getParent()), List.of(),
                List.of(p.getFileName()))));
      }
    }
    try (Stream<Path> files = Files.walk(REPO)) {
      files.filter(p -> p.toString().endsWith(".capnp") && !p.toString().contains("/target/")
              && !p.startsWith(MODULE))
          .map(p -> REPO.relativize(p).toString()).sorted().forEach(f -> all.add(project(f)));
    }
    return all;
  }

  static List<String> run(Case c) throws Exception {
    byte[] expected = NativeCapnp.compile(c.cwd(), c.importPath(), c.srcPrefixes(), c.files());
    byte[] actual = CapnpCompiler.builder().importPath(c.importPath())
        .sourcePrefixes(c.srcPrefixes()).currentDirectory(c.cwd()).build()
        .compileToBytes(c.files());
    List<String> diffs = new ArrayList<>(RequestComparison.differences(expected, actual));
    String expectedJava = generatedJava(expected);
    String actualJava = generatedJava(actual);
    if (!expectedJava.equals(actualJava)) {
      diffs.add("generated Java differs");
    }
    return diffs;
  }

  /** The Java generated from a request (or the generator's error), as one string. */
  static String generatedJava(byte[] request) {
    try {
      return new JavaGenerator(JavaGenerator.Options.defaults()).generateSources(request)
          .toString();
    } catch (IllegalArgumentException e) {
      return "error: " + e.getMessage();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCandidateMatchesTheNativeCompiler() throws Exception {
    if (Boolean.getBoolean("schemac.survey")) {
      return Stream.empty();
    }
    return candidates().stream().filter(c -> !KNOWN_FAILURES.contains(c.name()))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          NativeCapnp.assumeAvailable();
          assertThat(run(c)).isEmpty();
        }));
  }

  @TestFactory
  Stream<DynamicTest> survey() throws Exception {
    if (!Boolean.getBoolean("schemac.survey")) {
      return Stream.empty();
    }
    NativeCapnp.assumeAvailable();
    return candidates().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      List<String> diffs;
      try {
        diffs = run(c);
      } catch (Throwable t) {
        diffs = List.of(t.toString());
      }
      System.out.println("SURVEY " + (diffs.isEmpty() ? "PASS " : "FAIL ") + c.name());
      for (String d : diffs.subList(0, Math.min(3, diffs.size()))) {
        System.out.println("    " + d.replace("\n", "\n    "));
      }
    }));
  }
}
