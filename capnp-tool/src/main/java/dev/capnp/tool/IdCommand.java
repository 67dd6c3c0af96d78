package dev.capnp.tool;

import dev.capnp.schemac.TypeIds;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code id}: prints a new random file id ({@code @0x...;}), like {@code capnp id}. */
@Command(name = "id", mixinStandardHelpOptions = true,
    description = "Generates a new 64-bit unique ID for use in a Cap'n Proto schema.")
final class IdCommand implements Callable<Integer> {
  private final CapnpJava tool;

  IdCommand(CapnpJava tool) {
    this.tool = tool;
  }

  @Override
  public Integer call() {
    tool.out().println(TypeIds.newFileId());
    tool.out().flush();
    return 0;
  }
}
