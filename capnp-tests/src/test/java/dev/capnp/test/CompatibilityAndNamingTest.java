package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.test.TestSchema.TestKeywords;
import dev.capnp.test.TestSchema.TestNewVersion;
import dev.capnp.test.TestSchema.TestOldVersion;
import dev.capnp.test.TestSchema.TestOutOfOrder;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Schema evolution in both directions, field ordering and Java keyword escaping. */
class CompatibilityAndNamingTest {
  @Test
  void newReaderSeesDefaultsInOldMessages() {
    MessageBuilder message = new MessageBuilder();
    TestOldVersion.Builder old = message.initRoot(TestOldVersion.FACTORY);
    old.setOld1(123);
    old.setOld2("old");
    old.initOld3().setOld2("older");
    TestNewVersion.Reader r =
        Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message))).getRoot(TestNewVersion.FACTORY);
    assertThat(r.getOld1()).isEqualTo(123);
    assertThat(r.getOld2().toString()).isEqualTo("old");
    assertThat(r.getOld3().getOld2().toString()).isEqualTo("older");
    assertThat(r.getNew1()).isEqualTo(987);
    assertThat(r.getNew2().toString()).isEqualTo("baz");
    assertThat(r.getOld3().getNew1()).isEqualTo(987);
  }

  @Test
  void oldReaderIgnoresNewFieldsAndCopyKeepsThem() {
    MessageBuilder message = new MessageBuilder();
    TestNewVersion.Builder fresh = message.initRoot(TestNewVersion.FACTORY);
    fresh.setOld1(1);
    fresh.setNew1(2);
    fresh.setNew2("new");
    TestOldVersion.Reader old =
        Serialize.read(ByteBuffer.wrap(Serialize.toBytes(message))).getRoot(TestOldVersion.FACTORY);
    assertThat(old.getOld1()).isEqualTo(1);
    // Copying through the old type keeps the unknown fields.
    MessageBuilder copy = new MessageBuilder();
    copy.setRoot(TestOldVersion.FACTORY, old);
    TestNewVersion.Reader back =
        Serialize.read(ByteBuffer.wrap(Serialize.toBytes(copy))).getRoot(TestNewVersion.FACTORY);
    assertThat(back.getNew1()).isEqualTo(2);
    assertThat(back.getNew2().toString()).isEqualTo("new");
  }

  @Test
  void outOfOrderFieldsLandWhereCapnpExpectsThem() {
    MessageBuilder message = new MessageBuilder();
    TestOutOfOrder.Builder b = message.initRoot(TestOutOfOrder.FACTORY);
    b.setFoo("foo");
    b.setQux("qux");
    b.setWaldo("waldo");
    assertThat(CapnpTool.decode("TestOutOfOrder", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestOutOfOrder", CapnpTool.encode("TestOutOfOrder",
            "(foo = \"foo\", qux = \"qux\", waldo = \"waldo\")", false), false));
  }

  @Test
  void javaKeywordsAndObjectMethodNamesAreEscaped() {
    MessageBuilder message = new MessageBuilder();
    TestKeywords.Builder b = message.initRoot(TestKeywords.FACTORY);
    b.setClass(1);
    b.setPackage("pkg");
    b.setDefault(true);
    b.setHashCode(7);
    b.setToString("text");
    b.initObject().setNew(true);
    b.setSwitch(TestKeywords.Switch.CONTINUE);
    TestKeywords.Reader r = b.asReader();
    assertThat(r.getClass_()).isEqualTo(1);
    assertThat(r.getPackage().toString()).isEqualTo("pkg");
    assertThat(r.getDefault()).isTrue();
    assertThat(r.getHashCode()).isEqualTo(7);
    assertThat(r.getToString().toString()).isEqualTo("text");
    assertThat(r.getObject().getNew()).isTrue();
    assertThat(r.getSwitch()).isEqualTo(TestKeywords.Switch.CONTINUE);
    assertThat(CapnpTool.decode("TestKeywords", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestKeywords", CapnpTool.encode("TestKeywords",
            "(class = 1, package = \"pkg\", default = true, hashCode = 7, toString = \"text\","
                + " object = (new = true), switch = continue)", false), false));
  }
}
