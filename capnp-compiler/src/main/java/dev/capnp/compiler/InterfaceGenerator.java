package dev.capnp.compiler;

import static dev.capnp.compiler.JavaTypes.RT;

import dev.capnp.compiler.JavaTypes.JType;
import dev.capnp.compiler.Model.Method;
import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.Model.Request;
import dev.capnp.compiler.Model.Superclass;
import dev.capnp.compiler.NodeNaming.Param;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Emits the RPC classes of an interface: the typed {@code Client} (request methods for the
 * interface's methods and those of all its superclasses, conversions to the superclasses) and
 * the {@code Server} base class (one overridable handler per method, dispatch by interface id and
 * method id). They build on the untyped API of {@code dev.capnp.rpc}.
 */
final class InterfaceGenerator {
  static final String RPC = "dev.capnp.rpc.";
  private static final String STAGE = "java.util.concurrent.CompletionStage<java.lang.Void>";
  private static final String UNTYPED_CONTEXT = RPC + "CallContext<" + RT + "AnyPointer.Reader, "
      + RT + "AnyPointer.Builder>";
  /** Methods of {@code dev.capnp.rpc.Server} a handler must not override by accident. */
  private static final Set<String> SERVER_METHODS = Set.of("dispatch", "isBlocking",
      "isStreaming", "onRelease", "done", "unknownInterface", "unknownMethod");
  /** {@code StreamResult} of {@code capnp/stream.capnp}: the results of {@code -> stream}. */
  static final long STREAM_RESULT_ID = 0x995f9a3377c0b16eL;

  private final FileGenerator file;
  private final Request request;
  private final NodeNaming naming;
  private final JavaTypes types;
  private final SourceWriter w;

  InterfaceGenerator(FileGenerator file) {
    this.file = file;
    this.request = file.request;
    this.naming = file.naming;
    this.types = file.types;
    this.w = file.w;
  }

  /**
   * An interface of the superclass closure; {@code ctx} resolves its generic parameters (for
   * the interface itself: its own type variables; for superclasses: the bound types).
   */
  private record Ancestor(Node node, List<Param> ctx) {}

  /** One method as seen from the interface being generated. */
  private record Call(Ancestor owner, Method method, String requestName, String handlerName,
      String doc) {}

  /** The interface followed by all its superclasses (depth first, each once). */
  private List<Ancestor> closure(Node iface) {
    List<Ancestor> out = new ArrayList<>();
    addAncestors(iface, naming.chain(iface.id()), out, new HashSet<>());
    return out;
  }

  private void addAncestors(Node n, List<Param> ctx, List<Ancestor> out, Set<Long> seen) {
    if (!seen.add(n.id())) {
      return;
    }
    out.add(new Ancestor(n, ctx));
    for (Superclass sc : n.superclasses()) {
      Node s = request.node(sc.id());
      List<Param> bound = new ArrayList<>();
      for (Param p : naming.chain(s.id())) {
        bound.add(JavaTypes.bound(p, types.binding(p, sc.brand(), ctx)));
      }
      addAncestors(s, List.copyOf(bound), out, seen);
    }
  }

  private List<Call> calls(List<Ancestor> ancestors) {
    Set<String> requestNames = new HashSet<>();
    Set<String> handlerNames = new HashSet<>(SERVER_METHODS);
    List<Call> out = new ArrayList<>();
    for (Ancestor a : ancestors) {
      for (Method m : a.node().methods()) {
        String req = unique(Names.lowerCamel(m.name()) + "Request", requestNames);
        String handler = unique(Names.method(m.name()), handlerNames);
        out.add(new Call(a, m, req, handler, file.memberDoc(a.node().id(), m.index())));
      }
    }
    return out;
  }

  /** Whether {@code m} is declared {@code -> stream}. */
  static boolean isStreaming(Method m) {
    return m.resultStructType() == STREAM_RESULT_ID;
  }

  private static String unique(String name, Set<String> used) {
    String n = name;
    while (!used.add(n)) {
      n = n + "_";
    }
    return n;
  }

  /** The schema name of an interface without its file, e.g. {@code Outer.Foo}. */
  private static String schemaName(Node n) {
    String d = n.displayName();
    int colon = d.indexOf(':');
    return colon >= 0 ? d.substring(colon + 1) : d;
  }

  /** Whether {@code line} fits in 100 columns at the writer's indentation. */
  private static boolean fits(SourceWriter out, String line) {
    return out.level() * 2 + line.length() <= 100;
  }

  /** Emits {@code FACTORY}/{@code factory(...)}, {@code Client} and {@code Server} of {@code n}. */
  void emit(Node n) {
    List<Ancestor> ancestors = closure(n);
    List<Call> calls = calls(ancestors);
    emitFactory(n);
    emitClient(n, ancestors, calls);
    emitServer(n, ancestors, calls);
  }

  // ---------------------------------------------------------------------------------------------
  // Factories used by the generated classes, hoisted into fields

  /** Collects the fields holding the factories a generated class uses. */
  private static final class Factories {
    final List<String> statics = new ArrayList<>();
    final List<String> fields = new ArrayList<>();
    final List<String> assignments = new ArrayList<>();
    final Set<String> names = new HashSet<>();

    /** An expression for the factory of {@code t}: inline, a static field or an instance field. */
    String of(JType t, String baseName) {
      if (t.factory().indexOf('(') < 0) {
        return t.factory();
      }
      String type = RT + "PointerFactory<" + t.builder() + ", " + t.reader() + ">";
      if (t.constant()) {
        String name = unique("_" + Names.upperSnake(baseName), names);
        statics.add("private static final " + type + " " + name + " =");
        statics.add("    " + t.factory() + ";");
        return name;
      }
      String name = unique("_" + baseName, names);
      fields.add("private final " + type + " " + name + ";");
      assignments.add("this." + name + " = " + t.factory() + ";");
      return name;
    }
  }

  private void emitFactory(Node n) {
    String self = types.className(n.id());
    List<Param> chain = naming.chain(n.id());
    String outer = types.outerRef(file.fileId);
    file.needsClientFactory = true;
    String doc = "Reads and writes {@code " + schemaName(n) + "} capabilities as clients (as type"
        + " arguments and list\nelements); each read gives a new reference.";
    if (chain.isEmpty()) {
      String t = self + ".Client";
      w.javadoc(doc);
      w.line("public static final " + RT + "PointerFactory<" + t + ", " + t + "> FACTORY =");
      w.line("    new " + outer + "._ClientFactory<>(" + t + "::new);");
      w.line("");
      return;
    }
    String vars = typeVars(chain);
    String t = self + ".Client" + vars;
    StringBuilder args = new StringBuilder();
    for (Param p : chain) {
      args.append(", ").append(p.factoryField());
    }
    w.javadoc(doc);
    String params = factoryParams(chain).substring(2);
    w.openWrapped("public static " + vars + " " + RT + "PointerFactory<" + t + ", " + t
        + "> factory(", params + ")");
    w.line("return new " + outer + "._ClientFactory<>(");
    w.line("    capability -> new " + self + ".Client<>(capability" + args + "));");
    w.close();
    w.line("");
  }

  // ---------------------------------------------------------------------------------------------
  // Client

  private String typeVars(List<Param> chain) {
    return chain.isEmpty() ? "" : "<" + StructContext.join(chain, true) + ">";
  }

  private String factoryParams(List<Param> chain) {
    StringBuilder sb = new StringBuilder();
    for (Param p : chain) {
      sb.append(", ").append(RT).append("PointerFactory<").append(p.builderVar()).append(", ")
          .append(p.readerVar()).append("> ").append(p.factoryField());
    }
    return sb.toString();
  }

  private void emitClient(Node n, List<Ancestor> ancestors, List<Call> calls) {
    String self = types.className(n.id());
    List<Param> chain = naming.chain(n.id());
    String vars = typeVars(chain);
    String selfType = self + ".Client" + vars;
    Factories factories = new Factories();

    // Request methods first (into a buffer), so the factory fields they need are known.
    SourceWriter body = new SourceWriter(w.level() + 1);
    for (Call c : calls) {
      emitRequestMethod(body, c, chain, factories);
    }

    w.javadoc("A client of {@code " + schemaName(n) + "}: a reference-counted handle to a"
        + " capability (close it;\nuse try-with-resources) with a request method per method of"
        + " the interface and of\nits superclasses. Wrap a {@link dev.capnp.rpc.Capability} to"
        + " get one, e.g.\n{@code new " + self + ".Client(dev.capnp.rpc.Capability.of(server))}.");
    w.open("public static final class Client" + vars + " extends " + RPC + "TypedClient");
    for (Param p : chain) {
      w.line("private final " + RT + "PointerFactory<" + p.builderVar() + ", " + p.readerVar()
          + "> " + p.factoryField() + ";");
    }
    for (String f : factories.fields) {
      w.line(f);
    }
    if (!chain.isEmpty() || !factories.fields.isEmpty()) {
      w.line("");
    }
    StringBuilder doc = new StringBuilder("Wraps {@code capability}, taking ownership of that"
        + " handle");
    for (Param p : chain) {
      doc.append("; {@code ").append(p.factoryField()).append("} reads and writes {@code ")
          .append(p.name()).append('}');
    }
    w.javadoc(doc.append('.').toString());
    w.open("public Client(" + RPC + "Capability capability" + factoryParams(chain) + ")");
    w.line("super(capability);");
    for (Param p : chain) {
      w.line("this." + p.factoryField() + " = " + p.factoryField() + ";");
    }
    for (String a : factories.assignments) {
      w.line(a);
    }
    w.close();
    w.line("");
    w.line("/** A new reference to the same capability (close both). */");
    w.open("public " + selfType + " dup()");
    w.line("return new " + self + ".Client" + (chain.isEmpty() ? "" : "<>") + "(capability().dup()"
        + factoryArgs(chain) + ");");
    w.close();
    Set<String> asNames = new HashSet<>();
    for (Ancestor a : ancestors.subList(1, ancestors.size())) {
      JavaTypes.ClientType ct = clientType(a);
      String name = unique("as" + naming.className(a.node().id()).simpleName(), asNames);
      w.line("");
      w.line("/** This capability as a {@code " + schemaName(a.node())
          + "} client (a new reference; close both). */");
      w.open("public " + ct.type() + " " + name + "()");
      w.line("return " + ct.wrap("capability().dup()") + ";");
      w.close();
    }
    w.raw(body.toString());
    w.line("");
    w.line("@java.lang.Override");
    w.open("public java.lang.String toString()");
    w.line("return \"" + schemaName(n) + ".Client(\" + capability() + \")\";");
    w.close();
    if (!factories.statics.isEmpty()) {
      w.line("");
      for (String s : factories.statics) {
        w.line(s);
      }
    }
    w.close();
    w.line("");
  }

  private static String factoryArgs(List<Param> chain) {
    StringBuilder sb = new StringBuilder();
    for (Param p : chain) {
      sb.append(", ").append(p.factoryField());
    }
    return sb.toString();
  }

  /** The client type of an ancestor, with its type arguments. */
  private JavaTypes.ClientType clientType(Ancestor a) {
    String name = types.className(a.node().id()) + ".Client";
    if (a.ctx().isEmpty()) {
      return new JavaTypes.ClientType(name, List.of(), true);
    }
    List<String> factories = new ArrayList<>();
    StringBuilder t = new StringBuilder(name).append('<');
    for (Param p : a.ctx()) {
      t.append(factories.isEmpty() ? "" : ", ").append(p.builderVar()).append(", ")
          .append(p.readerVar());
      factories.add(p.factoryField());
    }
    return new JavaTypes.ClientType(t.append('>').toString(), factories, false);
  }

  /** The pipeline class of a results struct, or the untyped pipeline. */
  private String pipelineType(long resultStructId) {
    if (naming.hasClass(resultStructId) && naming.hasRpc(naming.fileOf(resultStructId))) {
      return types.className(resultStructId) + ".Pipeline";
    }
    return RPC + "Pipeline";
  }

  private void emitRequestMethod(SourceWriter out, Call c, List<Param> classChain,
      Factories factories) {
    Method m = c.method();
    // The method's implicit type parameters become type variables of the request method.
    Set<String> taken = new HashSet<>();
    for (Param p : classChain) {
      taken.add(p.builderVar());
      taken.add(p.readerVar());
      taken.add(p.factoryField());
    }
    List<JType> implicit = new ArrayList<>();
    StringBuilder typeParams = new StringBuilder();
    StringBuilder params = new StringBuilder();
    for (String name : m.implicitParameters()) {
      String base = name;
      while (taken.contains(base + "B") || taken.contains(base + "R")
          || taken.contains(Names.lowerCamel(base) + "Factory")) {
        base = base + "_";
      }
      taken.add(base + "B");
      taken.add(base + "R");
      String factory = Names.lowerCamel(base) + "Factory";
      taken.add(factory);
      implicit.add(new JType(base + "R", base + "B", factory, false));
      typeParams.append(typeParams.length() == 0 ? "<" : ", ").append(base).append("B, ")
          .append(base).append('R');
      if (params.length() > 0) {
        params.append(", ");
      }
      params.append(RT).append("PointerFactory<").append(base).append("B, ").append(base)
          .append("R> ").append(factory);
    }
    if (typeParams.length() > 0) {
      typeParams.append("> ");
    }
    JType p = types.methodStruct(m.paramStructType(), m.paramBrand(), c.owner().ctx(), implicit);
    String pf = implicit.isEmpty() ? factories.of(p, c.handlerName() + "Params") : p.factory();
    if (isStreaming(m)) {
      emitStreamingRequestMethod(out, c, typeParams.toString(), params.toString(), p, pf,
          implicit);
      return;
    }
    JType r = types.methodStruct(m.resultStructType(), m.resultBrand(), c.owner().ctx(), implicit);
    String rf = implicit.isEmpty() ? factories.of(r, c.handlerName() + "Results") : r.factory();
    String pipeline = pipelineType(m.resultStructType());
    String pipelineFn = pipeline.equals(RPC + "Pipeline") ? "java.util.function.Function.identity()"
        : pipeline + "::new";
    out.line("");
    StringBuilder doc = new StringBuilder();
    if (c.doc() != null) {
      doc.append(c.doc().strip()).append("\n\n");
    }
    doc.append("A request to {@code ").append(schemaName(c.owner().node())).append('.')
        .append(m.name()).append("}: fill {@code getParams()}, then {@code send()}.");
    for (JType t : implicit) {
      doc.append("\n@param ").append(t.factory()).append(" reads and writes the method's type"
          + " parameter");
    }
    out.javadoc(doc.toString());
    out.openWrapped("public " + typeParams + RPC + "Request<" + p.builder() + ",",
        r.reader() + ",", pipeline + "> " + c.requestName() + "(" + params + ")");
    String head = "return newCall(" + types.className(c.owner().node().id()) + ".TYPE_ID, "
        + m.index() + ", " + pf + ", " + rf + ",";
    if (fits(out, head)) {
      out.line(head);
    } else {
      out.line("return newCall(" + types.className(c.owner().node().id()) + ".TYPE_ID, "
          + m.index() + ",");
      out.line("    " + pf + ",");
      out.line("    " + rf + ",");
    }
    out.line("    " + pipelineFn + ");");
    out.close();
  }

  /** A {@code -> stream} method's request: a {@code StreamingRequest} of its params. */
  private void emitStreamingRequestMethod(SourceWriter out, Call c, String typeParams,
      String params, JType p, String pf, List<JType> implicit) {
    Method m = c.method();
    out.line("");
    StringBuilder doc = new StringBuilder();
    if (c.doc() != null) {
      doc.append(c.doc().strip()).append("\n\n");
    }
    doc.append("A streaming request to {@code ").append(schemaName(c.owner().node())).append('.')
        .append(m.name()).append("}: fill {@code getParams()}, then\n{@code send()}, whose"
            + " future completes when flow control allows the next call.");
    for (JType t : implicit) {
      doc.append("\n@param ").append(t.factory()).append(" reads and writes the method's type"
          + " parameter");
    }
    out.javadoc(doc.toString());
    String head = "public " + typeParams + RPC + "StreamingRequest<" + p.builder() + "> "
        + c.requestName() + "(";
    if (params.isEmpty() || fits(out, head + params + ") {")) {
      out.open(head + params + ")");
    } else {
      out.openWrapped(head, params + ")");
    }
    String call = "return " + RPC + "StreamingRequest.of(capability(), "
        + types.className(c.owner().node().id()) + ".TYPE_ID, " + m.index() + ", " + pf + ");";
    if (fits(out, call)) {
      out.line(call);
    } else {
      out.line("return " + RPC + "StreamingRequest.of(capability(),");
      out.line("    " + types.className(c.owner().node().id()) + ".TYPE_ID, " + m.index() + ", "
          + pf + ");");
    }
    out.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Server

  private void emitServer(Node n, List<Ancestor> ancestors, List<Call> calls) {
    String self = types.className(n.id());
    List<Param> chain = naming.chain(n.id());
    String vars = typeVars(chain);
    Factories factories = new Factories();

    SourceWriter dispatch = new SourceWriter(w.level() + 2);
    SourceWriter handlers = new SourceWriter(w.level() + 1);
    Ancestor current = null;
    for (Call c : calls) {
      if (c.owner() != current) {
        if (current != null) {
          dispatch.line("default -> " + RPC + "Server.unknownMethod(interfaceId, methodId);");
          dispatch.dedent();
          dispatch.line("};");
          dispatch.close();
        }
        current = c.owner();
        dispatch.open("if (interfaceId == " + types.className(current.node().id()) + ".TYPE_ID)");
        dispatch.line("return switch (methodId) {");
        dispatch.indent();
      }
      Method m = c.method();
      JType p = types.struct(m.paramStructType(), m.paramBrand(), c.owner().ctx());
      String pf = factories.of(p, c.handlerName() + "Params");
      if (isStreaming(m)) {
        emitStreamingHandler(dispatch, handlers, c, p, pf);
        continue;
      }
      JType r = types.struct(m.resultStructType(), m.resultBrand(), c.owner().ctx());
      String rf = factories.of(r, c.handlerName() + "Results");
      String head = "case " + m.index() + " -> " + c.handlerName() + "(context.typed(" + pf + ",";
      if (fits(dispatch, head + " " + rf + "));")) {
        dispatch.line(head + " " + rf + "));");
      } else {
        dispatch.line(head);
        dispatch.line("    " + rf + "));");
      }
      handlers.line("");
      StringBuilder doc = new StringBuilder();
      if (c.doc() != null) {
        doc.append(c.doc().strip()).append("\n\n");
      }
      doc.append("Handles {@code ").append(schemaName(c.owner().node())).append('.')
          .append(m.name()).append("}: read {@code context.getParams()}, fill\n"
              + "{@code context.getResults()}, return a stage completing when they are ready."
              + "\nThe default fails with an {@code unimplemented} exception.");
      handlers.javadoc(doc.toString());
      handlers.openWrapped("protected " + STAGE + " " + c.handlerName() + "(",
          RPC + "CallContext<" + p.reader() + ",", r.builder() + "> context)");
      handlers.line("return java.util.concurrent.CompletableFuture.failedFuture("
          + RPC + "RpcException.unimplemented(");
      handlers.line("    \"method not implemented: " + schemaName(c.owner().node()) + "."
          + m.name() + "\"));");
      handlers.close();
    }
    // Interfaces without methods of their own still answer for their id.
    Set<Long> withMethods = new HashSet<>();
    for (Call c : calls) {
      withMethods.add(c.owner().node().id());
    }
    if (current != null) {
      dispatch.line("default -> " + RPC + "Server.unknownMethod(interfaceId, methodId);");
      dispatch.dedent();
      dispatch.line("};");
      dispatch.close();
    }
    for (Ancestor a : ancestors) {
      if (!withMethods.contains(a.node().id())) {
        dispatch.open("if (interfaceId == " + types.className(a.node().id()) + ".TYPE_ID)");
        dispatch.line("return " + RPC + "Server.unknownMethod(interfaceId, methodId);");
        dispatch.close();
      }
    }

    w.javadoc("Base class of {@code " + schemaName(n) + "} implementations: override the"
        + " handlers of the methods you\nimplement (the others fail with {@code unimplemented})"
        + " and serve an instance with\n{@code dev.capnp.rpc.Capability.of(server)}.");
    w.open("public abstract static class Server" + vars + " extends " + RPC + "Server");
    for (Param p : chain) {
      w.line("private final " + RT + "PointerFactory<" + p.builderVar() + ", " + p.readerVar()
          + "> " + p.factoryField() + ";");
    }
    for (String f : factories.fields) {
      w.line(f);
    }
    if (!chain.isEmpty() || !factories.fields.isEmpty()) {
      w.line("");
    }
    StringBuilder doc = new StringBuilder("Creates a server");
    for (Param p : chain) {
      doc.append("; {@code ").append(p.factoryField()).append("} reads and writes {@code ")
          .append(p.name()).append('}');
    }
    w.javadoc(doc.append('.').toString());
    String ctorParams = factoryParams(chain);
    w.open("protected Server(" + (ctorParams.isEmpty() ? "" : ctorParams.substring(2)) + ")");
    for (Param p : chain) {
      w.line("this." + p.factoryField() + " = " + p.factoryField() + ";");
    }
    for (String a : factories.assignments) {
      w.line(a);
    }
    w.close();
    w.line("");
    w.line("@java.lang.Override");
    w.openWrapped("protected " + STAGE + " dispatch(long interfaceId, int methodId,",
        UNTYPED_CONTEXT + " context)");
    w.raw(dispatch.toString());
    w.line("return " + RPC + "Server.unknownInterface(interfaceId);");
    w.close();
    emitIsStreaming(calls);
    w.raw(handlers.toString());
    if (!factories.statics.isEmpty()) {
      w.line("");
      for (String s : factories.statics) {
        w.line(s);
      }
    }
    w.close();
    w.line("");
  }

  /** The dispatch case and the overridable handler of a {@code -> stream} method. */
  private void emitStreamingHandler(SourceWriter dispatch, SourceWriter handlers, Call c, JType p,
      String pf) {
    Method m = c.method();
    String line = "case " + m.index() + " -> " + c.handlerName() + "(" + RPC
        + "StreamingCallContext.of(context, " + pf + "));";
    if (fits(dispatch, line)) {
      dispatch.line(line);
    } else {
      dispatch.line("case " + m.index() + " -> " + c.handlerName() + "(");
      dispatch.line("    " + RPC + "StreamingCallContext.of(context, " + pf + "));");
    }
    handlers.line("");
    StringBuilder doc = new StringBuilder();
    if (c.doc() != null) {
      doc.append(c.doc().strip()).append("\n\n");
    }
    doc.append("Handles the streaming method {@code ").append(schemaName(c.owner().node()))
        .append('.').append(m.name()).append("}: read {@code context.getParams()},\n"
            + "return a stage completing when the call is done. Calls to this object wait until"
            + "\nit completes; failing it fails every later call to the object.\nThe default"
            + " fails with an {@code unimplemented} exception.");
    handlers.javadoc(doc.toString());
    handlers.openWrapped("protected " + STAGE + " " + c.handlerName() + "(",
        RPC + "StreamingCallContext<" + p.reader() + "> context)");
    handlers.line("return java.util.concurrent.CompletableFuture.failedFuture("
        + RPC + "RpcException.unimplemented(");
    handlers.line("    \"method not implemented: " + schemaName(c.owner().node()) + "."
        + m.name() + "\"));");
    handlers.close();
  }

  /** Overrides {@code Server.isStreaming} when some method is declared {@code -> stream}. */
  private void emitIsStreaming(List<Call> calls) {
    List<String> cases = new ArrayList<>();
    for (Call c : calls) {
      if (isStreaming(c.method())) {
        cases.add("interfaceId == " + types.className(c.owner().node().id()) + ".TYPE_ID"
            + " && methodId == " + c.method().index());
      }
    }
    if (cases.isEmpty()) {
      return;
    }
    w.line("");
    w.line("@java.lang.Override");
    w.open("protected boolean isStreaming(long interfaceId, int methodId)");
    for (int i = 0; i < cases.size(); i++) {
      String line = (i == 0 ? "return " : "    || ") + cases.get(i)
          + (i == cases.size() - 1 ? ";" : "");
      if (fits(w, line)) {
        w.line(line);
      } else {
        int cut = line.indexOf(" && ");
        w.line(line.substring(0, cut));
        w.line("    " + line.substring(cut + 1));
      }
    }
    w.close();
  }
}
