package dev.capnp.tool;

import dev.capnp.dynamic.TextFormatException;
import dev.capnp.runtime.DecodeException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code capnp-java} command-line tool: {@code decode} binary messages to text and
 * {@code encode} text to binary, driven by a schema compiled with the reference {@code capnp}
 * tool. Output is byte-for-byte what {@code capnp decode} / {@code capnp encode} produce.
 */
@Command(name = "capnp-java", mixinStandardHelpOptions = true, version = "capnp-java 0.1.0",
    description = "Cap'n Proto tool implemented in Java.",
    subcommands = {DecodeCommand.class, EncodeCommand.class, EvalCommand.class, CompileCommand.class,
        CallCommand.class,
        CommandLine.HelpCommand.class})
public final class CapnpJava implements Runnable {
  private final InputStream in;
  private final PrintStream out;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  CapnpJava(InputStream in, PrintStream out) {
    this.in = in;
    this.out = out;
  }

  InputStream in() {
    return in;
  }

  PrintStream out() {
    return out;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing command: use 'decode', 'encode' or 'eval' (see --help)");
  }

  /**
   * Runs the tool and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /**
   * Runs the tool with the given streams; returns the exit status.
   *
   * @param args the command line
   * @param in the input of {@code decode}, {@code encode} and {@code eval}
   * @param out the output stream
   * @param err the error and usage stream
   * @return the exit status: 0 on success
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CapnpJava tool = new CapnpJava(in, out);
    CommandLine cli = new CommandLine(tool, new Factory(tool));
    cli.addSubcommand("id", new IdCommand(tool));
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose"));
      if (verbose) {
        e.printStackTrace(err);
      }
      err.println("capnp-java: error: " + describe(e));
      err.flush();
      return 1;
    });
    int status = cli.execute(args);
    out.flush();
    return status;
  }

  private static String describe(Exception e) {
    if (e instanceof ToolException || e instanceof TextFormatException
        || e instanceof DecodeException) {
      return e.getMessage();
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Creates subcommands with access to the tool's streams. */
  private record Factory(CapnpJava tool) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == DecodeCommand.class) {
        return cls.cast(new DecodeCommand(tool));
      }
      if (cls == EncodeCommand.class) {
        return cls.cast(new EncodeCommand(tool));
      }
      if (cls == EvalCommand.class) {
        return cls.cast(new EvalCommand(tool));
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
