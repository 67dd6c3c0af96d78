package dev.capnp.net;

import java.util.Objects;

/**
 * A {@code capnp://} sturdy-ref URI (spec section 1):
 * {@code capnp://AUTH@HOST:PORT[/SID]} (TCP) or {@code capnp://AUTH@/abs/path/SID} (Unix), where
 * AUTH is {@code insecure} or {@code sha-256:DIGEST} and SID the base64url service ID. The
 * string form contains the secret service ID: treat it as a capability.
 */
public final class CapnpUri {
  private final AuthDigest auth;
  private final NetAddress address;
  private final ServiceId serviceId;

  /**
   * A URI naming {@code serviceId} at {@code address}, authenticated by {@code auth}.
   *
   * @param auth the server's key fingerprint, or {@link AuthDigest#INSECURE}
   * @param address the vat's address
   * @param serviceId the service ID
   */
  public CapnpUri(AuthDigest auth, NetAddress address, ServiceId serviceId) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.address = Objects.requireNonNull(address, "address");
    this.serviceId = Objects.requireNonNull(serviceId, "serviceId");
  }

  /**
   * Parses a {@code capnp://} URI.
   *
   * @param uri the URI text
   * @return the parsed URI
   * @throws IllegalArgumentException with the spec's texts ({@code Unknown hash type "x"},
   *     {@code Missing port in <uri>}, {@code Port without host in <uri>!}, ...)
   */
  public static CapnpUri parse(String uri) {
    String prefix = "capnp://";
    int schemeEnd = uri.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException("Not a capnp:// URI: \"" + uri + "\"");
    }
    if (!uri.startsWith(prefix)) {
      throw new IllegalArgumentException("Unknown scheme \"" + uri.substring(0, schemeEnd)
          + "\" in " + uri + " (expected capnp)");
    }
    String rest = uri.substring(prefix.length());
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    int at = authority.lastIndexOf('@');
    AuthDigest auth;
    String hostPort;
    if (at < 0) {
      throw new IllegalArgumentException("Missing digest hash type (e.g. '...://sha-256:...')");
    }
    String userInfo = authority.substring(0, at);
    hostPort = authority.substring(at + 1);
    int colon = userInfo.indexOf(':');
    auth = colon < 0 ? AuthDigest.fromUserInfo(userInfo, null)
        : AuthDigest.fromUserInfo(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    String host;
    String port;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("Bad IPv6 host in " + uri);
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      port = after.startsWith(":") ? after.substring(1) : null;
      if (port == null && !after.isEmpty()) {
        throw new IllegalArgumentException("Bad host in " + uri);
      }
    } else {
      int c = hostPort.lastIndexOf(':');
      host = c < 0 ? hostPort : hostPort.substring(0, c);
      port = c < 0 ? null : hostPort.substring(c + 1);
    }
    if (port != null && port.isEmpty()) {
      port = null;
    }
    if (host.isEmpty()) {
      if (port != null) {
        throw new IllegalArgumentException("Port without host in " + uri + "!");
      }
      int last = path.lastIndexOf('/');
      if (last < 0) {
        throw new IllegalArgumentException("Missing host or Unix socket path in " + uri);
      }
      String socket = path.substring(0, last);
      if (socket.isEmpty()) {
        throw new IllegalArgumentException("Missing Unix socket path in " + uri);
      }
      return new CapnpUri(auth, new NetAddress.Unix(socket),
          ServiceId.fromBase64Url(path.substring(last + 1)));
    }
    if (port == null) {
      throw new IllegalArgumentException("Missing port in " + uri);
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      portNumber = -1;
    }
    if (portNumber < 0 || portNumber > 65535) {
      throw new IllegalArgumentException("Invalid port \"" + port + "\" in " + uri);
    }
    String sid = path.startsWith("/") ? path.substring(1) : path;
    return new CapnpUri(auth, new NetAddress.Tcp(host, portNumber), ServiceId.fromBase64Url(sid));
  }

  /**
   * The server's key fingerprint, or {@link AuthDigest#INSECURE}.
   *
   * @return the server's key fingerprint, or {@link AuthDigest#INSECURE}
   */
  public AuthDigest auth() {
    return auth;
  }

  /**
   * Where the vat is reached.
   *
   * @return the vat's address
   */
  public NetAddress address() {
    return address;
  }

  /**
   * The service within the vat (secret).
   *
   * @return the service ID (secret)
   */
  public ServiceId serviceId() {
    return serviceId;
  }

  /**
   * The same vat and auth with another service ID.
   *
   * @param id the other service ID
   * @return a new URI; this one is unchanged
   */
  public CapnpUri withServiceId(ServiceId id) {
    return new CapnpUri(auth, address, id);
  }

  /**
   * The URI text: TCP with an empty SID has no trailing slash; Unix is always
   * {@code path/SID}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("capnp://").append(auth).append('@');
    if (address instanceof NetAddress.Tcp) {
      NetAddress.Tcp t = (NetAddress.Tcp) address;
      sb.append(t.uriHost()).append(':').append(t.port());
      if (!serviceId.isEmpty()) {
        sb.append('/').append(serviceId.toBase64Url());
      }
    } else {
      sb.append(((NetAddress.Unix) address).path()).append('/').append(serviceId.toBase64Url());
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CapnpUri && o.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
