package dev.capnp.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Compiles {@code src/test/capnp/**}{@code /*.capnp} into Java sources for the test build. */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class GenerateTestMojo extends AbstractGenerateMojo {
  /** Directory holding the test schemas. */
  @Parameter(defaultValue = "${project.basedir}/src/test/capnp")
  private File sourceDirectory;

  /** Directory receiving the generated Java test sources. */
  @Parameter(defaultValue = "${project.build.directory}/generated-test-sources/capnp")
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
    project.addTestCompileSourceRoot(path);
  }
}
