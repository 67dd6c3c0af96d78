package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden equality with the native compiler: each case is compiled by {@code capnp compile -o-}
 * and by {@link CapnpCompiler}, and the requests must have the same nodes, source info and
 * requested files. {@link #PASSING} lists the cases known to pass; run with
 * {@code -Dschemac.survey=true} to try every candidate and print which pass.
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

  /** The cases that pass today. */
  static final List<Case> PASSING = List.of(
      golden("basic.capnp"),
      golden("iface.capnp"),
      golden("unions.capnp"),
      golden("values.capnp"),
      system("capnp/c++.capnp"),
      system("capnp/schema.capnp"),
      system("capnp/stream.capnp"),
      system("capnp/rpc.capnp"),
      system("capnp/rpc-twoparty.capnp"),
      system("capnp/persistent.capnp"),
      system("capnp/compat/json.capnp"),
      project("benchmarks/src/main/capnp/addressbook.capnp"),
      project("benchmarks/src/main/capnp/echo_bench.capnp"),
      project("capnp-compiler/src/test/capnp/imported.capnp"),
      project("capnp-compiler/src/test/capnp/nopackage.capnp"),
      project("capnp-compiler/src/test/capnp/streaming.capnp"),
      project("capnp-compiler/src/test/capnp/thing.capnp"),
      project("capnp-net/src/test/capnp/scenarios/scenarios.capnp"),
      project("capnp-runtime/src/main/resources/capnp/java.capnp"),
      project("capnp-runtime/src/test/resources/dev/capnp/dynamic/dyntest.capnp"),
      project("capnp-runtime/src/test/resources/dev/capnp/dynamic/importer.capnp"),
      project("capnp-tests/src/test/capnp/test-import.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/aliases.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/annotated.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/evalaliases.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/evaltest.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/imports/shared.capnp"),
      project("capnp-tool/src/test/resources/dev/capnp/tool/tooltest.capnp"),
      project("examples/src/main/capnp/addressbook.capnp"),
      project("examples/src/main/capnp/calculator.capnp"),
      project("examples/src/main/capnp/echo.capnp"),
      project("interop/interop.capnp"));

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
    return RequestComparison.differences(expected, actual);
  }

  @TestFactory
  Stream<DynamicTest> passingCasesMatchTheNativeCompiler() {
    return PASSING.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
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
