package dev.capnp.bench;

import com.google.protobuf.ByteString;
import dev.capnp.bench.proto.ProtoShapes;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.PrimitiveList;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.StructList;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The message shapes of {@link ShapesBenchmark}, each with a Cap'n Proto round and a
 * protobuf-java round over the same data ({@code shapes.capnp} / {@code shapes.proto}):
 * build the message with the generated builders, serialize it to bytes (standard framing for
 * Cap'n Proto), read it back and walk it to a checksum (both rounds of a shape return the same
 * checksum).
 */
final class Shapes {
  private Shapes() {}

  /** One message shape, built, serialized, read and walked by both libraries. */
  interface Shape {
    /** One Cap'n Proto round; returns the walk's checksum. */
    long capnp();

    /** One protobuf-java round; returns the walk's checksum. */
    long protobuf() throws Exception;
  }

  /** The shapes by name: wide, tree, doubles, blob, text. */
  static final Map<String, Shape> ALL = Map.of(
      "wide", new WideStructs(),
      "tree", new DeepTree(),
      "doubles", new LargeDoubleList(),
      "blob", new DataBlob(),
      "text", new TextRecords());

  static MessageReader roundTrip(MessageBuilder message) {
    ByteBuffer bytes = Serialize.toByteBuffer(message);
    return Serialize.read(bytes);
  }

  /** 100 structs of 32 primitive fields (8 each of Int32, Int64, Float64, Bool). */
  static final class WideStructs implements Shape {
    static final int COUNT = 100;

    @Override
    public long capnp() {
      MessageBuilder message = new MessageBuilder();
      StructList.Builder<CapnpShapes.Wide.Builder> items =
          message.initRoot(CapnpShapes.WideBatch.FACTORY).initItems(COUNT);
      for (int i = 0; i < COUNT; i++) {
        CapnpShapes.Wide.Builder w = items.get(i);
        w.setI0(i * 31 + 0);
        w.setI1(i * 31 + 1);
        w.setI2(i * 31 + 2);
        w.setI3(i * 31 + 3);
        w.setI4(i * 31 + 4);
        w.setI5(i * 31 + 5);
        w.setI6(i * 31 + 6);
        w.setI7(i * 31 + 7);
        w.setL0(i * 1_000_003L * 1);
        w.setL1(i * 1_000_003L * 2);
        w.setL2(i * 1_000_003L * 3);
        w.setL3(i * 1_000_003L * 4);
        w.setL4(i * 1_000_003L * 5);
        w.setL5(i * 1_000_003L * 6);
        w.setL6(i * 1_000_003L * 7);
        w.setL7(i * 1_000_003L * 8);
        w.setD0(i * 0.5 + 0);
        w.setD1(i * 0.5 + 1);
        w.setD2(i * 0.5 + 2);
        w.setD3(i * 0.5 + 3);
        w.setD4(i * 0.5 + 4);
        w.setD5(i * 0.5 + 5);
        w.setD6(i * 0.5 + 6);
        w.setD7(i * 0.5 + 7);
        w.setB0(((i + 0) & 1) == 0);
        w.setB1(((i + 1) & 1) == 0);
        w.setB2(((i + 2) & 1) == 0);
        w.setB3(((i + 3) & 1) == 0);
        w.setB4(((i + 4) & 1) == 0);
        w.setB5(((i + 5) & 1) == 0);
        w.setB6(((i + 6) & 1) == 0);
        w.setB7(((i + 7) & 1) == 0);
      }
      long sum = 0;
      for (CapnpShapes.Wide.Reader w
          : roundTrip(message).getRoot(CapnpShapes.WideBatch.FACTORY).getItems()) {
        sum += w.getI0() + w.getI1() + w.getI2() + w.getI3() + w.getI4() + w.getI5() + w.getI6()
          + w.getI7() + w.getL0() + w.getL1() + w.getL2() + w.getL3() + w.getL4() + w.getL5()
          + w.getL6() + w.getL7() + (long) w.getD0() + (long) w.getD1() + (long) w.getD2()
          + (long) w.getD3() + (long) w.getD4() + (long) w.getD5() + (long) w.getD6()
          + (long) w.getD7() + (w.getB0() ? 1 : 0) + (w.getB1() ? 1 : 0) + (w.getB2() ? 1 : 0)
          + (w.getB3() ? 1 : 0) + (w.getB4() ? 1 : 0) + (w.getB5() ? 1 : 0)
          + (w.getB6() ? 1 : 0) + (w.getB7() ? 1 : 0);
      }
      return sum;
    }

