package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void upperSnakeSplitsCamelCaseAndAcronyms() {
    assertThat(Names.upperSnake("fooBarBaz")).isEqualTo("FOO_BAR_BAZ");
    assertThat(Names.upperSnake("anyPointer")).isEqualTo("ANY_POINTER");
    assertThat(Names.upperSnake("uint64")).isEqualTo("UINT64");
    assertThat(Names.upperSnake("int8Field")).isEqualTo("INT8_FIELD");
    assertThat(Names.upperSnake("HTTPServer")).isEqualTo("HTTP_SERVER");
    assertThat(Names.upperSnake("darkBlue")).isEqualTo("DARK_BLUE");
    assertThat(Names.upperSnake("x")).isEqualTo("X");
  }

  @Test
  void outerClassFromFileName() {
    assertThat(Names.outerClassForFile("rpc-twoparty.capnp")).isEqualTo("RpcTwoparty");
    assertThat(Names.outerClassForFile("/usr/include/capnp/schema.capnp")).isEqualTo("Schema");
    assertThat(Names.outerClassForFile("foo_bar.baz.capnp")).isEqualTo("FooBarBaz");
    assertThat(Names.outerClassForFile("9lives.capnp")).isEqualTo("_9lives");
  }

  @Test
  void keywordsAndObjectMethodsGetTrailingUnderscore() {
    assertThat(Names.escape("class")).isEqualTo("class_");
    assertThat(Names.escape("enum")).isEqualTo("enum_");
    assertThat(Names.escape("record")).isEqualTo("record_");
    assertThat(Names.escape("value")).isEqualTo("value");
    assertThat(Names.method("getClass")).isEqualTo("getClass_");
    assertThat(Names.method("hashCode")).isEqualTo("hashCode_");
    assertThat(Names.method("getClassName")).isEqualTo("getClassName");
  }

  @Test
  void camelCase() {
    assertThat(Names.upperCamel("fooBar")).isEqualTo("FooBar");
    assertThat(Names.lowerCamel("Key")).isEqualTo("key");
  }
}
