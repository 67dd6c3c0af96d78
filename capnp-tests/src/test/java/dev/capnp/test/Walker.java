package dev.capnp.test;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.Text;
import dev.capnp.test.TestSchema.TestAllTypes;

/** Reads every field of a {@code TestAllTypes} tree, as a hostile-input oracle would. */
final class Walker {
  private Walker() {}

  static long walk(MessageReader message) {
    return walk(message.getRoot(TestAllTypes.FACTORY), 0);
  }

  static long walk(TestAllTypes.Reader r, int depth) {
    long sum = 0;
    sum += r.getBoolField() ? 1 : 0;
    sum += r.getInt8Field() + r.getInt16Field() + r.getInt32Field() + r.getInt64Field();
    sum += r.getUInt8Field() + r.getUInt16Field() + r.getUInt32Field() + r.getUInt64Field();
    sum += (long) r.getFloat32Field() + (long) r.getFloat64Field();
    sum += text(r.getTextField()) + data(r.getDataField());
    sum += r.getEnumField().ordinal();
    if (r.hasStructField() && depth < 8) {
      sum += walk(r.getStructField(), depth + 1);
    }
    sum += r.getVoidList().size();
    for (int i = 0; i < r.getBoolList().size(); i++) {
      sum += r.getBoolList().get(i) ? 1 : 0;
    }
    for (int i = 0; i < r.getInt8List().size(); i++) {
      sum += r.getInt8List().get(i);
    }
    for (int i = 0; i < r.getInt16List().size(); i++) {
      sum += r.getInt16List().get(i);
    }
    for (int i = 0; i < r.getInt32List().size(); i++) {
      sum += r.getInt32List().get(i);
    }
    for (int i = 0; i < r.getInt64List().size(); i++) {
      sum += r.getInt64List().get(i);
    }
    for (int i = 0; i < r.getUInt8List().size(); i++) {
      sum += r.getUInt8List().get(i);
    }
    for (int i = 0; i < r.getUInt16List().size(); i++) {
      sum += r.getUInt16List().get(i);
    }
    for (int i = 0; i < r.getUInt32List().size(); i++) {
      sum += r.getUInt32List().get(i);
    }
    for (int i = 0; i < r.getUInt64List().size(); i++) {
      sum += r.getUInt64List().get(i);
    }
    for (int i = 0; i < r.getFloat32List().size(); i++) {
      sum += (long) r.getFloat32List().get(i);
    }
    for (int i = 0; i < r.getFloat64List().size(); i++) {
      sum += (long) r.getFloat64List().get(i);
    }
    for (Text.Reader t : r.getTextList()) {
      sum += text(t);
    }
    for (Data.Reader d : r.getDataList()) {
      sum += data(d);
    }
    for (TestAllTypes.Reader s : r.getStructList()) {
      if (depth < 8) {
        sum += walk(s, depth + 1);
      }
    }
    for (int i = 0; i < r.getEnumList().size(); i++) {
      sum += r.getEnumList().get(i).ordinal();
    }
    return sum;
  }

  private static long text(Text.Reader t) {
    return t.toString().length();
  }

  private static long data(Data.Reader d) {
    return d.toArray().length;
  }
}