    @Override
    public long protobuf() throws Exception {
      ProtoShapes.WideBatch.Builder batch =
          ProtoShapes.WideBatch.newBuilder();
      for (int i = 0; i < COUNT; i++) {
        batch.addItems(ProtoShapes.Wide.newBuilder()
            .setI0(i * 31 + 0)
            .setI1(i * 31 + 1)
            .setI2(i * 31 + 2)
            .setI3(i * 31 + 3)
            .setI4(i * 31 + 4)
            .setI5(i * 31 + 5)
            .setI6(i * 31 + 6)
            .setI7(i * 31 + 7)
            .setL0(i * 1_000_003L * 1)
            .setL1(i * 1_000_003L * 2)
            .setL2(i * 1_000_003L * 3)
            .setL3(i * 1_000_003L * 4)
            .setL4(i * 1_000_003L * 5)
            .setL5(i * 1_000_003L * 6)
            .setL6(i * 1_000_003L * 7)
            .setL7(i * 1_000_003L * 8)
            .setD0(i * 0.5 + 0)
            .setD1(i * 0.5 + 1)
            .setD2(i * 0.5 + 2)
            .setD3(i * 0.5 + 3)
            .setD4(i * 0.5 + 4)
            .setD5(i * 0.5 + 5)
            .setD6(i * 0.5 + 6)
            .setD7(i * 0.5 + 7)
            .setB0(((i + 0) & 1) == 0)
            .setB1(((i + 1) & 1) == 0)
            .setB2(((i + 2) & 1) == 0)
            .setB3(((i + 3) & 1) == 0)
            .setB4(((i + 4) & 1) == 0)
            .setB5(((i + 5) & 1) == 0)
            .setB6(((i + 6) & 1) == 0)
            .setB7(((i + 7) & 1) == 0));
      }
      byte[] bytes = batch.build().toByteArray();
      long sum = 0;
      for (ProtoShapes.Wide w
          : ProtoShapes.WideBatch.parseFrom(bytes).getItemsList()) {
        sum += w.getI0() + w.getI1() + w.getI2() + w.getI3() + w.getI4() + w.getI5() + w.getI6()
          + w.getI7() + w.getL0() + w.getL1() + w.getL2() + w.getL3() + w.getL4() + w.getL5()
          + w.getL6() + w.getL7() + (long) w.getD0() + (long) w.getD1() + (long) w.getD2()
          + (long) w.getD3() + (long) w.getD4() + (long) w.getD5() + (long) w.getD6()
          + (long) w.getD7() + (w.getB0() ? 1 : 0) + (w.getB1() ? 1 : 0) + (w.getB2() ? 1 : 0)
          + (w.getB3() ? 1 : 0) + (w.getB4() ? 1 : 0) + (w.getB5() ? 1 : 0)
          + (w.getB6() ? 1 : 0) + (w.getB7() ? 1 : 0);
      }
      return sum;
    }
  }

  /** A binary tree of 255 nodes (depth 8), each with an Int64. */
  static final class DeepTree implements Shape {
    static final int DEPTH = 8;

    @Override
    public long capnp() {
      MessageBuilder message = new MessageBuilder();
      fill(message.initRoot(CapnpShapes.Node.FACTORY), DEPTH, new long[1]);
      return walk(roundTrip(message).getRoot(CapnpShapes.Node.FACTORY));
    }

    private static void fill(CapnpShapes.Node.Builder node, int depth, long[] next) {
      node.setValue(next[0]++);
      if (depth > 1) {
        StructList.Builder<CapnpShapes.Node.Builder> children = node.initChildren(2);
        fill(children.get(0), depth - 1, next);
        fill(children.get(1), depth - 1, next);
      }
    }

    private static long walk(CapnpShapes.Node.Reader node) {
      long sum = node.getValue();
      for (CapnpShapes.Node.Reader child : node.getChildren()) {
        sum += walk(child);
      }
      return sum;
    }

    @Override
    public long protobuf() throws Exception {
      byte[] bytes = build(DEPTH, new long[1]).toByteArray();
      return walk(ProtoShapes.Node.parseFrom(bytes));
    }

    private static ProtoShapes.Node build(int depth, long[] next) {
      ProtoShapes.Node.Builder node = ProtoShapes.Node.newBuilder().setValue(next[0]++);
      if (depth > 1) {
        node.addChildren(build(depth - 1, next));
        node.addChildren(build(depth - 1, next));
      }
      return node.build();
    }

    private static long walk(ProtoShapes.Node node) {
      long sum = node.getValue();
      for (ProtoShapes.Node child : node.getChildrenList()) {
        sum += walk(child);
      }
      return sum;
    }
  }

  /** A {@code List(Float64)} of 10,000 values. */
  static final class LargeDoubleList implements Shape {
    static final int COUNT = 10_000;

