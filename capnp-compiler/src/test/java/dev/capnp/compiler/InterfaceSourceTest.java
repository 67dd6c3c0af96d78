package dev.capnp.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the generated RPC code of src/test/capnp/calls.capnp (typed clients, servers,
 * pipelines, capability fields). Compiling and running it against capnp-rpc happens in
 * capnp-tests (capnp-rpc builds with this generator's Maven plugin, so it cannot be a
 * dependency here).
 */
class InterfaceSourceTest {
  private static String calls;

  @BeforeAll
  static void generate() {
    TestSchemas.assumeCapnp();
    byte[] request = TestSchemas.compile("calls.capnp");
    Map<String, String> sources =
        new JavaGenerator(JavaGenerator.Options.defaults()).generateSources(request);
    calls = sources.get("dev/capnp/compiler/test/rpc/Calls.java");
    assertThat(calls).isNotNull();
  }

  @Test
  void clientHasARequestMethodPerMethodReturningTypedRequests() {
    assertThat(calls)
        .containsIgnoringWhitespaces("public static final class Client extends dev.capnp.rpc.TypedClient {")
        .containsIgnoringWhitespaces("public Client(dev.capnp.rpc.Capability capability) {")
        .containsIgnoringWhitespaces("public Calls.Service.Client dup() {")
        .containsIgnoringWhitespaces("public dev.capnp.rpc.Request<Calls.Service.EchoParams.Builder,\n"
            + "            Calls.Service.EchoResults.Reader,\n"
            + "            Calls.Service.EchoResults.Pipeline> echoRequest() {")
        .containsIgnoringWhitespaces("return newCall(Calls.Service.TYPE_ID, 1, Calls.Service.EchoParams.FACTORY,"
            + " Calls.Service.EchoResults.FACTORY,\n              Calls.Service.EchoResults"
            + ".Pipeline::new);")
        // keyword method names
        .containsIgnoringWhitespaces("> classRequest() {")
        // a named (non-implicit) results struct from a file without RPC code: untyped pipeline
        .containsIgnoringWhitespaces("dev.capnp.compiler.test.other.Imported.Point.Reader,\n"
            + "            dev.capnp.rpc.Pipeline> getPointRequest() {")
        .containsIgnoringWhitespaces("java.util.function.Function.identity());");
  }

  @Test
  void serverDispatchesOwnAndInheritedMethodsWithUnimplementedDefaults() {
    String derived = classBody("Derived");
    assertThat(derived)
        .containsIgnoringWhitespaces("public abstract static class Server extends dev.capnp.rpc.Server {")
        .containsIgnoringWhitespaces("if (interfaceId == Calls.Derived.TYPE_ID) {")
        .containsIgnoringWhitespaces("if (interfaceId == Calls.Service.TYPE_ID) {")
        .containsIgnoringWhitespaces("if (interfaceId == Calls.Named.TYPE_ID) {")
        .containsIgnoringWhitespaces("case 1 -> echo(context.typed(Calls.Service.EchoParams.FACTORY,")
        .containsIgnoringWhitespaces("case 5 -> class_(context.typed(")
        .containsIgnoringWhitespaces("default -> dev.capnp.rpc.Server.unknownMethod(interfaceId, methodId);")
        .containsIgnoringWhitespaces("return dev.capnp.rpc.Server.unknownInterface(interfaceId);")
        .containsIgnoringWhitespaces("protected java.util.concurrent.CompletionStage<java.lang.Void> name(\n"
            + "            dev.capnp.rpc.CallContext<Calls.Named.NameParams.Reader,\n"
            + "            Calls.Named.NameResults.Builder> context) {")
        .containsIgnoringWhitespaces("\"method not implemented: Named.name\"")
        // conversions to every superclass
        .containsIgnoringWhitespaces("public Calls.Service.Client asService() {")
        .containsIgnoringWhitespaces("public Calls.Named.Client asNamed() {")
        .containsIgnoringWhitespaces("return new Calls.Named.Client(capability().dup());");
    // transitive superclasses
    assertThat(classBody("MoreDerived")).containsIgnoringWhitespaces("public Calls.Service.Client asService() {")
        .containsIgnoringWhitespaces("if (interfaceId == Calls.Named.TYPE_ID) {")
        .containsIgnoringWhitespaces("> extraRequest() {");
    // interfaces without methods still answer for their id
    assertThat(classBody("FromEmpty")).containsIgnoringWhitespaces("if (interfaceId == Calls.Empty.TYPE_ID) {\n"
        + "          return dev.capnp.rpc.Server.unknownMethod(interfaceId, methodId);");
  }

