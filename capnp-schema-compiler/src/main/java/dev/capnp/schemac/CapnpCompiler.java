package dev.capnp.schemac;

import dev.capnp.dynamic.SchemaRegistry;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compiles {@code .capnp} schema files into a {@code CodeGeneratorRequest}, as
 * {@code capnp compile -o-} does, without any native tool.
 *
 * <pre>{@code
 * byte[] request = CapnpCompiler.builder().importPath(List.of(dir)).build()
 *     .compileToBytes(List.of(Path.of("foo.capnp")));
 * }</pre>
 *
 * <p>Imports of {@code /capnp/...} files that are not found in the import path come from the
 * standard schemas bundled in this jar. File names in the request are relative to the longest
 * matching {@code --src-prefix}, else to the current directory, else absolute without the
 * leading {@code /}, as in {@code capnp compile}.
 */
public final class CapnpCompiler {
  /** The Cap'n Proto release whose schema language and output this compiler reproduces. */
  public static final int[] CAPNP_VERSION = {0, 9, 2};

  private final List<Path> importPath;
  private final List<Path> sourcePrefixes;
  private final Path currentDirectory;

  private CapnpCompiler(Builder builder) {
    this.importPath = List.copyOf(builder.importPath);
    this.sourcePrefixes = List.copyOf(builder.sourcePrefixes);
    this.currentDirectory = builder.currentDirectory.toAbsolutePath().normalize();
  }

  /**
   * A builder with an empty import path and the current directory of the JVM.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link CapnpCompiler}. */
  public static final class Builder {
    private final List<Path> importPath = new ArrayList<>();
    private final List<Path> sourcePrefixes = new ArrayList<>();
    private Path currentDirectory = Path.of("");

    private Builder() {}

    /**
     * Directories searched for absolute imports ({@code -I}), in order.
     *
     * @param dirs the import directories, searched in list order
     * @return this builder
     */
    public Builder importPath(List<Path> dirs) {
      importPath.addAll(dirs);
      return this;
    }

    /**
     * Prefixes stripped from the names of the compiled files ({@code --src-prefix}).
     *
     * @param prefixes the directory prefixes to strip
     * @return this builder
     */
    public Builder sourcePrefixes(List<Path> prefixes) {
      sourcePrefixes.addAll(prefixes);
      return this;
    }

    /**
     * The directory file names are made relative to (default: the JVM's).
     *
     * @param dir the directory relative file names are resolved against
     * @return this builder
     */
    public Builder currentDirectory(Path dir) {
      currentDirectory = dir;
      return this;
    }

    /**
     * A compiler with this builder's settings.
     *
     * @return the compiler
     */
    public CapnpCompiler build() {
      return new CapnpCompiler(this);
    }
  }

  /**
   * Compiles {@code files} and returns the request.
   *
   * @param files the schema files, compiled together
   * @return the {@code CodeGeneratorRequest} for {@code files}
   * @throws SchemaCompileException if any file has errors
   */
  public MessageBuilder compile(List<Path> files) {
    return compileModules(loader -> files.stream()
        .map(file -> loader.loadRoot(currentDirectory.resolve(file), displayName(file)))
        .toList());
  }

  /**
   * Compiles {@code files} and returns their schemas for the dynamic API, with no build step
   * (like pycapnp's {@code capnp.load}): look types up with
   * {@link SchemaRegistry#findStruct(long, String)} from the file ids of
   * {@link SchemaRegistry#requestedFiles()}, then read or build messages with
   * {@code DynamicStruct}.
   *
   * @param files the schema files, compiled together
   * @return a registry with the schemas of {@code files} and their imports
   * @throws SchemaCompileException if any file has errors
   */
  public SchemaRegistry load(List<Path> files) {
    return SchemaRegistry.fromCodeGeneratorRequest(
        compile(files).getRoot(Schema.CodeGeneratorRequest.FACTORY).asReader());
  }