    @Override
    public long capnp() {
      MessageBuilder message = new MessageBuilder();
      PrimitiveList.Double.Builder values =
          message.initRoot(CapnpShapes.Doubles.FACTORY).initValues(COUNT);
      for (int i = 0; i < COUNT; i++) {
        values.set(i, i * 0.25);
      }
      PrimitiveList.Double.Reader read =
          roundTrip(message).getRoot(CapnpShapes.Doubles.FACTORY).getValues();
      double sum = 0;
      for (int i = 0; i < read.size(); i++) {
        sum += read.get(i);
      }
      return (long) sum;
    }

    @Override
    public long protobuf() throws Exception {
      ProtoShapes.Doubles.Builder values = ProtoShapes.Doubles.newBuilder();
      for (int i = 0; i < COUNT; i++) {
        values.addValues(i * 0.25);
      }
      ProtoShapes.Doubles read = ProtoShapes.Doubles.parseFrom(values.build().toByteArray());
      double sum = 0;
      for (int i = 0; i < read.getValuesCount(); i++) {
        sum += read.getValues(i);
      }
      return (long) sum;
    }
  }

  /** A 64 KiB {@code Data} blob; the walk reads every 64th byte. */
  static final class DataBlob implements Shape {
    static final byte[] BYTES = new byte[64 * 1024];

    static {
      for (int i = 0; i < BYTES.length; i++) {
        BYTES[i] = (byte) (i * 7);
      }
    }

    @Override
    public long capnp() {
      MessageBuilder message = new MessageBuilder();
      message.initRoot(CapnpShapes.Blob.FACTORY).setData(BYTES);
      dev.capnp.runtime.Data.Reader data =
          roundTrip(message).getRoot(CapnpShapes.Blob.FACTORY).getData();
      long sum = data.size();
      for (int i = 0; i < data.size(); i += 64) {
        sum += data.get(i);
      }
      return sum;
    }

    @Override
    public long protobuf() throws Exception {
      byte[] bytes = ProtoShapes.Blob.newBuilder().setData(ByteString.copyFrom(BYTES)).build()
          .toByteArray();
      ByteString data = ProtoShapes.Blob.parseFrom(bytes).getData();
      long sum = data.size();
      for (int i = 0; i < data.size(); i += 64) {
        sum += data.byteAt(i);
      }
      return sum;
    }
  }

  /**
   * 100 records of four text fields (8 to 70 ASCII chars); the walk adds up the texts' sizes
   * and counts the records whose author is "Alice" (a comparison with a String).
   */
  static final class TextRecords implements Shape {
    static final int COUNT = 100;
    static final String[] AUTHORS = {"Alice", "Bob", "Carol", "Dave", "Eve", "Mallory"};
    static final String[] KEYS = new String[COUNT];
    static final String[] TITLES = new String[COUNT];
    static final String[] BODIES = new String[COUNT];

    static {
      for (int i = 0; i < COUNT; i++) {
        KEYS[i] = "key-" + i;
        TITLES[i] = "The title of record number " + i;
        BODIES[i] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, record " + i;
      }
    }

    @Override
    public long capnp() {
      MessageBuilder message = new MessageBuilder();
      StructList.Builder<CapnpShapes.TextRecord.Builder> records =
          message.initRoot(CapnpShapes.TextBatch.FACTORY).initRecords(COUNT);
      for (int i = 0; i < COUNT; i++) {
        CapnpShapes.TextRecord.Builder r = records.get(i);
        r.setKey(KEYS[i]);
        r.setTitle(TITLES[i]);
        r.setAuthor(AUTHORS[i % AUTHORS.length]);
        r.setBody(BODIES[i]);
      }
      long sum = 0;
      for (CapnpShapes.TextRecord.Reader r
          : roundTrip(message).getRoot(CapnpShapes.TextBatch.FACTORY).getRecords()) {
        sum += r.getKey().size() + r.getTitle().size() + r.getAuthor().size()
            + r.getBody().size();
        if (r.getAuthor().contentEquals("Alice")) {
          sum += 1000;
        }
      }
      return sum;
    }

    @Override
    public long protobuf() throws Exception {
      ProtoShapes.TextBatch.Builder batch = ProtoShapes.TextBatch.newBuilder();
      for (int i = 0; i < COUNT; i++) {
        batch.addRecords(ProtoShapes.TextRecord.newBuilder()
            .setKey(KEYS[i])
            .setTitle(TITLES[i])
            .setAuthor(AUTHORS[i % AUTHORS.length])
            .setBody(BODIES[i]));
      }
      byte[] bytes = batch.build().toByteArray();
      long sum = 0;
      for (ProtoShapes.TextRecord r : ProtoShapes.TextBatch.parseFrom(bytes).getRecordsList()) {
        sum += r.getKey().length() + r.getTitle().length() + r.getAuthor().length()
            + r.getBody().length();
        if (r.getAuthor().equals("Alice")) {
          sum += 1000;
        }
      }
      return sum;
    }
  }
}
