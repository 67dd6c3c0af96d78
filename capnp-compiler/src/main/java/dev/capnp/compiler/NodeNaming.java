package dev.capnp.compiler;

import dev.capnp.compiler.Model.Annotation;
import dev.capnp.compiler.Model.Field;
import dev.capnp.compiler.Model.Method;
import dev.capnp.compiler.Model.NestedNode;
import dev.capnp.compiler.Model.Node;
import dev.capnp.compiler.Model.NodeKind;
import dev.capnp.compiler.Model.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides the Java name of every node in a request: package and outer class per file, nested
 * class path per struct/enum/interface/group/method-parameter struct, field name per constant,
 * and the generic type parameters each class inherits from its enclosing scopes.
 */
final class NodeNaming {
  /** Annotation id of {@code $Java.package} in {@code /capnp/java.capnp}. */
  static final long PACKAGE_ANNOTATION = 0x9ee4c8f803b3b596L;
  /** Annotation id of {@code $Java.outerClassname} in {@code /capnp/java.capnp}. */
  static final long OUTER_CLASSNAME_ANNOTATION = 0x9b066bb4881f7cd3L;

  /** Class names generated code declares in struct and group classes. */
  private static final Set<String> STRUCT_MEMBER_CLASSES =
      Set.of("Reader", "Builder", "Factory", "Which", "Pipeline", "ListReader",
          "ListBuilder");
  /** Class names generated code declares in interface classes. */
  private static final Set<String> INTERFACE_MEMBER_CLASSES =
      Set.of("Methods", "Client", "Server");

  /** Java names of one schema file. */
  record FileNames(long id, String displayName, String javaPackage, String outerClass) {}

  /** Java name of one class-producing node: the nested path below its file's outer class. */
  record ClassName(long id, long fileId, long parentId, List<String> path) {
    String simpleName() {
      return path.get(path.size() - 1);
    }
  }

  /**
   * One generic type parameter visible in a class, with its Java type variable names (or, for a
   * parameter bound to a known type, that type's Java names and factory expression;
   * {@code constant} then tells whether the factory is a constant expression).
   */
  record Param(long scopeId, int index, String name, String builderVar, String readerVar,
      String factoryField, boolean constant) {}

  private final Request request;
  private final Map<String, String> packageOptions;
  private final Map<Long, FileNames> files = new HashMap<>();
  private final Map<Long, ClassName> classes = new HashMap<>();
  private final Map<Long, String> constNames = new HashMap<>();
  private final Map<Long, Long> constOwner = new HashMap<>();
  private final Map<Long, Long> fileOfNode = new HashMap<>();
  private final Map<Long, List<Param>> chains = new HashMap<>();

  NodeNaming(Request request, Map<String, String> packageOptions) {
    this.request = request;
    this.packageOptions = packageOptions;
    for (Node n : request.nodes().values()) {
      if (n.kind() == NodeKind.FILE) {
        FileNames f = fileNames(n);
        files.put(n.id(), f);
        fileOfNode.put(n.id(), n.id());
        Set<String> ancestors = new HashSet<>();
        ancestors.add(f.outerClass());
        assignChildren(n, n.id(), 0, List.of(), ancestors, Set.of("SCHEMA"));
      }
    }
  }

  private FileNames fileNames(Node file) {
    String pkg = null;
    String outer = null;
    for (Annotation a : file.annotations()) {
      if (a.id() == PACKAGE_ANNOTATION) {
        pkg = a.value().text();
      } else if (a.id() == OUTER_CLASSNAME_ANNOTATION) {
        outer = a.value().text();
      }
    }
    if (pkg == null) {
      pkg = optionPackage(file.displayName());
    }
    if (outer == null) {
      outer = derivedOuterClass(file);
    }
    return new FileNames(file.id(), file.displayName(), pkg, outer);
  }

  /**
   * The outer class name derived from the file name, with the suffix {@code Schema} (repeated if
   * need be) when the file declares a type of that name at any depth: {@code persistent.capnp}
   * declaring interface {@code Persistent} yields {@code PersistentSchema.Persistent}.
   */
  private String derivedOuterClass(Node file) {
    Set<String> declared = new HashSet<>();
    collectClassNames(file, declared, new HashSet<>());
    String outer = Names.outerClassForFile(file.displayName());
    while (declared.contains(outer)) {
      outer = outer + "Schema";
    }
    return outer;
  }

