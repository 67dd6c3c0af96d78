package dev.capnp.compiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line entry point, usable as a {@code capnp compile} plugin:
 * {@code capnp compile -o /path/to/capnpc-java:OUTDIR foo.capnp} (the schema compiler runs the
 * plugin in OUTDIR with the request on stdin), or {@code capnp compile -o- foo.capnp |
 * capnpc-java --output OUTDIR}.
 *
 * <p>Options: {@code --output DIR} (default: current directory), {@code --package FILE=PKG}
 * (repeatable; Java package of a schema file lacking {@code $Java.package}),
 * {@code --no-tostring}, {@code --input FILE} (read the request from a file, not stdin),
 * {@code --verbose} (list the files written on stderr).
 */
public final class CapnpcJava {
  private CapnpcJava() {}

  /**
   * Runs the generator; exits with status 1 and a message on error.
   *
   * @param args ignored; the request is read from standard input
   */
  public static void main(String[] args) {
    try {
      List<String> rest = new ArrayList<>(List.of(args));
      boolean verbose = rest.remove("--verbose");
      List<Path> written = run(rest.toArray(new String[0]), System.in);
      if (verbose) {
        for (Path p : written) {
          System.err.println("capnpc-java: wrote " + p);
        }
      }
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("capnpc-java: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Parses {@code args}, reads the request from {@code stdin} (unless --input) and generates. */
  static List<Path> run(String[] args, InputStream stdin) throws IOException {
    JavaGenerator.Options options = JavaGenerator.Options.defaults();
    Path output = Path.of("");
    Path input = null;
    List<String> rest = new ArrayList<>(List.of(args));
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      String value = null;
      String name = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0 && !a.startsWith("--package")) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (name) {
        case "--output", "-d" -> output = Path.of(value != null ? value : next(rest, ++i, a));
        case "--input" -> input = Path.of(value != null ? value : next(rest, ++i, a));
        case "--no-tostring" -> options = options.withToString(false);
        case "--package" -> {
          String spec = next(rest, ++i, a);
          options = withPackage(options, spec);
        }
        default -> {
          if (a.startsWith("--package=")) {
            options = withPackage(options, a.substring("--package=".length()));
          } else {
            throw new IllegalArgumentException("unknown argument '" + a + "' (expected --output DIR,"
                + " --package FILE=PKG, --input FILE, --no-tostring)");
          }
        }
      }
    }
    JavaGenerator generator = new JavaGenerator(options);
    if (input != null) {
      try (InputStream in = java.nio.file.Files.newInputStream(input)) {
        return generator.generate(in, output);
      }
    }
    return generator.generate(stdin, output);
  }

  private static JavaGenerator.Options withPackage(JavaGenerator.Options o, String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException("--package expects FILE=PKG, got '" + spec + "'");
    }
    return o.withPackage(spec.substring(0, eq), spec.substring(eq + 1));
  }

  private static String next(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }
}
