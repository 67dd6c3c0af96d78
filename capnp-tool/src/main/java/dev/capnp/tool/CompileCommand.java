package dev.capnp.tool;

import dev.capnp.compiler.JavaGenerator;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.schemac.CapnpCompiler;
import dev.capnp.schemac.SchemaCompileException;
import dev.capnp.schemac.SchemaError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code compile}: reads schema files with the schema compiler written in Java (no native
 * {@code capnp}) and writes the {@code CodeGeneratorRequest} to stdout ({@code -o-}) or generates
 * Java sources ({@code -o java:DIR} or {@code --java-out=DIR}). Errors are printed as
 * {@code capnp compile} prints them, and the exit status is then 1.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = {"Compiles Cap'n Proto schema files like 'capnp compile', without the native "
        + "tool. '-o-' writes the CodeGeneratorRequest (standard framing) to stdout; "
        + "'-o java:DIR' (or --java-out=DIR) generates Java sources into DIR. Imports of "
        + "/capnp/*.capnp are found in the import path, else among the standard schemas "
        + "bundled with this tool."})
final class CompileCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  CapnpJava tool;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "TARGET",
      description = "'-' (the request to stdout) or 'java:DIR' (Java sources into DIR); "
          + "repeatable.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--java-out", paramLabel = "DIR", description = "Generate Java sources into DIR.")
  Path javaOut;

  @Option(names = {"-I", "--import-path"}, paramLabel = "DIR",
      description = "Add DIR to the list of directories searched for non-relative imports.")
  List<Path> importPath = new ArrayList<>();

  @Option(names = "--src-prefix", paramLabel = "PREFIX",
      description = "Strip PREFIX from the names of the source files (for output file names).")
  List<Path> srcPrefixes = new ArrayList<>();

  @Option(names = "--package", paramLabel = "FILE=PACKAGE",
      description = "Java package for the schema file FILE when it has no $Java.package "
          + "(with -o java:DIR); repeatable.")
  List<String> packages = new ArrayList<>();

  @Option(names = {"--verbose"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "The schema files to compile.")
  List<Path> files = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    List<Path> javaDirs = new ArrayList<>();
    boolean toStdout = false;
    for (String output : outputs) {
      if (output.equals("-")) {
        toStdout = true;
      } else if (output.startsWith("java:")) {
        javaDirs.add(Path.of(output.substring("java:".length())));
      } else {
        throw new ToolException("unsupported output '" + output + "': this tool runs no "
            + "native plugin; use '-o-' or '-o java:DIR'");
      }
    }
    if (javaOut != null) {
      javaDirs.add(javaOut);
    }
    if (!toStdout && javaDirs.isEmpty()) {
      throw new ToolException("no outputs specified (use -o- or -o java:DIR)");
    }
    MessageBuilder request;
    try {
      request = CapnpCompiler.builder().importPath(importPath).sourcePrefixes(srcPrefixes)
          .build().compile(files);
    } catch (java.io.UncheckedIOException e) {
      throw new ToolException(e.getMessage() + " (" + e.getCause().getClass().getSimpleName()
          + ")");
    } catch (SchemaCompileException e) {
      PrintWriter err = spec.commandLine().getErr();
      for (SchemaError error : e.errors()) {
        err.println(error);
      }
      err.flush();
      return 1;
    }
    byte[] bytes = Serialize.toBytes(request);
    if (toStdout) {
      tool.out().write(bytes);
      tool.out().flush();
    }
    JavaGenerator.Options options = JavaGenerator.Options.defaults();
    for (String spec : packages) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new ToolException("--package expects FILE=PACKAGE, got '" + spec + "'");
      }
      options = options.withPackage(spec.substring(0, eq), spec.substring(eq + 1));
    }
    for (Path dir : javaDirs) {
      try {
        new JavaGenerator(options).generate(new ByteArrayInputStream(bytes), dir);
      } catch (IllegalArgumentException e) {
        throw new ToolException(e.getMessage());
      }
    }
    return 0;
  }
}