  /** The (unescaped) Java class names that the types nested in {@code node} would get. */
  private void collectClassNames(Node node, Set<String> out, Set<Long> seen) {
    if (!seen.add(node.id())) {
      return;
    }
    List<Long> children = new ArrayList<>();
    for (NestedNode nn : node.nestedNodes()) {
      Node child = request.nodes().get(nn.id());
      if (child != null && (child.kind() == NodeKind.STRUCT || child.kind() == NodeKind.ENUM
          || child.kind() == NodeKind.INTERFACE)) {
        out.add(Names.escape(nn.name()));
        children.add(child.id());
      }
    }
    if (node.kind() == NodeKind.STRUCT) {
      for (Field f : node.struct().fields()) {
        if (f.isGroup() && request.nodes().containsKey(f.groupId())) {
          out.add(Names.upperCamel(f.name()));
          children.add(f.groupId());
        }
      }
    }
    if (node.kind() == NodeKind.INTERFACE) {
      for (Method m : node.methods()) {
        for (long id : new long[] {m.paramStructType(), m.resultStructType()}) {
          Node s = request.nodes().get(id);
          if (s != null && s.scopeId() == 0) {
            out.add(Names.upperCamel(m.name()) + (id == m.paramStructType() ? "Params" : "Results"));
            children.add(id);
          }
        }
      }
    }
    for (long id : children) {
      collectClassNames(request.nodes().get(id), out, seen);
    }
  }

  /**
   * Java packages of the standard schemas whose generated classes ship with capnp-java (used when
   * no option says otherwise), e.g. for {@code -> stream} methods or imported RPC types.
   */
  static final Map<String, String> STANDARD_PACKAGES = Map.of(
      "capnp/schema.capnp", "dev.capnp.schema",
      "capnp/rpc.capnp", "dev.capnp.rpc.proto",
      "capnp/rpc-twoparty.capnp", "dev.capnp.rpc.proto",
      "capnp/persistent.capnp", "dev.capnp.rpc.proto",
      "capnp/stream.capnp", "dev.capnp.rpc.proto");

  private String optionPackage(String displayName) {
    String name = stripSlash(displayName);
    String best = matchPackage(name, packageOptions);
    return best != null ? best : STANDARD_PACKAGES.get(name);
  }

  private static String matchPackage(String name, Map<String, String> packages) {
    String best = null;
    int bestLength = -1;
    for (Map.Entry<String, String> e : packages.entrySet()) {
      String key = stripSlash(e.getKey());
      if ((name.equals(key) || name.endsWith("/" + key)) && key.length() > bestLength) {
        best = e.getValue();
        bestLength = key.length();
      }
    }
    return best;
  }

  private static String stripSlash(String s) {
    return s.startsWith("/") ? s.substring(1) : s;
  }

  private void assignChildren(Node node, long fileId, long parentClassId, List<String> path,
      Set<String> ancestors, Set<String> reservedConstants) {
    Set<String> used = new HashSet<>(switch (node.kind()) {
      case STRUCT -> STRUCT_MEMBER_CLASSES;
      case INTERFACE -> INTERFACE_MEMBER_CLASSES;
      default -> Set.<String>of();
    });
    used.addAll(ancestors);
    Set<String> usedConstants = new HashSet<>(reservedConstants);
    List<long[]> children = new ArrayList<>();
    List<String> childNames = new ArrayList<>();
    for (NestedNode nn : node.nestedNodes()) {
      Node child = request.nodes().get(nn.id());
      if (child == null) {
        continue;
      }
      fileOfNode.put(child.id(), fileId);
      switch (child.kind()) {
        case STRUCT, ENUM, INTERFACE -> {
          children.add(new long[] {child.id()});
          childNames.add(unique(notOwnMember(Names.escape(nn.name()), child), used));
        }
        case CONST -> {
          constNames.put(child.id(), unique(Names.upperSnake(nn.name()), usedConstants));
          constOwner.put(child.id(), parentClassId);
        }
        default -> { }
      }
    }
    if (node.kind() == NodeKind.STRUCT) {
      for (Field f : node.struct().fields()) {
        if (f.isGroup() && request.nodes().containsKey(f.groupId())) {
          fileOfNode.put(f.groupId(), fileId);
          children.add(new long[] {f.groupId()});
          childNames.add(unique(Names.upperCamel(f.name()), used));
        }
      }
    }
    if (node.kind() == NodeKind.INTERFACE) {
      for (Method m : node.methods()) {
        addImplicitStruct(m.paramStructType(), Names.upperCamel(m.name()) + "Params", fileId,
            used, children, childNames);
        addImplicitStruct(m.resultStructType(), Names.upperCamel(m.name()) + "Results", fileId,
            used, children, childNames);
      }
    }
    for (int i = 0; i < children.size(); i++) {
      long id = children.get(i)[0];
      List<String> childPath = new ArrayList<>(path);
      childPath.add(childNames.get(i));
      classes.put(id, new ClassName(id, fileId, parentClassId, List.copyOf(childPath)));
      Set<String> childAncestors = new HashSet<>(ancestors);
      childAncestors.add(childNames.get(i));
      assignChildren(request.nodes().get(id), fileId, id, childPath, childAncestors,
          Set.of("TYPE_ID", "SIZE", "FACTORY"));
    }
  }

