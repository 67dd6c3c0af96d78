package dev.capnp.tool;

import dev.capnp.dynamic.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Looks up the names of {@code eval} as {@code capnp eval} does: nested declarations and
 * {@code using} aliases ({@code using T = Outer.Inner;}, {@code using c = someConst;},
 * {@code using Other = import "other.capnp";}, {@code using P = import "/x.capnp".Point;}), in
 * the schema file and in the files its aliases import. Aliases are read from the source
 * ({@link UsingDeclarations}); the first name of an alias is looked up from the declaring scope
 * outwards, then member by member; generic arguments are ignored (they do not change a
 * declaration's default values). Each file is compiled once.
 */
final class EvalNames {
  private static final int MAX_ALIAS_DEPTH = 64;

  private final List<Path> importPath;
  private final Map<Path, SchemaFile> files = new HashMap<>();
  private int depth;

  /** A compiled schema file: its registry, its file node and (read on demand) its aliases. */
  static final class SchemaFile {
    final Path path;
    final SchemaRegistry registry;
    final long fileId;
    private UsingDeclarations usings;

    private SchemaFile(Path path, SchemaRegistry registry) {
      this.path = path;
      this.registry = registry;
      this.fileId = registry.requestedFiles().values().iterator().next();
    }

    UsingDeclarations usings() {
      if (usings == null) {
        usings = UsingDeclarations.read(path);
      }
      return usings;
    }

    /** The dotted path of a node of this file from the file ({@code ""} for the file). */
    String scopePath(long id) {
      if (id == fileId) {
        return "";
      }
      String file = registry.displayName(fileId);
      String name = registry.displayName(id);
      return name.startsWith(file + ":") ? name.substring(file.length() + 1) : null;
    }
  }

  /**
   * A declaration found by name.
   *
   * @param file the file that declares it
   * @param id its node id
   */
  record Node(SchemaFile file, long id) {
    SchemaRegistry registry() {
      return file.registry;
    }
  }

  EvalNames(List<Path> importPath) {
    this.importPath = importPath;
  }

  /** The root of {@code schemaFile} (compiled now). */
  Node root(Path schemaFile) {
    SchemaFile f = load(schemaFile);
    return new Node(f, f.fileId);
  }

  /** The declaration {@code name} inside {@code scope}: nested, or through an alias there. */
  Optional<Node> member(Node scope, String name) {
    OptionalLong nested = scope.registry().lookupNested(scope.id(), name);
    if (nested.isPresent()) {
      return Optional.of(new Node(scope.file(), nested.getAsLong()));
    }
    String path = scope.file().scopePath(scope.id());
    List<String> alias = path == null ? null : scope.file().usings().get(path, name);
    if (alias == null) {
      return Optional.empty();
    }
    if (++depth > MAX_ALIAS_DEPTH) {
      throw new ToolException("aliases nested too deeply at '" + name + "'");
    }
    try {
      return resolve(scope, withoutGenericArguments(alias));
    } finally {
      depth--;
    }
  }

  /** The declaration an alias expression of {@code scope} names. */
  private Optional<Node> resolve(Node scope, List<String> expression) {
    if (expression.isEmpty()) {
      return Optional.empty();
    }
    int i;
    Optional<Node> current;
    if (expression.get(0).equals("import") && expression.size() > 1) {
      current = Optional.of(root(importedFile(scope.file().path, unquote(expression.get(1)))));
      i = 2;
    } else if (expression.get(0).equals(".") && expression.size() > 1) {
      current = member(new Node(scope.file(), scope.file().fileId), expression.get(1));
      i = 2;
    } else {
      current = lexical(scope, expression.get(0));
      i = 1;
    }
    for (; current.isPresent() && i < expression.size(); i += 2) {
      if (!expression.get(i).equals(".") || i + 1 >= expression.size()) {
        return Optional.empty();
      }
      current = member(current.get(), expression.get(i + 1));
    }
    return current;
  }

  /** {@code name} looked up in {@code scope}, then in each enclosing scope up to the file. */
  private Optional<Node> lexical(Node scope, String name) {
    List<Node> chain = chain(scope);
    for (int i = chain.size() - 1; i >= 0; i--) {
      Optional<Node> found = member(chain.get(i), name);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** The file, then each scope down to {@code node}. */
  private static List<Node> chain(Node node) {
    List<Node> chain = new ArrayList<>();
    Node current = new Node(node.file(), node.file().fileId);
    chain.add(current);
    String path = node.file().scopePath(node.id());
    if (path == null || path.isEmpty()) {
      return chain;
    }
    for (String name : path.split("\\.")) {
      OptionalLong next = current.registry().lookupNested(current.id(), name);
      if (next.isEmpty()) {
        break;
      }
      current = new Node(node.file(), next.getAsLong());
      chain.add(current);
    }
    return chain;
  }

  private SchemaFile load(Path file) {
    Path key = file.toAbsolutePath().normalize();
    SchemaFile f = files.get(key);
    if (f == null) {
      f = new SchemaFile(file, SchemaOptions.load(file, importPath));
      files.put(key, f);
    }
    return f;
  }

  /** Where {@code import "name"} in {@code from} leads, as {@code capnp} searches. */
  private Path importedFile(Path from, String name) {
    if (!name.startsWith("/")) {
      return from.toAbsolutePath().getParent().resolve(name);
    }
    List<Path> dirs = new ArrayList<>(importPath);
    dirs.add(BundledImports.directory());
    dirs.add(Path.of("/usr/local/include"));
    dirs.add(Path.of("/usr/include"));
    for (Path dir : dirs) {
      Path candidate = dir.resolve(name.substring(1));
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new ToolException("cannot find import \"" + name + "\" (imported by " + from + ")");
  }

  private static String unquote(String token) {
    return token.length() >= 2 && token.startsWith("\"") ? token.substring(1, token.length() - 1)
        : token;
  }

  /** The expression without its parenthesized generic arguments. */
  static List<String> withoutGenericArguments(List<String> expression) {
    List<String> out = new ArrayList<>();
    int parens = 0;
    for (String t : expression) {
      if (t.equals("(")) {
        parens++;
      } else if (t.equals(")")) {
        parens--;
      } else if (parens == 0) {
        out.add(t);
      }
    }
    return out;
  }
}
