package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.test.TestSchema.TestGroups;
import dev.capnp.test.TestSchema.TestInterleavedGroups;
import dev.capnp.test.TestSchema.TestUnion;
import dev.capnp.test.TestSchema.TestUnionDefaults;
import dev.capnp.test.TestSchema.TestUnnamedUnion;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Named and unnamed unions, groups, unions in groups; checked against the reference tool. */
class UnionsAndGroupsTest {
  @Test
  void namedUnionsSetDiscriminantsAndDecodeWithCapnp() {
    MessageBuilder message = new MessageBuilder();
    TestUnion.Builder u = message.initRoot(TestUnion.FACTORY);
    u.getUnion0().setU0f1s32(1234567);
    u.getUnion1().setU1f2sp("union text");
    u.getUnion2().setU2f0s1(true);
    u.getUnion3().setU3f0s64(-42L);
    u.setBit0(true);
    u.setByte0((byte) 0xab);

    TestUnion.Reader r = u.asReader();
    assertThat(r.getUnion0().which()).isEqualTo(TestUnion.Union0.Which.U0F1S32);
    assertThat(r.getUnion0().getU0f1s32()).isEqualTo(1234567);
    assertThat(r.getUnion1().which()).isEqualTo(TestUnion.Union1.Which.U1F2SP);
    assertThat(r.getUnion1().isU1f2sp()).isTrue();
    assertThat(r.getUnion1().getU1f2sp().toString()).isEqualTo("union text");
    assertThat(r.getUnion2().getU2f0s1()).isTrue();
    assertThat(r.getUnion3().getU3f0s64()).isEqualTo(-42L);

    byte[] bytes = Serialize.toBytes(message);
    byte[] reference = CapnpTool.encode("TestUnion",
        "(union0 = (u0f1s32 = 1234567), union1 = (u1f2sp = \"union text\"), "
            + "union2 = (u2f0s1 = true), union3 = (u3f0s64 = -42), bit0 = true, byte0 = 171)", false);
    assertThat(CapnpTool.decode("TestUnion", bytes, false))
        .isEqualTo(CapnpTool.decode("TestUnion", reference, false));
    TestUnion.Reader fromCapnp = Serialize.read(ByteBuffer.wrap(reference)).getRoot(TestUnion.FACTORY);
    assertThat(fromCapnp.getUnion1().getU1f2sp().toString()).isEqualTo("union text");
    assertThat(fromCapnp.getByte0()).isEqualTo((byte) 0xab);
  }

  @Test
  void unnamedUnion() {
    MessageBuilder message = new MessageBuilder();
    TestUnnamedUnion.Builder u = message.initRoot(TestUnnamedUnion.FACTORY);
    u.setBefore("before");
    u.setBar(321);
    u.setMiddle((short) 7);
    u.setAfter("after");
    assertThat(u.which()).isEqualTo(TestUnnamedUnion.Which.BAR);
    assertThat(u.asReader().isBar()).isTrue();
    assertThat(u.asReader().isFoo()).isFalse();
    assertThat(CapnpTool.decode("TestUnnamedUnion", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestUnnamedUnion", CapnpTool.encode("TestUnnamedUnion",
            "(before = \"before\", bar = 321, middle = 7, after = \"after\")", false), false));
    u.setFoo((short) 5);
    assertThat(u.asReader().which()).isEqualTo(TestUnnamedUnion.Which.FOO);
    assertThat(u.asReader().getFoo()).isEqualTo((short) 5);
  }

  @Test
  void unionDefaults() {
    MessageBuilder message = new MessageBuilder();
    TestUnionDefaults.Reader r = message.initRoot(TestUnionDefaults.FACTORY).asReader();
    assertThat(r.getS16s8s64s8Set().getUnion0().getU0f0s16()).isEqualTo((short) 321);
    assertThat(r.getS16s8s64s8Set().getUnion2().getU2f0s64()).isEqualTo(12345678901234567L);
    assertThat(r.getS0sps1s32Set().getUnion1().getU1f0sp().toString()).isEqualTo("foo");
    assertThat(r.getUnnamed1().which()).isEqualTo(TestUnnamedUnion.Which.FOO);
    assertThat(r.getUnnamed2().getAfter().toString()).isEqualTo("bar");
  }

  @Test
  void groupsInUnions() {
    MessageBuilder message = new MessageBuilder();
    TestGroups.Builder g = message.initRoot(TestGroups.FACTORY);
    TestGroups.Groups.Bar.Builder bar = g.getGroups().initBar();
    bar.setCorge(12);
    bar.setGrault("grault text");
    bar.setGarply(-99L);
    TestGroups.Groups.Reader groups = g.asReader().getGroups();
    assertThat(groups.which()).isEqualTo(TestGroups.Groups.Which.BAR);
    assertThat(groups.getBar().getGrault().toString()).isEqualTo("grault text");
    assertThat(CapnpTool.decode("TestGroups", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestGroups", CapnpTool.encode("TestGroups",
            "(groups = (bar = (corge = 12, grault = \"grault text\", garply = -99)))", false), false));
  }

  @Test
  void interleavedGroupsKeepTheirFieldsApart() {
    MessageBuilder message = new MessageBuilder();
    TestInterleavedGroups.Builder g = message.initRoot(TestInterleavedGroups.FACTORY);
    g.getGroup1().setFoo(1);
    g.getGroup1().setBar(2);
    g.getGroup1().initCorge().setGrault(3);
    g.getGroup1().getCorge().setPlugh("plugh1");
    g.getGroup2().setFoo(11);
    g.getGroup2().setQux((short) 12);
    g.getGroup2().setWaldo("waldo2");
    TestInterleavedGroups.Reader r = g.asReader();
    assertThat(r.getGroup1().getFoo()).isEqualTo(1);
    assertThat(r.getGroup1().getCorge().getGrault()).isEqualTo(3L);
    assertThat(r.getGroup1().getCorge().getPlugh().toString()).isEqualTo("plugh1");
    assertThat(r.getGroup2().which()).isEqualTo(TestInterleavedGroups.Group2.Which.QUX);
    assertThat(r.getGroup2().getWaldo().toString()).isEqualTo("waldo2");
    assertThat(CapnpTool.decode("TestInterleavedGroups", Serialize.toBytes(message), false))
        .isEqualTo(CapnpTool.decode("TestInterleavedGroups", CapnpTool.encode("TestInterleavedGroups",
            "(group1 = (foo = 1, bar = 2, corge = (grault = 3, plugh = \"plugh1\")),"
                + " group2 = (foo = 11, qux = 12, waldo = \"waldo2\"))", false), false));
  }
}
