package dev.capnp.net.transport;

import dev.capnp.runtime.Data;
import dev.capnp.runtime.MessageBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Messages and kernel settings shared by the tests of socket buffers and read sizes. */
public final class SocketTestSupport {
  private SocketTestSupport() {
  }

  /**
   * A message whose root is a Data blob of {@code bytes} zero bytes.
   *
   * @param bytes the blob's size
   * @return the message
   */
  public static MessageBuilder blob(int bytes) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Data.FACTORY, new Data.Reader(new byte[bytes]));
    return m;
  }

  /**
   * A {@code /proc/sys/net/core} setting of this machine, e.g. {@code wmem_max}.
   *
   * @param name the setting's file name
   * @return its value
   */
  public static long netCore(String name) {
    try {
      // (readString stops early on a /proc file: it trusts the file size)
      return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core", name)).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