  /**
   * Compiles schema sources held in memory (named by {@link SourceFile#name()}); their absolute
   * imports use the import path and the bundled schemas, relative imports are resolved against
   * the current directory.
   *
   * @param sources the schema sources, compiled together
   * @return the {@code CodeGeneratorRequest} for {@code sources}
   * @throws SchemaCompileException if any source has errors
   */
  public MessageBuilder compileSources(List<SourceFile> sources) {
    return compileModules(loader -> sources.stream()
        .map(source -> loader.loadSource(source, currentDirectory)).toList());
  }

  /** Compiles the modules {@code requested} loads, as the requested files of one request. */
  private MessageBuilder compileModules(Function<ModuleLoader, List<Module>> requested) {
    ErrorReporter errors = new ErrorReporter();
    ModuleLoader loader = new ModuleLoader(importPath, errors);
    Workspace workspace = new Workspace(loader, errors);
    DependencyWalker walker = new DependencyWalker(workspace);
    List<DeclNode> roots = new ArrayList<>();
    for (Module module : requested.apply(loader)) {
      DeclNode root = module.rootNode(workspace);
      roots.add(root);
      walker.walkFile(root);
    }
    errors.throwIfErrors();
    return writeRequest(walker, roots);
  }

  /**
   * Compiles {@code files} into a request in standard framing (as {@code capnp compile -o-}).
   *
   * @param files the schema files, compiled together
   * @return the serialized {@code CodeGeneratorRequest}
   */
  public byte[] compileToBytes(List<Path> files) {
    return Serialize.toBytes(compile(files));
  }

  private String displayName(Path file) {
    Path path = currentDirectory.resolve(file).normalize();
    Path best = null;
    for (Path prefix : sourcePrefixes) {
      Path p = currentDirectory.resolve(prefix).normalize();
      if (path.startsWith(p) && !path.equals(p)
          && (best == null || p.getNameCount() > best.getNameCount())) {
        best = p;
      }
    }
    if (best != null) {
      return slashes(best.relativize(path));
    }
    if (path.startsWith(currentDirectory)) {
      return slashes(currentDirectory.relativize(path));
    }
    return slashes(path.getRoot().relativize(path));
  }

  private static String slashes(Path p) {
    return p.toString().replace('\\', '/');
  }

  private static MessageBuilder writeRequest(DependencyWalker walker, List<DeclNode> roots) {
    List<Schema.Node.Reader> outputs = walker.loadOrder.nodes();
    MessageBuilder message = new MessageBuilder(4096);
    var request = message.initRoot(Schema.CodeGeneratorRequest.FACTORY);
    var version = request.initCapnpVersion();
    version.setMajor((short) CAPNP_VERSION[0]);
    version.setMinor((byte) CAPNP_VERSION[1]);
    version.setMicro((byte) CAPNP_VERSION[2]);
    var nodes = request.initNodes(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      nodes.setWithCaveats(i, outputs.get(i));
    }
    var infos = request.initSourceInfo(walker.sourceInfo.size());
    int i = 0;
    for (Map.Entry<Long, Schema.Node.SourceInfo.Reader> e : walker.sourceInfo.entrySet()) {
      infos.setWithCaveats(i++, e.getValue());
    }
    var files = request.initRequestedFiles(roots.size());
    for (int f = 0; f < roots.size(); f++) {
      DeclNode root = roots.get(f);
      var file = files.get(f);
      file.setId(root.id);
      file.setFilename(root.module.file().name());
      TreeSet<String> names = new TreeSet<>();
      ImportFinder.find(root.decl, names);
      var imports = file.initImports(names.size());
      int j = 0;
      for (String name : names) {
        Module imported = root.module.importRelative(name);
        imports.get(j).setId(imported == null ? 0 : imported.rootNode(root.workspace).id);
        imports.get(j).setName(name);
        j++;
      }
    }
    return message;
  }
}