  @Test
  void genericInterfacesAndMethods() {
    String box = classBody("Box");
    assertThat(box)
        .containsIgnoringWhitespaces("public static final class Client<TB, TR> extends dev.capnp.rpc.TypedClient {")
        .containsIgnoringWhitespaces("public Client(dev.capnp.rpc.Capability capability,"
            + " dev.capnp.runtime.PointerFactory<TB, TR> tFactory) {")
        .containsIgnoringWhitespaces("this._getResults = Calls.Box.GetResults.factory(tFactory);")
        // generic method: its implicit parameter becomes a type variable of the request method
        .containsIgnoringWhitespaces("public <UB, UR> dev.capnp.rpc.Request<Calls.Box.MapParams.Builder<TB, TR, UB,"
            + " UR>,")
        .containsIgnoringWhitespaces("mapRequest(dev.capnp.runtime.PointerFactory<UB, UR> uFactory) {")
        .containsIgnoringWhitespaces("Calls.Box.MapParams.factory(tFactory, uFactory),")
        // servers see implicit parameters as AnyPointer
        .containsIgnoringWhitespaces("public abstract static class Server<TB, TR> extends dev.capnp.rpc.Server {")
        .containsIgnoringWhitespaces("protected Server(dev.capnp.runtime.PointerFactory<TB, TR> tFactory) {")
        .containsIgnoringWhitespaces("this._mapParams = Calls.Box.MapParams.factory(tFactory,"
            + " dev.capnp.runtime.AnyPointer.FACTORY);");
    // a superclass bound to Text: constant factories become static fields
    String textBox = classBody("TextBox");
    assertThat(textBox)
        .containsIgnoringWhitespaces("public Calls.Box.Client<dev.capnp.runtime.Text.Builder,"
            + " dev.capnp.runtime.Text.Reader> asBox() {")
        .containsIgnoringWhitespaces("private static final dev.capnp.runtime.PointerFactory<Calls.Box.GetResults"
            + ".Builder<dev.capnp.runtime.Text.Builder, dev.capnp.runtime.Text.Reader>,")
        .containsIgnoringWhitespaces("Calls.Box.GetResults.factory(dev.capnp.runtime.Text.FACTORY);")
        .containsIgnoringWhitespaces("dev.capnp.rpc.Request<Calls.Box.GetParams.Builder<dev.capnp.runtime.Text"
            + ".Builder, dev.capnp.runtime.Text.Reader>,");
    // eval's param struct: generic in the interface's T and the method's U
    assertThat(classBody("Calc")).containsIgnoringWhitespaces("public static final class EvalParams {")
        .containsIgnoringWhitespaces("public static <TB, TR, UB, UR> Calls.Calc.EvalParams.Factory<TB, TR, UB, UR>")
        .containsIgnoringWhitespaces("public static final class Nested {")
        .containsIgnoringWhitespaces("public static final int EVAL = 0;");
  }

  @Test
  void pipelinesGiveCapabilitiesAndNestedStructs() {
    String session = classBody("Session");
    assertThat(session).containsIgnoringWhitespaces("public static final class Pipeline {")
        .containsIgnoringWhitespaces("public Calls.Logger.Client getLogger() {\n"
            + "        return new Calls.Logger.Client(_pipeline.getPointerField(0).asCapability());")
        .containsIgnoringWhitespaces("public Calls.Session.Inner.Pipeline getInner() {\n"
            + "        return new Calls.Session.Inner.Pipeline(_pipeline.getPointerField(1));")
        .containsIgnoringWhitespaces("public dev.capnp.rpc.Capability getAny() {")
        .doesNotContain("getPoint() {\n        return new");
    String service = classBody("Service");
    assertThat(service).containsIgnoringWhitespaces("public Calls.Session.Pipeline getSession() {");
    // params are never pipelined
    assertThat(service.substring(service.indexOf("class EchoParams {"),
        service.indexOf("class EchoResults {"))).doesNotContain("class Pipeline");
    // generic parameters pipeline untyped
    assertThat(classBody("Box")).containsIgnoringWhitespaces("public dev.capnp.rpc.Pipeline getValue() {");
  }

  @Test
  void capabilityFieldsReadAndWriteTypedClients() {
    String holder = classBody("Holder");
    assertThat(holder)
        .containsIgnoringWhitespaces("public Calls.Logger.Client getLogger() {\n"
            + "          return new Calls.Logger.Client(dev.capnp.rpc.Capability.fromPointer(\n"
            + "              _getPointerField(dev.capnp.runtime.AnyPointer.FACTORY, 0)));")
        .containsIgnoringWhitespaces("public void setLogger(Calls.Logger.Client value) {")
        .containsIgnoringWhitespaces("value.capability().writeTo(_getPointerField(dev.capnp.runtime.AnyPointer"
            + ".FACTORY, 0));")
        .containsIgnoringWhitespaces("public void setLogger(dev.capnp.rpc.Capability value) {")
        .containsIgnoringWhitespaces("public dev.capnp.rpc.Capability getCap() {")
        .containsIgnoringWhitespaces("public Calls.Box.Client<dev.capnp.runtime.Text.Builder,"
            + " dev.capnp.runtime.Text.Reader> getBoxed() {")
        .containsIgnoringWhitespaces("dev.capnp.runtime.Text.FACTORY);")
        // union members set the discriminant
        .containsIgnoringWhitespaces("public void setService(Calls.Service.Client value) {\n"
            + "          _setShortField(0, (short) 1);");
  }