  /**
   * {@code name} with a trailing {@code _} if it is one of the classes generated inside the
   * class of {@code n} at any depth (Java forbids a nested class named like an enclosing one):
   * a struct named {@code Reader}, or an interface named {@code Factory} whose methods' param
   * structs each declare a {@code Factory}.
   */
  private String notOwnMember(String name, Node n) {
    return memberClassesWithin(n, 0).contains(name) ? name + "_" : name;
  }

  /** The generated member class names declared in the class of {@code n} or below it. */
  private Set<String> memberClassesWithin(Node n, int depth) {
    Set<String> names = new HashSet<>(switch (n.kind()) {
      case STRUCT -> STRUCT_MEMBER_CLASSES;
      case INTERFACE -> INTERFACE_MEMBER_CLASSES;
      default -> Set.<String>of();
    });
    if (depth > 64) {
      return names; // a schema nested this deeply is already refused elsewhere
    }
    for (NestedNode nn : n.nestedNodes()) {
      Node child = request.nodes().get(nn.id());
      if (child != null) {
        names.addAll(memberClassesWithin(child, depth + 1));
      }
    }
    if (n.kind() == NodeKind.STRUCT) {
      for (Field f : n.struct().fields()) {
        Node group = f.isGroup() ? request.nodes().get(f.groupId()) : null;
        if (group != null) {
          names.addAll(memberClassesWithin(group, depth + 1));
        }
      }
    }
    if (n.kind() == NodeKind.INTERFACE) {
      for (Method m : n.methods()) {
        for (long implicit : new long[] {m.paramStructType(), m.resultStructType()}) {
          Node ps = request.nodes().get(implicit);
          if (ps != null && ps.scopeId() == 0) { // an implicit struct nested in the interface
            names.addAll(memberClassesWithin(ps, depth + 1));
          }
        }
      }
    }
    return names;
  }

  private void addImplicitStruct(long id, String name, long fileId, Set<String> used,
      List<long[]> children, List<String> childNames) {
    Node n = request.nodes().get(id);
    if (n == null || n.scopeId() != 0 || classes.containsKey(id)) {
      return;
    }
    for (long[] c : children) {
      if (c[0] == id) {
        return;
      }
    }
    fileOfNode.put(id, fileId);
    children.add(new long[] {id});
    childNames.add(unique(name, used));
  }

  private static String unique(String name, Set<String> used) {
    String n = name;
    while (!used.add(n)) {
      n = n + "_";
    }
    return n;
  }

  /** The Java names of a file node. */
  FileNames file(long fileId) {
    FileNames f = files.get(fileId);
    if (f == null) {
      throw new IllegalArgumentException("unknown file node @0x" + Long.toHexString(fileId));
    }
    return f;
  }

  /** The Java package of a file; fails with a clear message when none was given. */
  String javaPackage(long fileId) {
    FileNames f = file(fileId);
    if (f.javaPackage() == null) {
      throw new IllegalArgumentException("no Java package for " + f.displayName()
          + ": annotate it with $Java.package(\"...\") (using Java = import \"/capnp/java.capnp\")"
          + " or pass --package " + f.displayName() + "=<java package>");
    }
    return f.javaPackage();
  }

