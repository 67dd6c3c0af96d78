package dev.capnp.tool;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.dynamic.TextFormatException;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code encode}: text messages on stdin to binary on stdout, like {@code capnp encode}. */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = {"Encodes one or more textual Cap'n Proto messages (read from standard input) "
        + "to binary, like 'capnp encode'. Each message is a parenthesized struct literal such as",
        "    (foo = 123, bar = \"hello\", baz = [true, false, true])",
        "The messages have root type TYPE defined in SCHEMA.capnp; the schema is compiled with "
        + "the 'capnp' tool (apt-get install capnproto)."})
final class EncodeCommand implements Callable<Integer> {
  private final CapnpJava tool;

  @Mixin
  SchemaOptions schema;

  @Option(names = {"-p", "--packed"}, description = "Write packed output.")
  boolean packed;

  @Option(names = "--flat", description = "Expect only one input value and write it as a "
      + "single-segment message without framing.")
  boolean flat;

  EncodeCommand(CapnpJava tool) {
    this.tool = tool;
  }

  @Override
  public Integer call() throws IOException {
    StructSchema root = schema.rootType();
    byte[] input = tool.in().readAllBytes();
    List<byte[]> texts = TextMessageSplitter.split(input);
    if (texts.isEmpty() && input.length > 0) {
      // Like capnp encode: input that is not empty must hold at least one message.
      throw new ToolException("no message in input (expected '(field = value, ...)')");
    }
    OutputStream out = tool.out();
    if (flat && texts.size() > 1) {
      throw new ToolException("--flat expects exactly one message, got " + texts.size());
    }
    int index = 0;
    for (byte[] text : texts) {
      index++;
      MessageBuilder message = new MessageBuilder();
      DynamicStruct.Builder builder = message.initRoot(root.factory());
      try {
        TextFormat.parse(text, builder);
      } catch (TextFormatException e) {
        throw new ToolException((texts.size() > 1 ? "message " + index + ": " : "")
            + e.getMessage());
      }
      if (flat) {
        byte[] words = flatten(message, root);
        out.write(packed ? SerializePacked.pack(words) : words);
      } else if (packed) {
        SerializePacked.write(out, message);
      } else {
        Serialize.write(out, message);
      }
    }
    out.flush();
    return 0;
  }

  /** Copies the message into one segment exactly large enough and returns its bytes. */
  private static byte[] flatten(MessageBuilder message, StructSchema root) {
    long words = message.sizeInWords();
    MessageBuilder single = new MessageBuilder((int) Math.min(Integer.MAX_VALUE - 8, words + 1));
    single.setRoot(root.factory(), message.getRoot(root.factory()).asReader());
    ByteBuffer[] segments = single.getSegmentsForOutput();
    if (segments.length != 1) {
      throw new ToolException("message does not fit in one segment");
    }
    ByteBuffer segment = segments[0].duplicate();
    byte[] bytes = new byte[segment.remaining()];
    segment.get(bytes);
    return bytes;
  }
}
