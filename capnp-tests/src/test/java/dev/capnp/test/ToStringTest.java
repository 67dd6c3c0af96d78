package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.runtime.MessageBuilder;
import dev.capnp.test.TestSchema.TestAllTypes;
import dev.capnp.test.TestSchema.TestUnion;
import org.junit.jupiter.api.Test;

/** Generated {@code toString()} prints Cap'n Proto text format. */
class ToStringTest {
  @Test
  void toStringIsTextFormatThatCapnpCanParse() {
    MessageBuilder message = new MessageBuilder();
    TestAllTypes.Builder b = message.initRoot(TestAllTypes.FACTORY);
    AllTypesValues.init(b);
    String text = b.asReader().toString();
    assertThat(text).startsWith("(").contains("textField = \"foo\"").contains("enumField = corge");
    // The reference tool accepts our text and renders it exactly as it renders its own fixture.
    byte[] reencoded = CapnpTool.encode("TestAllTypes", text, false);
    byte[] reference = CapnpTool.encode("TestAllTypes", CapnpTool.fixture("all-types.txt"), false);
    assertThat(CapnpTool.decode("TestAllTypes", reencoded, false))
        .isEqualTo(CapnpTool.decode("TestAllTypes", reference, false));
    assertThat(b.toString()).isEqualTo(text);
  }

  @Test
  void unionsPrintTheActiveMember() {
    MessageBuilder message = new MessageBuilder();
    TestUnion.Builder u = message.initRoot(TestUnion.FACTORY);
    u.getUnion1().setU1f1sp("hello");
    assertThat(u.asReader().getUnion1().toString()).isEqualTo("(u1f1sp = \"hello\")");
  }

  @Test
  void voidFieldsHaveGettersReturningNull() throws ReflectiveOperationException {
    MessageBuilder message = new MessageBuilder();
    TestAllTypes.Builder b = message.initRoot(TestAllTypes.FACTORY);
    assertThat(b.getVoidField()).isNull();
    assertThat(b.asReader().getVoidField()).isNull();
    assertThat(TestAllTypes.Reader.class.getMethod("getVoidField").getReturnType())
        .isEqualTo(Void.class);
    TestUnion.Builder u = message.initRoot(TestUnion.FACTORY);
    u.getUnion0().setU0f0s0();
    assertThat(u.asReader().getUnion0().isU0f0s0()).isTrue();
    assertThat(u.asReader().getUnion0().getU0f0s0()).isNull();
    assertThat(u.getUnion0().getU0f0s0()).isNull();
  }
}
