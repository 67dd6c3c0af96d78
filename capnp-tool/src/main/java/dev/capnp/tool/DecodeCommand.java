package dev.capnp.tool;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code decode}: binary messages on stdin to text on stdout, like {@code capnp decode}. */
@Command(name = "decode", mixinStandardHelpOptions = true,
    description = {"Decodes one or more encoded Cap'n Proto messages (read from standard input "
        + "until EOF) as text, one per message, exactly like 'capnp decode'.",
        "The messages have root type TYPE defined in SCHEMA.capnp; the schema is compiled with "
        + "the 'capnp' tool (apt-get install capnproto)."})
final class DecodeCommand implements Callable<Integer> {
  /**
   * Debugging tool: like capnp, lift the traversal limit. Nesting stays bounded (deeper than any
   * sane message) so that a pointer cycle ends in a clean error rather than a stack overflow.
   */
  private static final ReaderOptions UNLIMITED = new ReaderOptions(Long.MAX_VALUE, 1000);

  private final CapnpJava tool;

  @Mixin
  SchemaOptions schema;

  @Option(names = {"-p", "--packed"}, description = "Expect packed input.")
  boolean packed;

  @Option(names = "--flat", description = "Read the input as one single-segment message "
      + "without framing.")
  boolean flat;

  @Option(names = "--short", description = "Print each message on one line.")
  boolean oneLine;

  DecodeCommand(CapnpJava tool) {
    this.tool = tool;
  }

  @Override
  public Integer call() throws IOException {
    StructSchema root = schema.rootType();
    PrintStream out = tool.out();
    InputStream in = new BufferedInputStream(tool.in(), 1 << 16);
    if (flat) {
      byte[] bytes = in.readAllBytes();
      if (packed) {
        bytes = SerializePacked.unpack(bytes);
      }
      ByteBuffer segment = ByteBuffer.wrap(bytes, 0, bytes.length & ~7).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      print(out, new MessageReader(new ByteBuffer[] {segment}, UNLIMITED), root);
      return 0;
    }
    for (;;) {
      in.mark(1);
      if (in.read() < 0) {
        break;
      }
      in.reset();
      MessageReader message = packed ? SerializePacked.read(in, UNLIMITED)
          : Serialize.read(in, UNLIMITED);
      print(out, message, root);
    }
    return 0;
  }

  private void print(PrintStream out, MessageReader message, StructSchema root) {
    DynamicStruct.Reader reader = message.getRoot(root.factory());
    byte[] text = oneLine ? TextFormat.toStringBytes(reader) : TextFormat.prettyPrintBytes(reader);
    out.write(text, 0, text.length);
    out.write('\n');
    out.flush();
  }
}
