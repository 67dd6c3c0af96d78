package dev.capnp.maven;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Shared logic of the {@code generate} and {@code generate-test} goals: find the schemas, run
 * {@code capnp compile -o-}, feed the request to capnpc-java in-process, and register the output
 * directory as a source root.
 */
abstract class AbstractGenerateMojo extends AbstractMojo {
  /** Where our own {@code java.capnp} annotations live inside the runtime jar. */
  private static final String JAVA_CAPNP_RESOURCE = "capnp/java.capnp";

  /** The project being built (injected by Maven). */
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  protected MavenProject project;

  /** Extra directories searched for {@code import "/..."} statements. */
  @Parameter private List<File> importPaths = new ArrayList<>();

  /** The {@code capnp} executable: a name looked up on the PATH, or a path. */
  @Parameter(property = "capnp.executable", defaultValue = "capnp")
  private String capnpExecutable;

  /**
   * Which schema compiler parses the schemas: {@code java} (the default: the compiler written in
   * Java, which gives the same result as {@code capnp compile}; no native tool needed) or
   * {@code native} (runs the {@code capnp} executable, see {@code capnpExecutable}).
   */
  @Parameter(property = "capnp.compiler", defaultValue = "java")
  private String compiler;

  /**
   * Java packages for schema files that lack a {@code $Java.package} annotation, keyed by the
   * schema's path relative to the source directory (e.g. {@code foo/bar.capnp}).
   */
  @Parameter private Map<String, String> packages = new HashMap<>();

  /** Skips code generation. */
  @Parameter(property = "capnp.skip", defaultValue = "false")
  private boolean skip;

  abstract File sourceDirectory();

  abstract File outputDirectory();

  abstract void addSourceRoot(String path);

  @Override
  public void execute() throws MojoExecutionException {
    if (skip) {
      getLog().info("Cap'n Proto code generation skipped");
      return;
    }
    File sourceDir = sourceDirectory();
    List<File> schemas = findSchemas(sourceDir);
    if (schemas.isEmpty()) {
      getLog().debug("No .capnp files in " + sourceDir);
      return;
    }
    File outputDir = outputDirectory();
    List<File> imports = new ArrayList<>();
    imports.add(sourceDir);
    imports.add(extractJavaAnnotations());
    imports.addAll(importPaths);
    byte[] request = switch (compiler) {
      case "native" -> new CapnpExecutable(capnpExecutable).compile(schemas, imports, sourceDir);
      case "java" -> JavaSchemaCompiler.compile(schemas, imports, sourceDir);
      default -> throw new MojoExecutionException(
          "Unknown <compiler> '" + compiler + "': use 'native' (capnp) or 'java'");
    };
    try {
      List<Path> written = SchemaGenerator.generate(request, outputDir.toPath(), packages);
      getLog().info(
          "Generated " + written.size() + " Java file(s) from " + schemas.size()
              + " schema(s) into " + outputDir);
    } catch (IOException | RuntimeException e) {
      throw new MojoExecutionException("capnpc-java failed: " + e.getMessage(), e);
    }
    addSourceRoot(outputDir.getAbsolutePath());
  }

  private static List<File> findSchemas(File dir) throws MojoExecutionException {
    if (!dir.isDirectory()) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir.toPath())) {
      return files
          .filter(p -> p.toString().endsWith(".capnp") && Files.isRegularFile(p))
          .sorted()
          .map(Path::toFile)
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot list schemas in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Copies {@code java.capnp} out of the runtime jar so that schemas can import it. */
  private File extractJavaAnnotations() throws MojoExecutionException {
    File includeDir = new File(project.getBuild().getDirectory(), "capnp-include");
    Path target = includeDir.toPath().resolve(JAVA_CAPNP_RESOURCE);
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(JAVA_CAPNP_RESOURCE)) {
      if (in == null) {
        throw new MojoExecutionException(JAVA_CAPNP_RESOURCE + " is missing from the plugin's classpath");
      }
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot extract " + JAVA_CAPNP_RESOURCE + ": " + e.getMessage(), e);
    }
    return includeDir;
  }
}
