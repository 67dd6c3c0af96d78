package dev.capnp.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CallExpression}: the call chains of {@code capnp-java call}. */
class CallExpressionTest {
  @Test
  void oneCall() {
    CallExpression e = CallExpression.parse("Echo.ping(msg = \"hi (there)\")");
    assertThat(e.steps()).containsExactly(
        new CallExpression.Step(List.of("Echo"), "ping", "(msg = \"hi (there)\")"));
  }

  @Test
  void nestedInterfaceAndPipelinedCalls() {
    CallExpression e = CallExpression.parse(
        " Calculator.Value.read() . value.read ( ) .getCalculator().a.b.evaluate("
            + "expression = (call = (params = [(literal = 1)])))");
    assertThat(e.steps()).extracting(CallExpression.Step::label).containsExactly(
        "Calculator.Value.read", "value.read", "getCalculator", "a.b.evaluate");
    assertThat(e.steps().get(1).params()).isEqualTo("( )");
    assertThat(e.steps().get(3).params())
        .isEqualTo("(expression = (call = (params = [(literal = 1)])))");
  }

  @Test
  void stringsMayHoldParenthesesAndEscapedQuotes() {
    CallExpression e = CallExpression.parse("A.m(t = \"a \\\" ) b\", u = 'x)')");
    assertThat(e.steps().get(0).params()).isEqualTo("(t = \"a \\\" ) b\", u = 'x)')");
  }

  @Test
  void errorsNameTheColumn() {
    assertThatThrownBy(() -> CallExpression.parse("ping()"))
        .isInstanceOf(ToolException.class)
        .hasMessageContaining("the first call must be Interface.method(...)");
    assertThatThrownBy(() -> CallExpression.parse("Echo.ping"))
        .hasMessageEndingWith("column 10: expected '(' after \"Echo.ping\"");
    assertThatThrownBy(() -> CallExpression.parse("Echo.ping(msg = 1"))
        .hasMessageEndingWith("column 10: no ')' closes this '('");
    assertThatThrownBy(() -> CallExpression.parse("Echo.ping(msg = \"x)"))
        .hasMessageEndingWith("column 17: unterminated string");
    assertThatThrownBy(() -> CallExpression.parse("Echo.ping() x"))
        .hasMessageEndingWith("column 13: expected '.' or the end after a call");
    assertThatThrownBy(() -> CallExpression.parse("Echo.1ping()"))
        .hasMessageEndingWith("column 6: expected a name");
    assertThatThrownBy(() -> CallExpression.parse("Echo.ping(a = [1)]"))
        .hasMessageContaining("unbalanced ']'");
  }
}
