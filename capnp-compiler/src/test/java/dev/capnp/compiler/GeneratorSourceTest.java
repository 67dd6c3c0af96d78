package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the generated source text for naming, escaping and generics resolution. */
class GeneratorSourceTest {
  private static String test;
  private static String imported;

  @BeforeAll
  static void generate() {
    TestSchemas.assumeCapnp();
    byte[] request = TestSchemas.compile("test.capnp", "imported.capnp");
    Map<String, String> sources =
        new JavaGenerator(JavaGenerator.Options.defaults()).generateSources(request);
    assertThat(sources).containsOnlyKeys("dev/capnp/compiler/test/TestSchema.java",
        "dev/capnp/compiler/test/other/Imported.java");
    test = sources.get("dev/capnp/compiler/test/TestSchema.java");
    imported = sources.get("dev/capnp/compiler/test/other/Imported.java");
  }

  @Test
  void outerClassPackageAndSchema() {
    assertThat(test).contains("package dev.capnp.compiler.test;")
        .contains("public final class TestSchema {")
        .contains("public static final dev.capnp.dynamic.SchemaFile SCHEMA =")
        // test.capnp uses types of imported.capnp, so its SCHEMA lists the imported one.
        .containsPattern("\\}, dev\\.capnp\\.compiler\\.test\\.other\\.Imported\\.SCHEMA\\);");
    assertThat(imported).contains("package dev.capnp.compiler.test.other;")
        .contains("    });");
  }

  @Test
  void genericFieldTypesAreResolvedFromBrands() {
    assertThat(test)
        .contains("public TestSchema.Box.Reader<dev.capnp.runtime.Text.Reader> getBoxText()")
        .contains("public TestSchema.Box.Builder<dev.capnp.runtime.Text.Builder, "
            + "dev.capnp.runtime.Text.Reader> getBoxText()")
        .contains("public TestSchema.Box.Reader<TestSchema.Box.Reader<dev.capnp.runtime.Data.Reader>>"
            + " getBoxBox()")
        .contains("public TestSchema.Pair.Reader<dev.capnp.runtime.Text.Reader, "
            + "TestSchema.AllTypes.Reader> getPair()")
        // unbound parameters become AnyPointer
        .contains("public TestSchema.Box.Reader<dev.capnp.runtime.AnyPointer.Reader> getUnbound()")
        // a type nested in a generic scope inherits the scope's parameters
        .contains("public TestSchema.Outer.Inner.Reader<dev.capnp.runtime.Text.Reader> getInner()")
        // imported generic struct bound to a local generic struct
        .contains("public dev.capnp.compiler.test.other.Imported.Wrapper.Reader<"
            + "TestSchema.Box.Reader<dev.capnp.runtime.Text.Reader>> getWrapped()");
  }

  @Test
  void genericStructsCarryFactoriesForTheirParameters() {
    assertThat(test)
        .contains("public static <TB, TR> TestSchema.Box.Factory<TB, TR> factory(\n"
            + "        dev.capnp.runtime.PointerFactory<TB, TR> tFactory) {")
        .contains("public static final class Reader<TR> extends dev.capnp.runtime.StructReader")
        .contains("private final dev.capnp.runtime.PointerFactory<?, TR> tFactory;")
        .contains("public TR getValue()")
        .contains("public TB initValue()")
        // Pair(Value, Key) inside Pair(Key, Value) swaps the factories
        .contains("public TestSchema.Pair.Reader<ValueR, KeyR> getSwapped()")
        // factories depending on the instance's type parameters are created once, lazily
        .contains("return _getPointerField(_swappedFactory(), 2);")
        .contains("private dev.capnp.runtime.PointerFactory<?, TestSchema.Pair.Reader<ValueR, KeyR>>"
            + " _swappedFactory;")
        .contains("f = TestSchema.Pair.factory(valueFactory, keyFactory);")
        // groups of generic structs take the parent's factories
        .contains("return new TestSchema.Outer.Deep.Reader<>(tFactory, this);");
  }

  @Test
  void constantFactoriesAreHoistedIntoStaticFields() {
    assertThat(test).contains("private static final dev.capnp.runtime.PointerFactory<"
        + "TestSchema.Box.Builder<dev.capnp.runtime.Text.Builder, dev.capnp.runtime.Text.Reader>,"
        + " TestSchema.Box.Reader<dev.capnp.runtime.Text.Reader>> _BOX_TEXT_FACTORY =");
  }

  @Test
  void unconstrainedPointerKindsGetSpecificTypes() {
    assertThat(test).contains("public dev.capnp.runtime.AnyStruct.Reader getAnyStruct()")
        .contains("public dev.capnp.runtime.AnyList.Builder getAnyListField()")
        .contains("public dev.capnp.runtime.AnyPointer.Builder initAnyField()")
        .doesNotContain("initAnyStruct(")
        .contains("public boolean hasCapabilityField()")
        .contains("public void clearCapabilityField()")
        .doesNotContain("getCapabilityField(")
        .doesNotContain("getCapField(");
  }

