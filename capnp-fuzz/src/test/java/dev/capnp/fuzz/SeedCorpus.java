package dev.capnp.fuzz;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.SerializePacked;
import dev.capnp.test.TestSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The seeds of the decoder corpus: valid messages (text fixtures encoded by our builders and by
 * the reference {@code capnp encode}, single- and multi-segment, plain and packed) and malformed
 * ones crafted word by word. Each seed is a selector byte ({@link DecoderTarget}) followed by
 * the frame.
 *
 * <p>{@link DecoderSeedsTest} checks the committed seeds; {@code scripts/fuzz.sh --seed decoder}
 * rewrites them (run {@code main} with the corpus directory).
 */
final class SeedCorpus {
  /** Text fixtures per root type name: struct literals as {@code capnp encode} reads them. */
  static final Map<String, String> FIXTURES = fixtures();

  private SeedCorpus() {}

  private static Map<String, String> fixtures() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("TestAllTypes", "(voidField = void, boolField = true, int8Field = -123,"
        + " int16Field = -12345, int32Field = -12345678, int64Field = -123456789012345,"
        + " uInt8Field = 234, uInt16Field = 45678, uInt32Field = 3456789012,"
        + " uInt64Field = 12345678901234567890, float32Field = 1234.5, float64Field = -1.23e47,"
        + " textField = \"foo\\nbar\\x01\", dataField = \"\\xff\\x00bar\","
        + " structField = (int32Field = 7, textField = \"nested\","
        + " structField = (boolField = true, enumList = [foo, garply])),"
        + " enumField = corge, voidList = [void, void, void],"
        + " boolList = [false, true, false, true, true], int8List = [111, -111],"
        + " int16List = [11111, -11111], int32List = [111111111, -111111111],"
        + " int64List = [1111111111111111111, -1111111111111111111], uInt8List = [111, 222],"
        + " uInt16List = [33333, 44444], uInt32List = [3333333333],"
        + " uInt64List = [11111111111111111111], float32List = [5555.5, inf, -inf, nan],"
        + " float64List = [7777.75, inf, -inf, nan], textList = [\"plugh\", \"xyzzy\", \"\"],"
        + " dataList = [\"oops\", \"exhausted\"],"
        + " structList = [(textField = \"x\"), (int8Field = 1, structField = (uInt8Field = 2))],"
        + " enumList = [foo, garply])");
    f.put("TestDefaults", "()");
    f.put("TestUnion", "(union0 = (u0f1sp = \"text\"), union1 = (u1f2s64 = 123456789),"
        + " union2 = (u2f0s16 = -5), union3 = (u3f0s1 = true), bit0 = true, byte0 = 9)");
    f.put("TestUnnamedUnion", "(before = \"a\", bar = 321, middle = 7, after = \"z\")");
    f.put("TestUnionDefaults", "(s16s8s64s8Set = (union0 = (u0f0s8 = 1)))");
    f.put("TestGroups", "(groups = (baz = (corge = 3, grault = \"g\", garply = \"h\")))");
    f.put("TestInterleavedGroups", "(group1 = (foo = 1, bar = 2, corge = (grault = 3,"
        + " garply = 4, plugh = \"p\", xyzzy = \"x\"), waldo = \"w\"),"
        + " group2 = (foo = 5, fred = \"f\", waldo = \"v\"))");
    f.put("TestLists", "(list0 = [(f = void), (f = void)], list1 = [(f = true), (f = false)],"
        + " list8 = [(f = 1), (f = 2)], list16 = [(f = 3)], list32 = [(f = 4)],"
        + " list64 = [(f = 5)], listP = [(f = \"s\"), (f = \"t\")],"
        + " int32ListList = [[1, 2, 3], [], [4]], textListList = [[\"a\"], [\"b\", \"c\"]],"
        + " structListList = [[(int32Field = 1)], [(textField = \"q\")]],"
        + " boolListListList = [[[true, false], []], [[true]]])");
    f.put("TestUseGenerics", "(basic = (foo = (int32Field = 1), rev = (dub = (foo = \"d\", rev = (foo = [1, 2]))),"
        + " list = [(foo = (int8Field = 2))]), wrapper = (value = (value = \"boxed\")),"
        + " textMap = (entries = [(key = \"k\", value = (values = [1, 2]))]),"
        + " listOfBoxes = [(value = (textField = \"b\"))], boxOfList = (value = [\"l\"]),"
        + " deep = (foo = \"f\", bar = \"b\", baz = (value = grault), qux = (int64Field = 3)),"
        + " imported = (value = (value = 5, nested = (name = \"n\"))))");
    f.put("TestAnyPointerHolder", "()");
    f.put("TestNestedTypes", "(nestedStruct = (outerNestedEnum = foo, innerNestedEnum = baz),"
        + " outerNestedEnum = foo)");
    f.put("TestKeywords", "(class = 1, package = \"p\", default = true, hashCode = 2,"
        + " toString = \"t\", object = (new = true), switch = continue)");
    f.put("AddressBook", "(people = [(id = 123, name = \"Alice\", email = \"a@example.com\","
        + " phones = [(number = \"555-1212\", type = mobile)], employment = (school = \"MIT\")),"
        + " (id = 456, name = \"Bob\", employment = (unemployed = void))])");
    return f;
  }

  /** Writes every seed into {@code dir}; uses {@code capnp} from the PATH when it is there. */
  static void write(Path dir, Path schemaDir, Path importDir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds(schemaDir, importDir).entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }

  /** All seeds by file name. */
  static Map<String, byte[]> seeds(Path schemaDir, Path importDir) throws IOException {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : FIXTURES.entrySet()) {
      RootType root = RootType.ALL.stream().filter(r -> r.name().equals(f.getKey())).findFirst()
          .orElseThrow();
      String name = f.getKey();
      boolean generic = name.equals("TestUseGenerics"); // brands: only capnp encode knows them
      if (!generic) {
        seeds.put("valid-builder-" + name, seed(root, 0, Serialize.toBytes(build(root, f.getValue(), 1024))));
      }
      if (name.equals("TestAllTypes") || name.equals("TestLists")) {
        MessageBuilder small = build(root, f.getValue(), 1);
        seeds.put("valid-builder-multisegment-" + name, seed(root, 0, Serialize.toBytes(small)));
        seeds.put("valid-builder-packed-" + name, seed(root, 0x10, SerializePacked.toBytes(small)));
      }
      if (schemaDir != null && (name.equals("TestAllTypes") || name.equals("AddressBook")
          || name.equals("TestUnion") || generic)) {
        seeds.put("valid-capnp-" + name, seed(root, 0, capnpEncode(schemaDir, importDir, name,
            f.getValue())));
        seeds.put("valid-capnp-segmented-" + name, seed(root, 0x20, capnpEncode(schemaDir,
            importDir, name, f.getValue(), "--segment-size=4")));
        seeds.put("valid-capnp-packed-" + name, seed(root, 0x10, capnpEncode(schemaDir,
            importDir, name, f.getValue(), "--packed", "--segment-size=16")));
      }
    }
    seeds.put("valid-builder-anypointers", seed(RootType.ALL.get(9), 0, anyPointers()));
    seeds.putAll(MalformedSeeds.all());
    return seeds;
  }

  static byte[] seed(RootType root, int flags, byte[] frame) {
    byte[] seed = new byte[frame.length + 1];
    seed[0] = (byte) (root.selectorBits() | flags);
    System.arraycopy(frame, 0, seed, 1, frame.length);
    return seed;
  }

  private static MessageBuilder build(RootType root, String text, int firstSegmentWords) {
    StructSchema schema = TestSchema.SCHEMA.registry().getStruct(root.typeId());
    MessageBuilder message = new MessageBuilder(firstSegmentWords);
    DynamicStruct.Builder builder = message.initRoot(schema.factory());
    TextFormat.parse(text, builder);
    return message;
  }

  private static byte[] anyPointers() {
    MessageBuilder message = new MessageBuilder(2);
    TestSchema.TestAnyPointerHolder.Builder holder =
        message.initRoot(TestSchema.TestAnyPointerHolder.FACTORY);
    TestSchema.TestAllTypes.Builder inner = holder.getAny().initAs(TestSchema.TestAllTypes.FACTORY);
    inner.setTextField("any");
    inner.initInt32List(3).set(1, 5);
    holder.setAnyStruct(holder.asReader().getAny().getAs(AnyStruct.FACTORY));
    return Serialize.toBytes(message);
  }

  private static byte[] capnpEncode(Path schemaDir, Path importDir, String type, String text,
      String... options) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("capnp", "encode", "-I" + importDir));
    command.addAll(List.of(options));
    command.add(schemaDir.resolve("test.capnp").toString());
    command.add(type);
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("capnp encode " + type + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }

  /** Little-endian words as bytes. */
  static byte[] words(long... words) {
    ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long w : words) {
      b.putLong(w);
    }
    return b.array();
  }

  /** A frame: segment table for the given segment sizes, then {@code body}. */
  static byte[] frame(int[] segmentWords, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int tableBytes = ((segmentWords.length + 2) / 2) * 8;
    ByteBuffer table = ByteBuffer.allocate(tableBytes).order(ByteOrder.LITTLE_ENDIAN);
    table.putInt(segmentWords.length - 1);
    for (int s : segmentWords) {
      table.putInt(s);
    }
    out.writeBytes(table.array());
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Writes the seeds to {@code args[0]} (schema dir {@code args[1]}, import dir {@code args[2]}). */
  public static void main(String[] args) throws IOException {
    write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
  }
}
