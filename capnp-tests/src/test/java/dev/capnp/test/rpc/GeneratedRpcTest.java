package dev.capnp.test.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.rpc.Blocking;
import dev.capnp.rpc.CallContext;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import dev.capnp.rpc.Server;
import dev.capnp.rpc.transport.InMemoryTransport;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.Data;
import dev.capnp.runtime.Text;
import dev.capnp.test.rpc.RpcCalls.Box;
import dev.capnp.test.rpc.RpcCalls.Derived;
import dev.capnp.test.rpc.RpcCalls.Holder;
import dev.capnp.test.rpc.RpcCalls.Logger;
import dev.capnp.test.rpc.RpcCalls.Mapper;
import dev.capnp.test.rpc.RpcCalls.MoreDerived;
import dev.capnp.test.rpc.RpcCalls.Named;
import dev.capnp.test.rpc.RpcCalls.Service;
import dev.capnp.test.rpc.RpcCalls.Session;
import dev.capnp.test.rpc.RpcCalls.TextBox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real calls through generated clients into generated servers (rpc-calls.capnp), both in-process
 * and over an RPC connection on the in-memory transport: typed params and results, capabilities
 * in params, results and struct fields, pipelining, superclasses, generic interfaces and methods,
 * unimplemented defaults.
 */
