package dev.capnp.compiler;

import dev.capnp.compiler.Model.Request;
import dev.capnp.compiler.Model.RequestedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema-to-Java code generator: turns a {@code CodeGeneratorRequest} (as written by
 * {@code capnp compile -o-}) into one Java source file per requested schema file.
 *
 * <pre>{@code
 * List<Path> written = new JavaGenerator(JavaGenerator.Options.defaults()
 *         .withPackage("foo.capnp", "com.example"))
 *     .generate(requestStream, outputDir);
 * }</pre>
 */
public final class JavaGenerator {
  private final Options options;

  /**
   * Generator options.
   *
   * @param packages Java package per schema file (as named in the request, e.g.
   *     {@code "capnp/schema.capnp"}; a suffix after a '/' also matches), used for files without
   *     a {@code $Java.package} annotation
   * @param emitToString whether generated readers and builders override {@code toString()} with
   *     the Cap'n Proto text format (needs {@code dev.capnp.dynamic.TextFormat} at compile time)
   */
  public record Options(Map<String, String> packages, boolean emitToString) {
    /**
     * Validates and copies.
     *
     * @param packages Java package per schema file name; copied
     * @param emitToString whether generated readers and builders override {@code toString()}
     */
    public Options {
      packages = Map.copyOf(packages);
    }

    /**
     * No package mappings; {@code toString()} generated.
     *
     * @return options with no package mappings and {@code toString()} generation on
     */
    public static Options defaults() {
      return new Options(Map.of(), true);
    }

    /**
     * These options plus a package for one schema file.
     *
     * @param schemaFile the schema file name as named in the request, e.g.
     *     {@code "capnp/schema.capnp"}
     * @param javaPackage the Java package for that file's generated class
     * @return new options; these are unchanged
     */
    public Options withPackage(String schemaFile, String javaPackage) {
      Map<String, String> p = new LinkedHashMap<>(packages);
      p.put(schemaFile, javaPackage);
      return new Options(p, emitToString);
    }

    /**
     * These options with {@code toString()} generation switched on or off.
     *
     * @param enabled whether {@code toString()} is generated
     * @return new options; these are unchanged
     */
    public Options withToString(boolean enabled) {
      return new Options(packages, enabled);
    }
  }

  /**
   * A generator with the given options.
   *
   * @param options the generator options
   */
  public JavaGenerator(Options options) {
    this.options = options;
  }

  /**
   * Reads a {@code CodeGeneratorRequest} (standard framing) from {@code request} and writes one
   * {@code .java} file per requested schema file below {@code outputDir} (package directories
   * are created; files whose content is unchanged are not rewritten).
   *
   * @param request the {@code CodeGeneratorRequest} stream, read to its end
   * @param outputDir the root directory of the generated sources
   * @return the files written, in request order
   * @throws IllegalArgumentException if the request is malformed or a file has no Java package
   * @throws IOException if reading the request or writing a file fails
   */
  public List<Path> generate(InputStream request, Path outputDir) throws IOException {
    Map<String, String> sources = generateSources(request.readAllBytes());
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path out = outputDir.resolve(e.getKey());
      Files.createDirectories(out.getParent());
      byte[] content = e.getValue().getBytes(StandardCharsets.UTF_8);
      // Leave unchanged files untouched so incremental builds don't recompile them.
      if (!Files.exists(out) || !java.util.Arrays.equals(Files.readAllBytes(out), content)) {
        Files.write(out, content);
      }
      written.add(out);
    }
    return written;
  }

  /**
   * Generates without writing: maps each output path (relative, {@code com/example/Foo.java})
   * to its source text.
   *
   * @param request the {@code CodeGeneratorRequest} in standard framing
   * @return the source text per relative output path, in request order
   */
  public Map<String, String> generateSources(byte[] request) {
    Request req = RequestReader.read(request);
    NodeNaming naming = new NodeNaming(req, options.packages());
    Map<String, String> out = new LinkedHashMap<>();
    for (RequestedFile f : req.requestedFiles()) {
      try {
        FileGenerator g = new FileGenerator(req, naming, f.id(), options.emitToString());
        String source = g.generate();
        out.put(g.relativePath(), source);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(f.filename() + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