  @Test
  void structFieldsGetAnInitThatReusesABuilder() {
    // (the twin of getX(reuse): the given builder is moved to the new struct)
    assertThat(test)
        .contains("public TestSchema.AllTypes.Builder initStructField(TestSchema.AllTypes.Builder"
            + " reuse) {\n"
            + "        return _initStructField(TestSchema.AllTypes.FACTORY, 2, reuse);")
        // a union member also becomes the union's member
        .contains("Imported.Point.Builder reuse) {\n"
            + "          _setShortField(4, (short) 1);\n"
            + "          return _initStructField(dev.capnp.compiler.test.other.Imported.Point.FACTORY,"
            + " 1, reuse);")
        // not for generic structs, whose builders hold their brand's factories
        .doesNotContain("getBoxText(TestSchema.Box.Builder")
        .doesNotContain("initBoxText(TestSchema.Box.Builder")
        .doesNotContain("initPair(TestSchema.Pair.Builder");
  }

  @Test
  void structsOnlyFilesHaveNoRpcCode() {
    // Untyped Capability fields alone don't make a file need capnp-rpc.
    assertThat(test).doesNotContain("dev.capnp.rpc").doesNotContain("class Pipeline");
    assertThat(imported).doesNotContain("dev.capnp.rpc");
  }

  @Test
  void keywordsAndClashesAreEscaped() {
    assertThat(test).contains("public int getClass_()")
        .contains("public void setClass(int value)")
        .contains("public int getGetClass()")
        .contains("public int getHashCode()")
        .contains("public dev.capnp.runtime.Text.Reader getPackage()")
        // a nested struct named Reader must not clash with the generated Reader class
        .contains("public static final class Reader_ {")
        // a constant named typeId must not clash with TYPE_ID
        .contains("public static final int TYPE_ID_ = 5;");
  }

  @Test
  void defaultsBecomeXorMasksAndDefaultSegments() {
    assertThat(test).contains("return _getBooleanField(0, true);")
        .contains("return _getByteField(1, (byte) 0xf4);")
        .contains("return _getIntField(1, 0xfffe1dc0);")
        .contains("return TestSchema.Color.fromValue(_getShortField(")
        .contains("_getPointerField(dev.capnp.runtime.Text.FACTORY, 0, _TEXT_FIELD_DEFAULT, 0)")
        .contains("private static final dev.capnp.runtime.SegmentReader _TEXT_FIELD_DEFAULT =");
  }

  @Test
  void unionsGetWhichAndDiscriminantSetters() {
    assertThat(test).contains("public enum Which {")
        .contains("INT_VALUE,")
        .contains("GROUP_VALUE,")
        .contains("_NOT_IN_SCHEMA")
        .contains("case 3 -> TestSchema.Unions.Which.GROUP_VALUE;")
        .contains("public boolean isTextValue()")
        .contains("public void setNothing()");
  }

  @Test
  void docCommentsBecomeJavadoc() {
    assertThat(test).contains("/** A generic box. */").contains("/** Dark blue. */")
        .contains("/** Some text. */");
    assertThat(imported).contains("/** A point. */");
  }

  @Test
  void missingPackageIsAClearError() {
    byte[] request = TestSchemas.compile("nopackage.capnp");
    assertThatThrownBy(() -> new JavaGenerator(JavaGenerator.Options.defaults())
        .generateSources(request))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no Java package for nopackage.capnp")
        .hasMessageContaining("--package");
    Map<String, String> ok = new JavaGenerator(JavaGenerator.Options.defaults()
        .withPackage("nopackage.capnp", "com.example.np")).generateSources(request);
    assertThat(ok).containsOnlyKeys("com/example/np/Nopackage.java");
  }

  @Test
  void derivedOuterClassAvoidsClashWithADeclaredType() {
    byte[] request = TestSchemas.compile("thing.capnp");
    Map<String, String> sources = new JavaGenerator(JavaGenerator.Options.defaults()
        .withPackage("thing.capnp", "com.example.t")).generateSources(request);
    assertThat(sources).containsOnlyKeys("com/example/t/ThingSchema.java");
    assertThat(sources.get("com/example/t/ThingSchema.java"))
        .contains("public final class ThingSchema {")
        .contains("public static final class Thing {")
        .doesNotContain("Thing_");
  }

  @Test
  void malformedRequestIsAClearError() {
    assertThatThrownBy(() -> new JavaGenerator(JavaGenerator.Options.defaults())
        .generateSources(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new JavaGenerator(JavaGenerator.Options.defaults())
        .generateSources(new byte[] {0, 0, 0, 0, 9, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segment");
  }
}