  @Test
  void interfacesAsTypeArgumentsAndListElementsAreTypedClients() {
    assertThat(classBody("Logger")).containsIgnoringWhitespaces(
        "public static final dev.capnp.runtime.PointerFactory<Calls.Logger.Client,"
            + " Calls.Logger.Client> FACTORY = new Calls._ClientFactory<>(Calls.Logger.Client::new);");
    assertThat(classBody("Box")).containsIgnoringWhitespaces(
        "public static <TB, TR> dev.capnp.runtime.PointerFactory<Calls.Box.Client<TB, TR>,"
            + " Calls.Box.Client<TB, TR>> factory(dev.capnp.runtime.PointerFactory<TB, TR> tFactory)");
    assertThat(calls).contains("private static final class _ClientFactory<C extends"
        + " dev.capnp.rpc.TypedClient>");
    assertThat(classBody("LoggerBox")).containsIgnoringWhitespaces(
        "Calls.Box.GetResults.Reader<Calls.Logger.Client>,");
    String registry = classBody("Registry");
    assertThat(registry)
        .containsIgnoringWhitespaces("public dev.capnp.runtime.ListList.Reader<Calls.Logger.Client>"
            + " getLoggers() {")
        .containsIgnoringWhitespaces("dev.capnp.runtime.ListList.factory(Calls.Box.factory("
            + "dev.capnp.runtime.Text.FACTORY))")
        .containsIgnoringWhitespaces("public Calls.BoxHolder.Reader<Calls.Logger.Client>"
            + " getLoggerBox() {");
    // interface arguments depending on the struct's own type variables stay untyped
    assertThat(classBody("BoxHolder")).containsIgnoringWhitespaces(
        "public dev.capnp.runtime.AnyPointerList.Reader getList() {");
  }

  @Test
  void typesNamedLikeTheirOwnMemberClassesAreEscaped() {
    assertThat(calls).contains("public static final class Client_ {")
        .contains("public static final class Server_ {")
        .contains("public static final class Pipeline_ {");
    assertThat(classBody("Client_")).containsIgnoringWhitespaces(
        "public dev.capnp.rpc.Request<Calls.Client_.ServerParams.Builder,"
            + " Calls.Client_.ServerResults.Reader, Calls.Client_.ServerResults.Pipeline>"
            + " serverRequest() {")
        .containsIgnoringWhitespaces("public Calls.Pipeline_.Pipeline getPipeline() {")
        .containsIgnoringWhitespaces("public void setServer(Calls.Server_.Client value) {");
  }

  @Test
  void streamingMethodsGetStreamingRequestsAndContexts() {
    // stream.capnp has no $Java.package: its shipped classes are used for "-> stream" results
    byte[] request = TestSchemas.compile("streaming.capnp");
    String source = new JavaGenerator(JavaGenerator.Options.defaults()).generateSources(request)
        .get("dev/capnp/compiler/test/rpc/Streaming.java");
    assertThat(source).containsIgnoringWhitespaces(
        "public dev.capnp.rpc.StreamingRequest<Streaming.Sink.WriteParams.Builder> writeRequest()",
        "return dev.capnp.rpc.StreamingRequest.of(capability(), Streaming.Sink.TYPE_ID, 0,",
        "case 0 -> write(dev.capnp.rpc.StreamingCallContext.of(context,",
        "protected java.util.concurrent.CompletionStage<java.lang.Void> write(",
        "dev.capnp.rpc.StreamingCallContext<Streaming.Sink.WriteParams.Reader> context)",
        "protected boolean isStreaming(long interfaceId, int methodId) {",
        "return interfaceId == Streaming.Sink.TYPE_ID && methodId == 0;");
    // no results struct is involved: "-> stream" methods have nothing to read or fill
    assertThat(source).doesNotContain("proto.Stream.StreamResult");
  }

  /** The text of the top-level class {@code name} of calls.capnp. */
  private static String classBody(String name) {
    int start = calls.indexOf("\n  public static final class " + name + " {");
    assertThat(start).as("class %s", name).isPositive();
    int end = calls.indexOf("\n  }\n", start);
    return calls.substring(start, end);
  }
}
