package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextParserTest {
  private static TextExpression parse(String s) {
    return TextParser.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesStructLiteral() {
    TextExpression e = parse("(a = 1, b = \"x\\ty\" \"z\", c = [1, -2, 0x1F, 017], d = -inf, e = red)");
    assertThat(e).isInstanceOf(TextExpression.Tuple.class);
    var params = ((TextExpression.Tuple) e).params();
    assertThat(params).extracting(TextExpression.Param::name).containsExactly("a", "b", "c", "d", "e");
    assertThat(((TextExpression.PositiveInt) params.get(0).value()).value()).isEqualTo(1);
    assertThat(new String(((TextExpression.StringValue) params.get(1).value()).bytes(),
        StandardCharsets.UTF_8)).isEqualTo("x\tyz");
    var list = ((TextExpression.ListValue) params.get(2).value()).elements();
    assertThat(((TextExpression.NegativeInt) list.get(1)).magnitude()).isEqualTo(2);
    assertThat(((TextExpression.PositiveInt) list.get(2)).value()).isEqualTo(31);
    assertThat(((TextExpression.PositiveInt) list.get(3)).value()).isEqualTo(15);
    assertThat(((TextExpression.FloatValue) params.get(3).value()).value())
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(((TextExpression.Name) params.get(4).value()).name()).isEqualTo("red");
  }

  @Test
  void singleUnnamedTupleIsItsValue() {
    assertThat(parse("(5)")).isInstanceOf(TextExpression.PositiveInt.class);
    assertThat(parse("()")).isInstanceOf(TextExpression.Tuple.class);
    assertThat(parse("[1, 2,]")).isInstanceOfSatisfying(TextExpression.ListValue.class,
        l -> assertThat(l.elements()).hasSize(2));
  }

  @Test
  void escapesAndBinary() {
    var s = (TextExpression.StringValue) parse("\"\\x41\\101\\n\\\"\\0\"");
    assertThat(s.bytes()).containsExactly('A', 'A', '\n', '"', 0);
    var b = (TextExpression.BinaryValue) parse("0x\"01 ff  7a\"");
    assertThat(b.bytes()).containsExactly(1, 0xff, 0x7a);
    assertThat(((TextExpression.FloatValue) parse("1.5e3")).value()).isEqualTo(1500.0);
    assertThat(((TextExpression.FloatValue) parse("-2.")).value()).isEqualTo(-2.0);
  }

  @Test
  void commentsAndWhitespace() {
    assertThat(parse("# hello\n ( a = 1 # c\n , b = 2)\n")).isInstanceOf(TextExpression.Tuple.class);
  }

  @Test
  void errorsHavePositions() {
    assertThatThrownBy(() -> parse("(i=-1)")).isInstanceOf(TextFormatException.class)
        .hasMessageContaining("line 1, column");
    assertThatThrownBy(() -> parse("(a = 1")).hasMessageContaining("never closed");
    assertThatThrownBy(() -> parse("(a = \"x)")).hasMessageContaining("unterminated string");
    assertThatThrownBy(() -> parse("(a = 1)\n5")).hasMessageContaining("line 2, column 1")
        .hasMessageContaining("Extra tokens");
    assertThatThrownBy(() -> parse("(a = 1 2)")).hasMessageContaining("missing ','");
    assertThatThrownBy(() -> parse("(a = 99999999999999999999999)"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> parse("(a = \"\\q\")")).hasMessageContaining("invalid escape");
    assertThatThrownBy(() -> parse("(a = 1x)")).hasMessageContaining("invalid number");
    assertThatThrownBy(() -> parse("(a = 1e)")).hasMessageContaining("exponent without digits");
    assertThatThrownBy(() -> parse("(a = 1e+)")).hasMessageContaining("exponent without digits");
    assertThatThrownBy(() -> parse("")).hasMessageContaining("Premature end");
    assertThatThrownBy(() -> parse("[1,,2]")).hasMessageContaining("Empty list item");
  }
}
