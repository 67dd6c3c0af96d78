package dev.capnp.net;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a vat listens or can be reached: TCP host and port, or a Unix-domain socket path.
 * {@link #parse(String)} reads the command-line form {@code tcp:HOST:PORT},
 * {@code tcp:[IPv6]:PORT} or {@code unix:PATH} with the seed's error texts (spec section 3).
 */
public abstract sealed class NetAddress permits NetAddress.Tcp, NetAddress.Unix {
  private NetAddress() {}

  /**
   * A TCP address.
   *
   * @param host the host name or literal address (IPv6 without brackets)
   * @param port the port; 0 means any, for listening
   * @return the address
   */
  public static Tcp tcp(String host, int port) {
    return new Tcp(host, port);
  }

  /**
   * A Unix-domain socket address; a relative path is made absolute using the cwd.
   *
   * @param path the socket's file path, absolute or relative to the cwd
   * @return the address, with an absolute path
   */
  public static Unix unix(String path) {
    return new Unix(Path.of(path).toAbsolutePath().toString());
  }

  /**
   * Parses {@code tcp:HOST:PORT}, {@code tcp:[IPv6]:PORT} or {@code unix:PATH}.
   *
   * @param s the address text
   * @return the parsed address
   * @throws IllegalArgumentException with the spec's texts, e.g.
   *     {@code Missing :PORT in listen address "127.0.0.1"}
   */
  public static NetAddress parse(String s) {
    int colon = s.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("Missing ':'");
    }
    String kind = s.substring(0, colon);
    String rest = s.substring(colon + 1);
    switch (kind) {
      case "unix":
        return unix(rest);
      case "tcp":
        return parseTcp(rest);
      default:
        throw new IllegalArgumentException(
            "Only tcp:HOST:PORT and unix:PATH addresses are currently supported");
    }
  }

  private static Tcp parseTcp(String s) {
    String host;
    String portText;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("Missing ']' in IPv6 address \"" + s + "\"");
      }
      host = s.substring(1, close);
      String after = s.substring(close + 1);
      if (after.isEmpty()) {
        throw new IllegalArgumentException("Missing port in IPv6 address \"" + s + "\"");
      }
      if (!after.startsWith(":")) {
        throw new IllegalArgumentException("Invalid port \"" + after + "\" in listen address \""
            + s + "\"");
      }
      portText = after.substring(1);
    } else {
      int c = s.indexOf(':');
      if (c < 0) {
        throw new IllegalArgumentException("Missing :PORT in listen address \"" + s + "\"");
      }
      host = s.substring(0, c);
      portText = s.substring(c + 1);
    }
    return new Tcp(host, parsePort(portText, s));
  }

  private static int parsePort(String p, String whole) {
    boolean digits = !p.isEmpty() && p.length() <= 5;
    for (int i = 0; digits && i < p.length(); i++) {
      digits = Character.isDigit(p.charAt(i)) && p.charAt(i) < 128;
    }
    int port = digits ? Integer.parseInt(p) : -1;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Invalid port \"" + p + "\" in listen address \""
          + whole + "\"");
    }
    return port;
  }

  /** The command-line form ({@code tcp:HOST:PORT}, {@code tcp:[v6]:PORT}, {@code unix:PATH}). */
  @Override
  public abstract String toString();

  /** A TCP address (host unbracketed; IPv6 hosts contain ':'). */
  public static final class Tcp extends NetAddress {
    private final String host;
    private final int port;

    Tcp(String host, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
    }

    /**
     * Host name or literal address (IPv6 without brackets).
     *
     * @return the host name or literal address
     */
    public String host() {
      return host;
    }

    /**
     * Port (0 = any, for listening).
     *
     * @return the port; 0 means any
     */
    public int port() {
      return port;
    }

    /**
     * The host as written in a URI: IPv6 literals bracketed.
     *
     * @return the host for a URI
     */
    public String uriHost() {
      return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /**
     * The same host with another port.
     *
     * @param newPort the other port
     * @return a new address; this one is unchanged
     */
    public Tcp withPort(int newPort) {
      return new Tcp(host, newPort);
    }

    @Override
    public String toString() {
      return "tcp:" + uriHost() + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tcp && ((Tcp) o).host.equals(host) && ((Tcp) o).port == port;
    }

    @Override
    public int hashCode() {
      return host.hashCode() * 31 + port;
    }
  }

  /** A Unix-domain socket path. */
  public static final class Unix extends NetAddress {
    private final String path;

    Unix(String path) {
      this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * The socket's file path.
     *
     * @return the absolute path of the socket file
     */
    public String path() {
      return path;
    }

    @Override
    public String toString() {
      return "unix:" + path;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unix && ((Unix) o).path.equals(path);
    }

    @Override
    public int hashCode() {
      return path.hashCode();
    }
  }
}
