package dev.capnp.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Compiles {@code src/main/capnp/**}{@code /*.capnp} into Java sources for the main build. */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractGenerateMojo {
  /** Directory holding the schemas. */
  @Parameter(defaultValue = "${project.basedir}/src/main/capnp")
  private File sourceDirectory;

  /** Directory receiving the generated Java sources. */
  @Parameter(defaultValue = "${project.build.directory}/generated-sources/capnp")
  private File outputDirectory;

  @Override
  File sourceDirectory() {
    return sourceDirectory;
  }

  @Override
  File outputDirectory() {
    return outputDirectory;
  }

  @Override
  void addSourceRoot(String path) {
    project.addCompileSourceRoot(path);
  }
}
