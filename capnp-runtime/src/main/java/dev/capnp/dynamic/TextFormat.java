package dev.capnp.dynamic;

import dev.capnp.runtime.PointerFactory;
import dev.capnp.runtime.StructBuilder;
import dev.capnp.runtime.StructReader;
import java.nio.charset.StandardCharsets;

/**
 * Cap'n Proto text format, byte-for-byte compatible with the C++ implementation (0.9.2): the
 * one-line form used by generated {@code toString()}, the indented form printed by
 * {@code capnp decode}, and a parser for struct literals as read by {@code capnp encode}.
 */
public final class TextFormat {
  private TextFormat() {}

  /**
   * The one-line text of a struct, given the generated reader, the generated file's
   * {@code SCHEMA} and the struct's type id. Used by generated {@code toString()} methods;
   * generic parameters print as {@code <opaque pointer>} (generic structs use the overload
   * taking their type arguments).
   *
   * @param reader the generated struct reader
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the struct's type id
   * @return the one-line text of a struct, given the generated reader, the generated file's
   *     {@code SCHEMA} and the struct's type id
   */
  public static String toString(StructReader reader, SchemaFile schema, long typeId) {
    StructSchema struct = schema.registry().getStruct(typeId);
    return TextPrinter.print(new DynamicStruct.Reader(struct, reader), false);
  }

  /**
   * The one-line text of a generic struct, its parameters bound to the types of the factories
   * the reader was created with (see {@link TypeArguments#structSchema}).
   *
   * @param reader the generated struct reader
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the struct's type id
   * @param parameterScopes for each type argument, the id of the generic node declaring its
   *     parameter
   * @param typeArguments the factories bound to the parameters
   * @return the one-line text of a generic struct, its parameters bound to the types of the
   *     factories the reader was created with (see {@link TypeArguments#structSchema})
   */
  public static String toString(StructReader reader, SchemaFile schema, long typeId,
      long[] parameterScopes, PointerFactory<?, ?>... typeArguments) {
    StructSchema struct =
        TypeArguments.structSchema(schema, typeId, parameterScopes, typeArguments);
    return TextPrinter.print(new DynamicStruct.Reader(struct, reader), false);
  }

  /**
   * The multi-line text of a generated struct reader (see {@link #toString(StructReader,
   * SchemaFile, long)}).
   *
   * @param reader the generated struct reader
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the struct's type id
   * @return the multi-line text of a generated struct reader (see {@link #toString(StructReader,
   *     SchemaFile, long)})
   */
  public static String prettyPrint(StructReader reader, SchemaFile schema, long typeId) {
    StructSchema struct = schema.registry().getStruct(typeId);
    return TextPrinter.print(new DynamicStruct.Reader(struct, reader), true);
  }

  /**
   * Parses a struct literal into a generated builder, e.g.
   * {@code TextFormat.parse("(name = \"x\")", builder, Foo.SCHEMA, Foo.Person.TYPE_ID)}.
   *
   * @param text the struct literal
   * @param builder the builder whose location is read
   * @param schema the generated file's {@code SCHEMA}
   * @param typeId the struct's type id
   * @throws TextFormatException if the text is malformed or does not fit the schema
   */
  public static void parse(String text, StructBuilder builder, SchemaFile schema, long typeId) {
    StructSchema struct = schema.registry().getStruct(typeId);
    parse(text, new DynamicStruct.Builder(struct, builder));
  }

  /**
   * The one-line text of a struct (C++ {@code kj::str(reader)}).
   *
   * @param reader the struct
   * @return the one-line text of a struct (C++ {@code kj::str(reader)})
   */
  public static String toString(DynamicStruct.Reader reader) {
    return TextPrinter.print(reader, false);
  }

  /**
   * The one-line text of a list.
   *
   * @param list the list
   * @return the one-line text of a list
   */
  public static String toString(DynamicList.Reader list) {
    return TextPrinter.printList(list, false);
  }

  /**
   * The multi-line text of a struct (C++ {@code prettyPrint}; {@code capnp decode} output).
   *
   * @param reader the struct
   * @return the multi-line text of a struct
   */
  public static String prettyPrint(DynamicStruct.Reader reader) {
    return TextPrinter.print(reader, true);
  }

  /**
   * The multi-line text of a struct as bytes, exactly as {@code capnp decode} writes them (Text
   * content is copied byte for byte, even when it is not valid UTF-8).
   *
   * @param reader the struct
   * @return the multi-line text of a struct as bytes, exactly as {@code capnp decode} writes them
   *     (Text content is copied byte for byte, even when it is not valid UTF-8)
   */
  public static byte[] prettyPrintBytes(DynamicStruct.Reader reader) {
    return TextPrinter.printBytes(reader, true);
  }

  /**
   * The one-line text of a struct as bytes (see {@link #prettyPrintBytes}).
   *
   * @param reader the struct
   * @return the one-line text of a struct as bytes (see {@link #prettyPrintBytes})
   */
  public static byte[] toStringBytes(DynamicStruct.Reader reader) {
    return TextPrinter.printBytes(reader, false);
  }

  /**
   * Any value (as returned by the dynamic getters) as bytes of text, the way {@code capnp eval}
   * prints it: structs and lists pretty-printed if {@code pretty}, other values on one line.
   *
   * @param type the value's type
   * @param value the value, of the Java type the dynamic getters return for {@code type}
   * @param pretty whether structs and lists are pretty-printed
   * @return the text as UTF-8 bytes
   */
  public static byte[] valueToBytes(DynamicType type, Object value, boolean pretty) {
    return TextPrinter.printValue(type, value, pretty);
  }

  /**
   * The multi-line text of a list.
   *
   * @param list the list
   * @return the multi-line text of a list
   */
  public static String prettyPrint(DynamicList.Reader list) {
    return TextPrinter.printList(list, true);
  }

  /**
   * Parses one struct literal such as {@code (a = 1, b = "x", c = [1, 2])} (UTF-8 text) and sets
   * the fields it names on {@code root}.
   *
   * @param text the struct literal as UTF-8
   * @param root the builder whose fields are set
   * @throws TextFormatException if the text is malformed or does not fit the schema; the message
   *     gives the line and columns
   */
  public static void parse(byte[] text, DynamicStruct.Builder root) {
    TextExpression e = TextParser.parse(text);
    if (!(e instanceof TextExpression.Tuple tuple)) {
      throw TextFormatException.at(text, e.start(), e.end(),
          "Input does not contain a struct (expected '(field = value, ...)').");
    }
    new TextValueTranslator(text).fillStruct(root, tuple);
  }

  /**
   * {@link #parse(byte[], DynamicStruct.Builder)} for a string.
   *
   * @param text the struct literal
   * @param root the builder whose fields are set
   */
  public static void parse(String text, DynamicStruct.Builder root) {
    parse(text.getBytes(StandardCharsets.UTF_8), root);
  }
}