  /** True when some class of the file has the outer class's simple name (so it needs its FQN). */
  boolean outerShadowed(long fileId) {
    String outer = file(fileId).outerClass();
    for (ClassName c : classes.values()) {
      if (c.fileId() == fileId && c.path().contains(outer)) {
        return true;
      }
    }
    return false;
  }

  /** The class name of a struct, enum, interface or group node. */
  ClassName className(long id) {
    ClassName c = classes.get(id);
    if (c == null) {
      Node n = request.nodes().get(id);
      throw new IllegalArgumentException("no Java class for node "
          + (n != null ? n.displayName() : "@0x" + Long.toHexString(id)));
    }
    return c;
  }

  boolean hasClass(long id) {
    return classes.containsKey(id);
  }

  /** The file a node belongs to (0 when unknown). */
  long fileOf(long id) {
    Long f = fileOfNode.get(id);
    return f == null ? 0 : f;
  }

  /** Every node belonging to a file (the file node first), in a stable order. */
  List<Long> nodesOfFile(long fileId) {
    Set<Long> out = new LinkedHashSet<>();
    out.add(fileId);
    for (Node n : request.nodes().values()) {
      if (fileOf(n.id()) == fileId) {
        out.add(n.id());
      }
    }
    return new ArrayList<>(out);
  }

  private final Map<Long, Boolean> rpcFiles = new HashMap<>();

  /**
   * True when the file gets RPC code (typed clients, servers, pipelines), which needs
   * {@code capnp-rpc}: it declares an interface or has a field of an interface type (possibly
   * as a list element or type argument). Untyped {@code Capability} fields alone don't count.
   */
  boolean hasRpc(long fileId) {
    return rpcFiles.computeIfAbsent(fileId, f -> {
      for (long id : nodesOfFile(f)) {
        Node n = request.nodes().get(id);
        if (n == null) {
          continue;
        }
        if (n.kind() == NodeKind.INTERFACE) {
          return true;
        }
        if (n.kind() == NodeKind.STRUCT) {
          for (Field field : n.struct().fields()) {
            if (!field.isGroup() && mentionsInterface(field.type())) {
              return true;
            }
          }
        }
      }
      return false;
    });
  }

  private static boolean mentionsInterface(Model.Type t) {
    if (t == null) {
      return false;
    }
    if (t.kind() == Model.Kind.INTERFACE) {
      return true;
    }
    if (t.kind() == Model.Kind.LIST) {
      return mentionsInterface(t.elementType());
    }
    if (t.brand() != null) {
      for (Model.Scope s : t.brand().scopes()) {
        for (Model.Type b : s.bindings()) {
          if (mentionsInterface(b)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The field name of a constant and the class node owning it (0 for the outer class). */
  String constName(long id) {
    return constNames.get(id);
  }

  long constOwner(long id) {
    Long o = constOwner.get(id);
    return o == null ? 0 : o;
  }

  /**
   * The generic parameters visible in the class of node {@code id}: those of every enclosing
   * generic scope, outermost first, then its own.
   */
  List<Param> chain(long id) {
    List<Param> cached = chains.get(id);
    if (cached != null) {
      return cached;
    }
    List<Long> scopes = new ArrayList<>();
    for (long cur = id; cur != 0 && classes.containsKey(cur); cur = classes.get(cur).parentId()) {
      scopes.add(0, cur);
    }
    List<Param> params = new ArrayList<>();
    Set<String> usedVars = new HashSet<>();
    for (long scope : scopes) {
      List<String> names = request.node(scope).parameters();
      for (int i = 0; i < names.size(); i++) {
        String base = names.get(i);
        if (usedVars.contains(base + "B") || usedVars.contains(base + "R")) {
          base = base + params.size();
        }
        usedVars.add(base + "B");
        usedVars.add(base + "R");
        params.add(new Param(scope, i, names.get(i), base + "B", base + "R",
            Names.lowerCamel(base) + "Factory", false));
      }
    }
    List<Param> result = List.copyOf(params);
    chains.put(id, result);
    return result;
  }
}
