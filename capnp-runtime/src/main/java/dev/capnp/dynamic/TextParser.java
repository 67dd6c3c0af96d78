package dev.capnp.dynamic;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses tokens into one {@link TextExpression}, following the expression grammar of the schema
 * language (literals, {@code -} before numbers and {@code inf}, adjacent strings concatenated,
 * lists, tuples where a single unnamed element is just that value, names, member access and
 * application).
 */
final class TextParser {
  private final byte[] input;
  private final List<TextToken> tokens;
  private int pos;

  private TextParser(byte[] input, List<TextToken> tokens) {
    this.input = input;
    this.tokens = tokens;
  }

  /** Lexes and parses {@code input}, which must hold exactly one expression. */
  static TextExpression parse(byte[] input) {
    List<TextToken> tokens = TextLexer.lex(input);
    if (tokens.isEmpty()) {
      throw TextFormatException.at(input, input.length, input.length,
          "Premature end of input: expected a value.");
    }
    TextParser parser = new TextParser(input, tokens);
    TextExpression e = parser.expression(input.length);
    if (parser.pos < tokens.size()) {
      TextToken extra = tokens.get(parser.pos);
      throw parser.error(extra.start(), extra.end(), "Extra tokens in input.");
    }
    return e;
  }

  private TextFormatException error(int start, int end, String what) {
    return TextFormatException.at(input, start, end, what);
  }

  private TextToken peek(int offset) {
    int i = pos + offset;
    return i < tokens.size() ? tokens.get(i) : null;
  }

  private boolean isOperator(TextToken t, String op) {
    return t instanceof TextToken.Operator o && o.text().equals(op);
  }

  /** Parses one expression; {@code endByte} locates errors when tokens run out. */
  private TextExpression expression(int endByte) {
    TextExpression base = base(endByte);
    for (;;) {
      TextToken t = peek(0);
      if (isOperator(t, ".") && peek(1) instanceof TextToken.Identifier id) {
        pos += 2;
        base = new TextExpression.Unsupported("member '" + id.name() + "'", base.start(), id.end());
      } else if (t instanceof TextToken.Group g && !g.bracket()) {
        pos++;
        tuple(g);
        base = new TextExpression.Unsupported("application", base.start(), g.end());
      } else {
        return base;
      }
    }
  }

  private TextExpression base(int endByte) {
    TextToken t = peek(0);
    if (t == null) {
      throw error(endByte, endByte, "Parse error: expected a value.");
    }
    if (t instanceof TextToken.IntegerLiteral i) {
      pos++;
      return new TextExpression.PositiveInt(i.value(), i.start(), i.end());
    }
    if (t instanceof TextToken.FloatLiteral f) {
      pos++;
      return new TextExpression.FloatValue(f.value(), f.start(), f.end());
    }
    if (isOperator(t, "-")) {
      TextToken next = peek(1);
      if (next instanceof TextToken.IntegerLiteral i) {
        pos += 2;
        return new TextExpression.NegativeInt(i.value(), i.start(), i.end());
      }
      if (next instanceof TextToken.FloatLiteral f) {
        pos += 2;
        return new TextExpression.FloatValue(-f.value(), f.start(), f.end());
      }
      if (next instanceof TextToken.Identifier id && id.name().equals("inf")) {
        pos += 2;
        return new TextExpression.FloatValue(Double.NEGATIVE_INFINITY, t.start(), id.end());
      }
      throw error(t.start(), next == null ? t.end() : next.end(),
          "Parse error: '-' must be followed by a number or inf.");
    }
    if (t instanceof TextToken.StringLiteral s) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int start = s.start();
      int end = s.end();
      while (peek(0) instanceof TextToken.StringLiteral part) {
        bytes.writeBytes(part.bytes());
        end = part.end();
        pos++;
      }
      return new TextExpression.StringValue(bytes.toByteArray(), start, end);
    }
    if (t instanceof TextToken.BinaryLiteral b) {
      pos++;
      return new TextExpression.BinaryValue(b.bytes(), b.start(), b.end());
    }
    if (t instanceof TextToken.Group g) {
      pos++;
      if (g.bracket()) {
        List<TextExpression> elements = new ArrayList<>(g.items().size());
        for (List<TextToken> item : g.items()) {
          elements.add(item(item, g));
        }
        return new TextExpression.ListValue(List.copyOf(elements), g.start(), g.end());
      }
      List<TextExpression.Param> params = tuple(g);
      if (params.size() == 1 && params.get(0).name() == null) {
        return params.get(0).value();
      }
      return new TextExpression.Tuple(params, g.start(), g.end());
    }
    if (t instanceof TextToken.Identifier id) {
      pos++;
      if ((id.name().equals("import") || id.name().equals("embed"))
          && peek(0) instanceof TextToken.StringLiteral s) {
        pos++;
        return new TextExpression.Unsupported(id.name(), id.start(), s.end());
      }
      return new TextExpression.Name(id.name(), id.start(), id.end());
    }
    if (isOperator(t, ".") && peek(1) instanceof TextToken.Identifier id) {
      pos += 2;
      return new TextExpression.Unsupported("absolute name '." + id.name() + "'", t.start(), id.end());
    }
    throw error(t.start(), t.end(), "Parse error: unexpected " + describe(t) + ".");
  }

  private static String describe(TextToken t) {
    if (t instanceof TextToken.Operator o) {
      return "'" + o.text() + "'";
    }
    return t.getClass().getSimpleName();
  }

  private List<TextExpression.Param> tuple(TextToken.Group g) {
    List<TextExpression.Param> params = new ArrayList<>(g.items().size());
    for (List<TextToken> item : g.items()) {
      if (item.size() >= 2 && item.get(0) instanceof TextToken.Identifier name
          && isOperator(item.get(1), "=")) {
        TextExpression value = item(item.subList(2, item.size()), g, item.get(1).end());
        params.add(new TextExpression.Param(name.name(), name.start(), name.end(), value));
      } else {
        params.add(new TextExpression.Param(null, -1, -1, item(item, g)));
      }
    }
    return List.copyOf(params);
  }

  private TextExpression item(List<TextToken> item, TextToken.Group g) {
    return item(item, g, -1);
  }

  /** Parses one comma-separated list item, which must be exactly one expression. */
  private TextExpression item(List<TextToken> item, TextToken.Group g, int afterEquals) {
    if (item.isEmpty()) {
      if (afterEquals >= 0) {
        throw error(afterEquals, afterEquals, "Parse error: expected a value after '='.");
      }
      throw error(g.start(), g.end(), "Parse error: Empty list item.");
    }
    TextParser sub = new TextParser(input, item);
    TextExpression e = sub.expression(item.get(item.size() - 1).end());
    if (sub.pos < item.size()) {
      TextToken extra = item.get(sub.pos);
      throw error(extra.start(), item.get(item.size() - 1).end(),
          "Parse error: unexpected " + describe(extra) + " (missing ','?).");
    }
    return e;
  }
}