class GeneratedRpcTest {
  private final EventLoop loop = EventLoop.start("generated-rpc-test");
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(cleanup);
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    loop.close();
  }

  /** Collects log lines. */
  static final class LoggerImpl extends Logger.Server {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> released = new CompletableFuture<>();

    @Override
    protected CompletionStage<Void> log(
        CallContext<Logger.LogParams.Reader, Logger.LogResults.Builder> context) {
      lines.add(context.getParams().getLine().toString());
      context.getResults().setCount(lines.size());
      return Server.done();
    }

    @Override
    protected void onRelease() {
      released.complete(null);
    }
  }

  /** Implements Derived (and so Service and Named) except Service.nothing. */
  final class DerivedImpl extends Derived.Server {
    final LoggerImpl logger = new LoggerImpl();

    private Logger.Client newLogger() {
      return new Logger.Client(Capability.of(logger, loop));
    }

    @Override
    protected CompletionStage<Void> getLogger(
        CallContext<Service.GetLoggerParams.Reader, Service.GetLoggerResults.Builder> context) {
      try (Logger.Client l = newLogger()) {
        context.getResults().setLogger(l);
      }
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> echo(
        CallContext<Service.EchoParams.Reader, Service.EchoResults.Builder> context) {
      Service.EchoParams.Reader p = context.getParams();
      Service.EchoResults.Builder r = context.getResults();
      r.setValue(p.getValue() + 1);
      r.setTag(p.getTag().toString() + "!");
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> openSession(
        CallContext<Service.OpenSessionParams.Reader, Service.OpenSessionResults.Builder> ctx) {
      Session.Builder s = ctx.getResults().initSession();
      s.setId(ctx.getParams().getId());
      try (Logger.Client l = newLogger()) {
        s.setLogger(l);
        try (Logger.Client again = s.getLogger()) { // builder getter: a new reference
          if (!again.isSameAs(l)) {
            throw new AssertionError("builder getter returned another capability");
          }
        }
        s.getInner().setLabel("inner");
        s.getInner().setLogger(l);
        s.getInner().setLogger((Logger.Client) null);
        if (s.getInner().hasLogger()) {
          throw new AssertionError("setLogger(null) did not clear the field");
        }
        s.getInner().setLogger(l);
        s.getDetail().setLogger(l);
        s.setAny(l.capability());
      }
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> callBack(
        CallContext<Service.CallBackParams.Reader, Service.CallBackResults.Builder> context) {
      Logger.Client callback = context.getParams().getCallback();
      Request<Logger.LogParams.Builder, Logger.LogResults.Reader, Logger.LogResults.Pipeline> req =
          callback.logRequest();
      req.getParams().setLine("called back: " + context.getParams().getLine());
      return req.send().thenAccept(response -> {
        try (response; callback) {
          context.getResults().setCount(response.get().getCount());
        }
      });
    }

    @Override
    protected CompletionStage<Void> class_(
        CallContext<Service.ClassParams.Reader, Service.ClassResults.Builder> context) {
      context.getResults().setHashCode(context.getParams().getToString() * 2);
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> holder(
        CallContext<Service.HolderParams.Reader, Service.HolderResults.Builder> context) {
      Holder.Builder h = context.getResults().initHolder();
      try (Logger.Client l = newLogger();
          Box.Client<Text.Builder, Text.Reader> box = new Box.Client<>(
              Capability.of(new TextBoxImpl("boxed"), loop), Text.FACTORY);
          Service.Client self = new Service.Client(Capability.of(this, loop))) {
        h.setLogger(l);
        h.setCap(l.capability());
        h.setBox(box);
        h.setService(self);
        var loggers = h.initLoggers(2);
        loggers.set(0, l);
        loggers.set(1, l);
      }
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> name(
        CallContext<Named.NameParams.Reader, Named.NameResults.Builder> context) {
      context.getResults().setName("derived");
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> extra(
        CallContext<Derived.ExtraParams.Reader, Derived.ExtraResults.Builder> context) {
      context.getResults().setY(context.getParams().getX() * 10);
      return Server.done();
    }
  }

  /** A Box(Text) with an extra method; map applies a Mapper(Text, U) to the content. */
  static final class TextBoxImpl extends TextBox.Server {
    private String value;

    TextBoxImpl(String value) {
      this.value = value;
    }

    @Override
    protected CompletionStage<Void> get(CallContext<Box.GetParams.Reader<Text.Reader>,
        Box.GetResults.Builder<Text.Builder, Text.Reader>> context) {
      context.getResults().setValue(new Text.Reader(value));
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> put(CallContext<Box.PutParams.Reader<Text.Reader>,
        Box.PutResults.Builder<Text.Builder, Text.Reader>> context) {
      value = context.getParams().getValue().toString();
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> map(CallContext<Box.MapParams.Reader<Text.Reader,
        AnyPointer.Reader>, Box.MapResults.Builder<Text.Builder, Text.Reader, AnyPointer.Builder,
        AnyPointer.Reader>> context) {
      // The implicit parameter U is AnyPointer on the server side.
      Mapper.Client<Text.Builder, Text.Reader, AnyPointer.Builder, AnyPointer.Reader> fn =
          new Mapper.Client<>(context.getParams().getFn(), Text.FACTORY, AnyPointer.FACTORY);
      var req = fn.applyRequest();
      req.getParams().setA(new Text.Reader(value));
      return req.send().thenAccept(response -> {
        try (response; fn) {
          context.getResults().setResult(response.get().getB());
        }
      });
    }

    @Override
    protected CompletionStage<Void> length(
        CallContext<TextBox.LengthParams.Reader, TextBox.LengthResults.Builder> context) {
      context.getResults().setLength(value.length());
      return Server.done();
    }
  }

  /** A Mapper(Text, Data): UTF-8 bytes. */
  static final class BytesMapper
      extends Mapper.Server<Text.Builder, Text.Reader, Data.Builder, Data.Reader> {
    BytesMapper() {
      super(Text.FACTORY, Data.FACTORY);
    }

    @Override
    protected CompletionStage<Void> apply(CallContext<Mapper.ApplyParams.Reader<Text.Reader,
        Data.Reader>, Mapper.ApplyResults.Builder<Text.Builder, Text.Reader, Data.Builder,
        Data.Reader>> context) {
      byte[] bytes = context.getParams().getA().toString().getBytes(StandardCharsets.UTF_8);
      context.getResults().setB(new Data.Reader(bytes));
      return Server.done();
    }
  }

  /**
   * A capability to {@code server}: in-process, or the bootstrap capability of an RPC connection
   * over the in-memory transport.
   */
  private Capability serve(Server server, boolean remote) {
    Capability local = Capability.of(server, loop);
    if (!remote) {
      return local;
    }
    InMemoryTransport[] wires = InMemoryTransport.pair(false);
    // the server-side connection takes ownership of the bootstrap capability
    RpcConnection serverSide = RpcConnection.create(loop, wires[1], local, "server");
    RpcConnection clientSide = RpcConnection.create(loop, wires[0], null, "client");
    cleanup.add(serverSide);
    cleanup.add(clientSide);
    return clientSide.bootstrap();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void typedCallsReachTheTypedServer(boolean remote) throws Exception {
    try (Derived.Client derived = new Derived.Client(serve(new DerivedImpl(), remote))) {
      var echo = derived.echoRequest();
      echo.getParams().setValue(41);
      echo.getParams().setTag("hi");
      try (Response<Service.EchoResults.Reader> r = await(echo.send())) {
        assertThat(r.get().getValue()).isEqualTo(42);
        assertThat(r.get().getTag().toString()).isEqualTo("hi!");
      }
      var keyword = derived.classRequest();
      keyword.getParams().setToString(21);
      try (var r = await(keyword.send())) {
        assertThat(r.get().getHashCode()).isEqualTo(42);
      }
    }
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void superclassMethodsDispatchAndClientsConvert(boolean remote) throws Exception {
    try (Derived.Client derived = new Derived.Client(serve(new DerivedImpl(), remote));
        Named.Client named = derived.asNamed();
        Service.Client service = derived.asService();
        // casting down: a new typed client on another reference
        Derived.Client again = new Derived.Client(service.capability().dup())) {
      try (var r = await(named.nameRequest().send())) {
        assertThat(r.get().getName().toString()).isEqualTo("derived");
      }
      var extra = again.extraRequest();
      extra.getParams().setX(4);
      try (var r = await(extra.send())) {
        assertThat(r.get().getY()).isEqualTo(40);
      }
      assertThat(service.isSameAs(derived)).isTrue();
      assertThat(derived.toString()).startsWith("Derived.Client(Capability(");
      // MoreDerived's own method is not implemented by a Derived server: unknown interface
      try (MoreDerived.Client more = new MoreDerived.Client(derived.capability().dup())) {
        assertThatThrownBy(() -> await(more.moreRequest().send()))
            .hasCauseInstanceOf(RpcException.class)
            .hasMessageContaining("Unknown interface");
      }
    }
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void unimplementedMethodsFailWithTheirName(boolean remote) throws Exception {
    try (Service.Client service = new Service.Client(serve(new DerivedImpl(), remote))) {
      assertThatThrownBy(() -> await(service.nothingRequest().send()))
          .satisfies(e -> {
            RpcException cause = (RpcException) e.getCause();
            assertThat(cause.getType()).isEqualTo(RpcException.Type.UNIMPLEMENTED);
            assertThat(cause.getMessage()).contains("method not implemented: Service.nothing");
          });
    }
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void pipelinedCapabilitiesAreCallableBeforeTheResultsArrive(boolean remote) throws Exception {
    DerivedImpl impl = new DerivedImpl();
    try (Service.Client service = new Service.Client(serve(impl, remote))) {
      ResponsePromise<Service.GetLoggerResults.Reader, Service.GetLoggerResults.Pipeline> p =
          service.getLoggerRequest().send();
      try (Logger.Client logger = p.pipeline().getLogger()) {
        var log = logger.logRequest();
        log.getParams().setLine("one");
        var first = log.send();
        var log2 = logger.logRequest();
        log2.getParams().setLine("two");
        try (var r1 = await(first); var r2 = await(log2.send())) {
          assertThat(r1.get().getCount()).isEqualTo(1);
          assertThat(r2.get().getCount()).isEqualTo(2);
        }
      }
      await(p).close();

      // through structs, groups and an untyped Capability field of the promised results
      var open = service.openSessionRequest();
      open.getParams().setId(7);
      var session = open.send();
      Session.Pipeline sp = session.pipeline().getSession();
      try (Logger.Client direct = sp.getLogger();
          Logger.Client inner = sp.getInner().getLogger();
          Logger.Client detail = sp.getDetail().getLogger();
          Logger.Client any = new Logger.Client(sp.getAny())) {
        int n = 0;
        for (Logger.Client l : List.of(direct, inner, detail, any)) {
          var req = l.logRequest();
          req.getParams().setLine("via " + n++);
          await(req.send()).close();
        }
      }
      try (var r = await(session)) {
        assertThat(r.get().getSession().getId()).isEqualTo(7);
        assertThat(r.get().getSession().getInner().getLabel().toString()).isEqualTo("inner");
      }
    }
    assertThat(impl.logger.lines).containsExactly("one", "two", "via 0", "via 1", "via 2",
        "via 3");
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void capabilitiesInParamsAndStructFieldsOfResults(boolean remote) throws Exception {
    LoggerImpl mine = new LoggerImpl();
    try (Service.Client service = new Service.Client(serve(new DerivedImpl(), remote))) {
      try (Logger.Client callback = new Logger.Client(Capability.of(mine, loop))) {
        var req = service.callBackRequest();
        req.getParams().setCallback(callback);
        req.getParams().setLine("x");
        try (var r = await(req.send())) {
          assertThat(r.get().getCount()).isEqualTo(1);
        }
      }
      assertThat(mine.lines).containsExactly("called back: x");

      try (Response<Service.HolderResults.Reader> r = await(service.holderRequest().send())) {
        Holder.Reader h = r.get().getHolder();
        assertThat(h.hasLogger()).isTrue();
        assertThat(h.which()).isEqualTo(Holder.Which.SERVICE);
        try (Logger.Client l = h.getLogger();
            Logger.Client viaCap = new Logger.Client(h.getCap());
            Box.Client<Text.Builder, Text.Reader> box = h.getBox();
            Service.Client self = h.getService()) {
          assertThat(l.isSameAs(viaCap)).isTrue();
          var log = l.logRequest();
          log.getParams().setLine("from holder");
          assertThat(await(log.send()).get().getCount()).isEqualTo(1);
          try (var got = await(box.getRequest().send())) {
            assertThat(got.get().getValue().toString()).isEqualTo("boxed");
          }
          assertThat(h.getLoggers().size()).isEqualTo(2);
          for (Logger.Client fromList : h.getLoggers()) {
            try (fromList) {
              assertThat(fromList.isSameAs(l)).isTrue();
            }
          }
          var echo = self.echoRequest();
          echo.getParams().setValue(1);
          echo.getParams().setTag("self");
          try (var e = await(echo.send())) {
            assertThat(e.get().getValue()).isEqualTo(2);
          }
        }
      }
    }
    await(mine.released);
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void genericInterfacesAndGenericMethods(boolean remote) throws Exception {
    try (TextBox.Client textBox = new TextBox.Client(serve(new TextBoxImpl("start"), remote));
        Mapper.Client<Text.Builder, Text.Reader, Data.Builder, Data.Reader> mapper =
            new Mapper.Client<>(Capability.of(new BytesMapper(), loop), Text.FACTORY,
                Data.FACTORY)) {
      var put = textBox.putRequest();
      put.getParams().setValue(new Text.Reader("héllo"));
      await(put.send()).close();
      try (Response<Box.GetResults.Reader<Text.Reader>> r = await(textBox.getRequest().send())) {
        assertThat(r.get().getValue().toString()).isEqualTo("héllo");
      }
      try (var r = await(textBox.lengthRequest().send())) {
        assertThat(r.get().getLength()).isEqualTo(5);
      }
      // the generic method map [U]: the client binds U to Data
      var map = textBox.mapRequest(Data.FACTORY);
      map.getParams().setFn(mapper.capability());
      try (Response<Box.MapResults.Reader<Text.Reader, Data.Reader>> r = await(map.send())) {
        assertThat(r.get().getResult().toArray())
            .isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
      }
      // the superclass view with its type argument bound
      try (Box.Client<Text.Builder, Text.Reader> box = textBox.asBox()) {
        try (var r = await(box.getRequest().send())) {
          assertThat(r.get().getValue().toString()).isEqualTo("héllo");
        }
      }
    }
  }

  /** A Box(Logger): holds a logger capability. */
  static final class LoggerBoxImpl extends RpcCalls.LoggerBox.Server {
    private Logger.Client held;

    @Override
    protected CompletionStage<Void> put(CallContext<Box.PutParams.Reader<Logger.Client>,
        Box.PutResults.Builder<Logger.Client, Logger.Client>> context) {
      if (held != null) {
        held.close();
      }
      held = context.getParams().getValue();
      return Server.done();
    }

    @Override
    protected CompletionStage<Void> get(CallContext<Box.GetParams.Reader<Logger.Client>,
        Box.GetResults.Builder<Logger.Client, Logger.Client>> context) {
      context.getResults().setValue(held);
      return Server.done();
    }

    @Override
    protected void onRelease() {
      if (held != null) {
        held.close();
      }
    }
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void interfacesAsTypeArgumentsAreTypedClients(boolean remote) throws Exception {
    LoggerImpl logger = new LoggerImpl();
    try (RpcCalls.LoggerBox.Client box =
            new RpcCalls.LoggerBox.Client(serve(new LoggerBoxImpl(), remote));
        Logger.Client mine = new Logger.Client(Capability.of(logger, loop))) {
      var put = box.putRequest();
      put.getParams().setValue(mine);
      await(put.send()).close();
      try (Response<Box.GetResults.Reader<Logger.Client>> r = await(box.getRequest().send());
          Logger.Client back = r.get().getValue()) {
        var log = back.logRequest();
        log.getParams().setLine("boxed logger");
        assertThat(await(log.send()).get().getCount()).isEqualTo(1);
      }
    }
    assertThat(logger.lines).containsExactly("boxed logger");
  }

  /** A generated server written in blocking style: it waits for a call it makes. */
  @Blocking
  static final class BlockingService extends Service.Server {
    @Override
    protected CompletionStage<Void> callBack(
        CallContext<Service.CallBackParams.Reader, Service.CallBackResults.Builder> context) {
      try (Logger.Client callback = context.getParams().getCallback()) {
        var req = callback.logRequest();
        req.getParams().setLine("blocking " + context.getParams().getLine());
        try (var response = req.send().join()) {
          context.getResults().setCount(response.get().getCount() * 100);
        }
      }
      return Server.done();
    }
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void blockingHandlersOfGeneratedServersRunOffTheLoop(boolean remote) throws Exception {
    LoggerImpl mine = new LoggerImpl();
    try (Service.Client service = new Service.Client(serve(new BlockingService(), remote));
        Logger.Client callback = new Logger.Client(Capability.of(mine, loop))) {
      var req = service.callBackRequest();
      req.getParams().setCallback(callback);
      req.getParams().setLine("y");
      try (var r = await(req.send())) {
        assertThat(r.get().getCount()).isEqualTo(100);
      }
    }
    assertThat(mine.lines).containsExactly("blocking y");
  }

  @Test
  void releasingTheLastClientReleasesTheServer() throws Exception {
    LoggerImpl impl = new LoggerImpl();
    Logger.Client client = new Logger.Client(serve(impl, false));
    Logger.Client dup = client.dup();
    client.close();
    var log = dup.logRequest();
    log.getParams().setLine("still here");
    await(log.send()).close();
    assertThat(impl.released).isNotDone();
    dup.close();
    await(impl.released);
    assertThatThrownBy(dup::logRequest).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void brokenPipelineCapabilitiesReportTheFailure(boolean remote) throws Exception {
    try (Service.Client service = new Service.Client(serve(new DerivedImpl(), remote))) {
      // nothing() is unimplemented, so a pipeline on its results is broken
      var p = service.nothingRequest().send();
      assertThatThrownBy(() -> await(p)).isNotNull();
      try (Logger.Client l = new Logger.Client(p.pipeline().untyped().asCapability())) {
        assertThatThrownBy(() -> await(l.logRequest().send()))
            .isInstanceOf(java.util.concurrent.ExecutionException.class);
      }
    }
  }
}
