package dev.capnp.tool;

import dev.capnp.dynamic.DynamicStruct;
import dev.capnp.dynamic.DynamicType;
import dev.capnp.dynamic.StructSchema;
import dev.capnp.dynamic.TextFormat;
import dev.capnp.dynamic.TextFormatException;
import dev.capnp.net.CapnpUri;
import dev.capnp.net.UriOrCapFile;
import dev.capnp.net.Vat;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Pipeline;
import dev.capnp.rpc.ResponsePromise;
import dev.capnp.rpc.Request;
import dev.capnp.rpc.Response;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code call}: a dynamic RPC client, like {@code grpcurl}. Connects to a sturdy ref (a
 * {@code capnp://} URI or a cap file), calls {@code Interface.method(params)} with the parameters
 * in Cap'n Proto text format and prints the results as text; further calls on capabilities in
 * the results ({@code .field.method(params)}) are pipelined, all sent before any answer.
 */
@Command(name = "call", mixinStandardHelpOptions = true,
    description = {"Calls a method of a remote capability and prints the results in text format.",
        "CALL is Interface.method(params), optionally followed by pipelined calls on a "
            + "capability in the results: .field.method(params) (the field may be left out when "
            + "the results hold one capability). Example:",
        "    capnp-java call calculator.capnp calc.cap "
            + "'Calculator.evaluate(expression = (literal = 3)).value.read()'",
        "The schema is compiled with the 'capnp' tool (apt-get install capnproto)."})
final class CallCommand implements Callable<Integer> {
  @ParentCommand
  CapnpJava tool;

  @Option(names = {"-I", "--import-path"}, paramLabel = "DIR",
      description = "Add DIR to the list of directories searched for non-relative imports.")
  List<Path> importPath = new ArrayList<>();

  @Option(names = {"--verbose", "--debug"}, description = "Print stack traces of errors.")
  boolean verbose;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Give up on the connection or a call after this long (default: "
          + "${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Parameters(index = "0", paramLabel = "SCHEMA.capnp", description = "The schema file.")
  Path schemaFile;

  @Parameters(index = "1", paramLabel = "TARGET",
      description = "The capability: a capnp:// URI or a cap file holding one.")
  String target;

  @Parameters(index = "2", paramLabel = "CALL",
      description = "Interface.method(params)[.field.method(params)]...")
  String call;

  /** Made by picocli, which injects the parent {@link CapnpJava} (its output stream). */
  CallCommand() {
  }

  /** One resolved call of the chain. */
  private record PlannedCall(CallExpression.Step step, InterfaceCatalog.MethodRef method,
      int[] capabilityPath) {
  }

  @Override
  public Integer call() {
    if (timeoutSeconds <= 0) {
      throw new ToolException("--timeout must be positive, got " + timeoutSeconds);
    }
    CallExpression expression = CallExpression.parse(call);
    if (!Files.isRegularFile(schemaFile)) {
      throw new ToolException("no such schema file: " + schemaFile);
    }
    InterfaceCatalog catalog = InterfaceCatalog.of(SchemaCompiler.compile(schemaFile, importPath));
    List<PlannedCall> plan = plan(catalog, expression);
    CapnpUri uri;
    try {
      uri = UriOrCapFile.parse(target);
    } catch (IllegalArgumentException e) {
      throw new ToolException(e.getMessage());
    }
    List<Response<AnyPointer.Reader>> responses = run(uri, plan);
    print(plan, responses);
    return 0;
  }

  /** Resolves every call's interface, method and parameters before connecting. */
  private static List<PlannedCall> plan(InterfaceCatalog catalog, CallExpression expression) {
    List<PlannedCall> plan = new ArrayList<>();
    InterfaceCatalog.MethodRef previous = null;
    for (CallExpression.Step step : expression.steps()) {
      long interfaceId;
      int[] path = null;
      if (previous == null) {
        interfaceId = catalog.findInterface(String.join(".", step.path()));
      } else {
        CapabilityField field = CapabilityField.find(previous, step.path());
        interfaceId = field.interfaceId();
        path = field.pointerPath();
      }
      InterfaceCatalog.MethodRef method = catalog.findMethod(interfaceId, step.method());
      parseParams(method, step.params(), new MessageBuilder().initRoot(method.params().factory()));
      plan.add(new PlannedCall(step, method, path));
      previous = method;
    }
    return plan;
  }

  private static void parseParams(InterfaceCatalog.MethodRef method, String params,
      DynamicStruct.Builder builder) {
    try {
      TextFormat.parse(params, builder);
    } catch (TextFormatException e) {
      throw new ToolException("parameters of " + method.name() + ": " + e.getMessage());
    }
  }

  /** Connects, sends every call (each later one pipelined on the one before) and waits. */
  private List<Response<AnyPointer.Reader>> run(CapnpUri uri, List<PlannedCall> plan) {
    List<Response<AnyPointer.Reader>> responses = new ArrayList<>();
    List<Capability> pipelined = new ArrayList<>();
    try (Vat vat = Vat.client()) {
      Capability root;
      try {
        root = Await.result(vat.importRef(uri).connect(), timeoutSeconds, TimeUnit.SECONDS);
      } catch (RpcException e) {
        throw new ToolException("cannot connect to " + uri.address() + ": " + e);
      }
      try {
        List<ResponsePromise<AnyPointer.Reader, Pipeline>> promises = new ArrayList<>();
        Capability target = root;
        for (PlannedCall planned : plan) {
          if (planned.capabilityPath() != null) {
            target = promises.get(promises.size() - 1)
                .getPipelinedCap(planned.capabilityPath());
            pipelined.add(target);
          }
          Request<AnyPointer.Builder, AnyPointer.Reader, Pipeline> request =
              target.newCall(planned.method().interfaceId(), planned.method().ordinal());
          parseParams(planned.method(), planned.step().params(),
              request.getParams().initAs(planned.method().params().factory()));
          promises.add(request.send());
        }
        for (int i = 0; i < promises.size(); i++) {
          try {
            responses.add(Await.result(promises.get(i), timeoutSeconds, TimeUnit.SECONDS));
          } catch (RpcException e) {
            throw new ToolException(plan.get(i).method().name() + " failed: " + e);
          }
        }
        return responses;
      } catch (RuntimeException e) {
        responses.forEach(Response::close);
        throw e;
      } finally {
        pipelined.forEach(Capability::close);
        root.close();
      }
    }
  }

  /** Prints the results: the only call's as they are, several calls' each after its name. */
  private void print(List<PlannedCall> plan, List<Response<AnyPointer.Reader>> responses) {
    PrintStream out = tool.out();
    for (int i = 0; i < responses.size(); i++) {
      try (Response<AnyPointer.Reader> response = responses.get(i)) {
        StructSchema results = plan.get(i).method().results();
        DynamicStruct.Reader reader = response.get().getAs(results.factory());
        if (responses.size() > 1) {
          out.print("# " + plan.get(i).method().name() + "\n");
        }
        byte[] text = TextFormat.prettyPrintBytes(reader);
        out.write(text, 0, text.length);
        out.print("\n");
      }
    }
    out.flush();
  }

  /** Where the capability of a pipelined call is in the previous call's results. */
  private record CapabilityField(long interfaceId, int[] pointerPath) {
    static CapabilityField find(InterfaceCatalog.MethodRef previous, List<String> names) {
      StructSchema struct = previous.results();
      if (names.isEmpty()) {
        List<StructSchema.Field> caps = new ArrayList<>();
        for (StructSchema.Field f : struct.fields()) {
          if (!f.isGroup() && f.type().kind() == DynamicType.Kind.INTERFACE) {
            caps.add(f);
          }
        }
        if (caps.size() != 1) {
          throw new ToolException("the results of " + previous.name() + " hold "
              + (caps.isEmpty() ? "no capability field"
                  : caps.size() + " capability fields (" + names(caps) + "): name one, e.g. ."
                      + caps.get(0).name() + ".method(...)"));
        }
        return new CapabilityField(caps.get(0).type().typeId(), new int[] {caps.get(0).offset()});
      }
      List<Integer> path = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        StructSchema.Field f = struct.findField(name);
        if (f == null) {
          String where = i == 0 ? "the results of " + previous.name()
              : "field " + String.join(".", names.subList(0, i)) + " of the results of "
                  + previous.name();
          throw new ToolException(where + (i == 0 ? " have" : " has") + " no field " + name
              + " (its fields: " + names(struct.fields()) + ")");
        }
        boolean last = i == names.size() - 1;
        DynamicType type = f.type();
        if (f.isGroup()) {
          struct = type.structSchema();
        } else if (type.kind() == DynamicType.Kind.STRUCT) {
          path.add(f.offset());
          struct = type.structSchema();
        } else if (type.kind() == DynamicType.Kind.INTERFACE && last) {
          path.add(f.offset());
          return new CapabilityField(type.typeId(),
              path.stream().mapToInt(Integer::intValue).toArray());
        } else {
          throw new ToolException("field " + String.join(".", names.subList(0, i + 1))
              + " of the results of " + previous.name() + " is not a struct or a capability:"
              + " a pipelined call needs a path of struct fields ending in a capability");
        }
        if (last) {
          throw new ToolException("field " + String.join(".", names)
              + " of the results of " + previous.name() + " is a struct, not a capability");
        }
      }
      throw new IllegalStateException("unreachable");
    }

    private static String names(List<StructSchema.Field> fields) {
      List<String> names = new ArrayList<>();
      for (StructSchema.Field f : fields) {
        names.add(f.name());
      }
      return String.join(", ", names);
    }
  }
}
