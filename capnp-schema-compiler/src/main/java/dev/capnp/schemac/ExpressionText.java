package dev.capnp.schemac;

import java.util.List;
import java.util.stream.Collectors;

/** Prints an expression for error messages, the way the C++ compiler does. */
final class ExpressionText {
  private ExpressionText() {}

  static String of(Expression e) {
    if (e == null || e instanceof Expression.Unknown) {
      return "<parse error>";
    }
    if (e instanceof Expression.PositiveInt p) {
      return Long.toUnsignedString(p.value());
    } else if (e instanceof Expression.NegativeInt n) {
      return "-" + Long.toUnsignedString(n.magnitude());
    } else if (e instanceof Expression.FloatLiteral f) {
      return Double.toString(f.value());
    } else if (e instanceof Expression.StringLiteral s) {
      return quote(s.value());
    } else if (e instanceof Expression.BinaryLiteral b) {
      StringBuilder out = new StringBuilder("0x\"");
      for (int i = 0; i < b.value().length; i++) {
        out.append(i == 0 ? "" : " ").append(String.format("%02x", b.value()[i] & 0xff));
      }
      return out.append('"').toString();
    } else if (e instanceof Expression.RelativeName r) {
      return r.name();
    } else if (e instanceof Expression.AbsoluteName a) {
      return "." + a.name();
    } else if (e instanceof Expression.Import i) {
      return "import " + quote(i.path());
    } else if (e instanceof Expression.Embed em) {
      return "embed " + quote(em.path());
    } else if (e instanceof Expression.ListExpr l) {
      return "[ " + l.elements().stream().map(ExpressionText::of)
          .collect(Collectors.joining(", ")) + " ]";
    } else if (e instanceof Expression.Tuple t) {
      return tuple(t.params());
    } else if (e instanceof Expression.Application a) {
      return of(a.function()) + "(" + tuple(a.params()) + ")";
    } else if (e instanceof Expression.Member m) {
      return of(m.parent()) + "." + m.name();
    }
    throw new IllegalStateException("unknown expression " + e);
  }

  private static String tuple(List<Expression.Param> params) {
    return "( " + params.stream()
        .map(p -> (p.name() == null ? "" : p.name() + " = ") + of(p.value()))
        .collect(Collectors.joining(", ")) + " )";
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
