package dev.capnp.schemac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid schemas and the errors they give, exactly as {@code capnp compile} prints them
 * ({@code file:line:col[-endcol]: error: message}). The same table is checked against the
 * native compiler when it is installed, so the expected messages are the C++ compiler's.
 */
class ErrorTableTest {
  /** A schema file {@code name}.capnp and its expected errors, in order. */
  record Row(String name, String schema, List<String> errors) {}

  static Row row(String name, String schema, String... errors) {
    return new Row(name, schema, Arrays.asList(errors));
  }

  static final List<Row> ROWS = List.of(
      row("missing-id",
          "struct Foo {}\n",
          "missing-id.capnp:1:1: error: File does not declare an ID.  I've generated one for you.  Add this line to your file: @0x"),
      row("dup-ordinal",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Int32;\n  b @0 :Int32;\n}\n",
          "dup-ordinal.capnp:4:6-7: error: Duplicate ordinal number.",
          "dup-ordinal.capnp:3:6-7: error: Ordinal @0 originally used here."),
      row("skipped-ordinal",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Int32;\n  b @2 :Int32;\n}\n",
          "skipped-ordinal.capnp:4:6-7: error: Skipped ordinal @1.  Ordinals must be sequential with no holes."),
      row("name-clash",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Int32;\n  a @1 :Text;\n}\n",
          "name-clash.capnp:4:3-4: error: 'a' is already defined in this scope.",
          "name-clash.capnp:3:3-4: error: 'a' previously defined here."),
      row("bad-id",
          "@0x1234;\n",
          "bad-id.capnp:1:2-8: error: Invalid ID.  Please generate a new one with 'capnpc -i'."),
      row("unknown-name",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Bogus;\n}\n",
          "unknown-name.capnp:3:9-14: error: Not defined: Bogus"),
      row("type-name-case",
          "@0xbf5147cbbecf40c1;\nstruct foo {}\n",
          "type-name-case.capnp:2:8-11: error: Type names must begin with a capital letter."),
      row("field-name-case",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  Bar @0 :Int32;\n}\n",
          "field-name-case.capnp:3:3-6: error: Non-type names must begin with a lower-case letter."),
      row("underscore",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a_b @0 :Int32;\n}\n",
          "underscore.capnp:3:3-6: error: Cap'n Proto declaration names should use camelCase and must not contain underscores. (Code generators may convert names to the appropriate style for the target language.)"),
      row("default-mismatch",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Int32 = \"text\";\n}\n",
          "default-mismatch.capnp:3:17-23: error: Type mismatch; expected Int32."),
      row("out-of-range",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :UInt8 = 256;\n}\n",
          "out-of-range.capnp:3:17-20: error: Integer value out of range."),
      row("negative-unsigned",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :UInt16 = -1;\n}\n",
          "negative-unsigned.capnp:3:19-20: error: Integer value out of range."),
      row("generic-arity",
          "@0xbf5147cbbecf40c1;\nstruct Box(T) {\n  v @0 :T;\n}\nstruct Foo {\n  b @0 :Box(Text, Data);\n}\n",
          "generic-arity.capnp:6:9-24: error: Too many generic parameters."),
      row("not-enough-params",
          "@0xbf5147cbbecf40c1;\nstruct Pair(A, B) {\n  a @0 :A;\n  b @1 :B;\n}\nstruct Foo {\n  p @0 :Pair(Text);\n}\n",
          "not-enough-params.capnp:7:9-19: error: Not enough generic parameters."),
      row("not-generic",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Text(Int32);\n}\n",
          "not-generic.capnp:3:9-20: error: Declaration does not accept generic parameters."),
      row("annotation-target",
          "@0xbf5147cbbecf40c1;\nannotation onlyField(field) :Void;\nstruct Foo $onlyField {\n  a @0 :Int32;\n}\n",
          "annotation-target.capnp:3:13-22: error: 'onlyField' cannot be applied to this kind of declaration."),
      row("annotation-value",
          "@0xbf5147cbbecf40c1;\nannotation needs(struct) :Text;\nstruct Foo $needs {}\n",
          "annotation-value.capnp:3:13-18: error: 'needs' requires a value."),
      row("not-an-annotation",
          "@0xbf5147cbbecf40c1;\nstruct Foo $Foo {}\n",
          "not-an-annotation.capnp:2:13-16: error: 'Foo' is not an annotation."),
      row("import-missing",
          "@0xbf5147cbbecf40c1;\nusing X = import \"nowhere.capnp\";\n",
          "import-missing.capnp:2:18-33: error: Import failed: nowhere.capnp"),
      row("union-one-member",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  union {\n    a @0 :Int32;\n  }\n}\n",
          "union-one-member.capnp:3: error: Union must have at least two members."),
      row("list-anypointer",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :List(AnyPointer);\n}\n",
          "list-anypointer.capnp:3:9-25: error: 'List(AnyPointer)' is not supported."),
      row("parse-error",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 Int32;\n}\n",
          "parse-error.capnp:3:13: error: Parse error."),
      row("semicolon-block",
          "@0xbf5147cbbecf40c1;\nstruct Foo;\n",
          "semicolon-block.capnp:2:1-12: error: This statement should end with a block, not a semicolon."),
      row("block-semicolon",
          "@0xbf5147cbbecf40c1;\nconst a :Int32 = 1 {}\n",
          "block-semicolon.capnp:2:1-22: error: This statement should end with a semicolon, not a block."),
      row("unqualified-const",
          "@0xbf5147cbbecf40c1;\nconst a :Int32 = 1;\nconst b :Int32 = a;\n",
          "unqualified-const.capnp:3:18-19: error: Constant names must be qualified to avoid confusion.  Please replace 'a' with '.a', if that's what you intended."),
      row("not-a-constant",
          "@0xbf5147cbbecf40c1;\nstruct Foo {}\nconst b :Int32 = .Foo;\n",
          "not-a-constant.capnp:3:18-22: error: '.Foo' does not refer to a constant."),
      row("no-such-field",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Int32;\n}\nconst c :Foo = (b = 1);\n",
          "no-such-field.capnp:5:17-18: error: Struct has no field named 'b'."),
      row("no-member",
          "@0xbf5147cbbecf40c1;\nstruct Foo {}\nstruct Bar {\n  a @0 :Foo.Nope;\n}\n",
          "no-member.capnp:4:13-17: error: 'Foo' has no member named 'Nope'"),
      row("not-a-type",
          "@0xbf5147cbbecf40c1;\nconst a :Int32 = 1;\nstruct Bar {\n  x @0 :a;\n}\n",
          "not-a-type.capnp:4:9-10: error: 'a' is not a type."),
      row("big-ordinal",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @65536 :Int32;\n}\n",
          "big-ordinal.capnp:3:6-11: error: Ordinals cannot be greater than 65535.",
          "big-ordinal.capnp:3:6-11: error: Ordinals cannot be greater than 65535.",
          "big-ordinal.capnp:3:6-11: error: Skipped ordinal @0.  Ordinals must be sequential with no holes."),
      row("duplicate-id",
          "@0xbf5147cbbecf40c1;\nstruct Foo @0xbf5147cbbecf40c1 {}\n",
          "duplicate-id.capnp:2:8-11: error: Duplicate ID @0xbf5147cbbecf40c1.",
          "duplicate-id.capnp:1:1: error: ID @0xbf5147cbbecf40c1 originally used here."),
      row("group-empty",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  g :group {}\n}\n",
          "group-empty.capnp:3:3-14: error: Group must have at least one member."),
      row("enumerant-outside",
          "@0xbf5147cbbecf40c1;\nenum E {\n  a @0;\n  b @0;\n}\n",
          "enumerant-outside.capnp:4:6-7: error: Duplicate ordinal number.",
          "enumerant-outside.capnp:3:6-7: error: Ordinal @0 originally used here."),
      row("stream-before",
          "@0xbf5147cbbecf40c1;\ninterface I {\n  m @0 stream -> ();\n}\n",
          "stream-before.capnp:3:8-14: error: 'stream' can only appear after '->', not before."),
      row("recursive-const",
          "@0xbf5147cbbecf40c1;\nconst a :Int32 = .b;\nconst b :Int32 = .a;\n",
          "recursive-const.capnp:2:7-8: error: Declaration recursively depends on itself."),
      row("object-renamed",
          "@0xbf5147cbbecf40c1;\nstruct Foo {\n  a @0 :Object;\n}\n",
          "object-renamed.capnp:3:9-15: error: As of Cap'n Proto 0.4, 'Object' has been renamed to 'AnyPointer'.  Sorry for the inconvenience, and thanks for being an early adopter.  :)"),
      row("too-big-negative",
          "@0xbf5147cbbecf40c1;\nconst a :Int64 = -9223372036854775809;\n",
          "too-big-negative.capnp:2:19-38: error: Integer is too big to be negative."),
      row("non-pointer-generic",
          "@0xbf5147cbbecf40c1;\nstruct Box(T) {\n  v @0 :T;\n}\nstruct Foo {\n  b @0 :Box(Int32);\n}\n",
          "non-pointer-generic.capnp:6:13-18: error: Sorry, only pointer types can be used as generic parameters."),
      row("not-interface",
          "@0xbf5147cbbecf40c1;\nstruct S {}\ninterface I extends(S) {}\n",
          "not-interface.capnp:3:21-22: error: 'S' is not an interface."),
      row("wildcard-mixed",
          "@0xbf5147cbbecf40c1;\nannotation a(*, struct) :Void;\n",
          "wildcard-mixed.capnp:2:14-15: error: Wildcard should not be specified together with other targets.",
          "wildcard-mixed.capnp:2:17-23: error: Duplicate target specification."),
      row("bad-target",
          "@0xbf5147cbbecf40c1;\nannotation a(bogus) :Void;\n",
          "bad-target.capnp:2:14-19: error: Not a valid annotation target."));

  @TempDir
  Path dir;

  private Path write(Row row) throws Exception {
    Path file = dir.resolve(row.name() + ".capnp");
    Files.writeString(file, row.schema(), StandardCharsets.UTF_8);
    return file;
  }

  private static void assertErrors(Row row, List<String> actual) {
    if (row.name().equals("missing-id")) {
      assertThat(actual).hasSize(1);
      assertThat(actual.get(0)).startsWith(row.errors().get(0)).matches(".*@0x[0-9a-f]{16};");
    } else {
      assertThat(actual).containsExactlyElementsOf(row.errors());
    }
  }

  @TestFactory
  Stream<DynamicTest> javaCompilerReportsTheseErrors() {
    return ROWS.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
      Path file = write(row);
      SchemaCompileException e = catchThrowableOfType(
          () -> CapnpCompiler.builder().currentDirectory(dir).build()
              .compile(List.of(file.getFileName())),
          SchemaCompileException.class);
      assertThat(e).as("compile error").isNotNull();
      assertErrors(row, e.errors().stream().map(SchemaError::toString).toList());
    }));
  }

  @TestFactory
  Stream<DynamicTest> nativeCompilerReportsTheSameErrors() {
    return ROWS.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
      NativeCapnp.assumeAvailable();
      Path file = write(row);
      List<String> stderr = NativeCapnp.errors(dir, file.getFileName());
      assertErrors(row, stderr);
    }));
  }
}
