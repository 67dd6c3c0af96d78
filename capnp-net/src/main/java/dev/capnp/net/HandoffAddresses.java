package dev.capnp.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The address rules of capnp-net's three-party handoff: what a vat announces on a Level 3
 * connection ({@code level3.capnp}'s {@code VatHello}), what an introducer accepts from such an
 * announcement, and which address it may name to a recipient.
 *
 * <p>An address is <em>local</em> when only a vat on the same host can use it: a Unix socket
 * path, a loopback literal ({@code 127.0.0.0/8}, {@code ::1}) or {@code localhost} (and names
 * under {@code .localhost}). A connection is local when it is a Unix socket connection or its
 * peer's address is a loopback address. Local addresses travel only over local connections: a
 * vat announces them only to local peers, an introducer keeps them only from local peers and
 * names them only to local recipients, and a recipient dials one only if its introducer is
 * local. So a remote peer can never make a vat dial its own loopback interface or a socket file
 * (the contact's key fingerprint, which the dial pins, is the other guard: a lying address
 * cannot impersonate the host).
 *
 * <p>Host names are never resolved here (no DNS on the event loop): a TCP host is either a
 * literal address, checked as such, or a name, taken as it is (except {@code localhost}). A host
 * that only looks numeric ({@code 127.1}, {@code 2130706433}: forms the JDK's resolver reads as
 * loopback literals) is refused.
 */
final class HandoffAddresses {
  /** Most addresses one announcement may carry. */
  static final int MAX_ANNOUNCED = 8;
  /** Longest announced address, in characters of its {@code NetAddress} form. */
  static final int MAX_LENGTH = 255;

  private HandoffAddresses() {}

  /**
   * Whether {@code a} can only be used on this host: a Unix socket, a loopback literal or
   * {@code localhost}.
   */
  static boolean isLocal(NetAddress a) {
    if (a instanceof NetAddress.Unix) {
      return true;
    }
    String host = ((NetAddress.Tcp) a).host().toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1); // a fully qualified name: same host
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    InetAddress ip = literal(host);
    return ip != null && ip.isLoopbackAddress();
  }

  /**
   * Whether a connected channel with these ends is local: a Unix socket (neither end an IP
   * address), or a TCP connection whose peer is on a loopback address.
   */
  static boolean isLocalConnection(SocketAddress localSide, SocketAddress remote) {
    if (remote instanceof InetSocketAddress) {
      InetAddress ip = ((InetSocketAddress) remote).getAddress();
      return ip != null && ip.isLoopbackAddress();
    }
    return localSide != null && !(localSide instanceof InetSocketAddress);
  }

  /**
   * Checks one announced address: its length, that it parses, a TCP port other than 0 and a
   * host that is a dialable literal (not a wildcard, multicast or link-local one) or a name.
   *
   * @return the address
   * @throws IllegalArgumentException saying what is wrong
   */
  static NetAddress checkAnnounced(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("longer than " + MAX_LENGTH + " characters");
    }
    if (text.startsWith("unix:") && !text.startsWith("unix:/")) {
      // (parsing would make it absolute against this vat's working directory)
      throw new IllegalArgumentException("not an absolute socket path: " + text);
    }
    NetAddress a = NetAddress.parse(text);
    if (a instanceof NetAddress.Unix) {
      return a;
    }
    NetAddress.Tcp t = (NetAddress.Tcp) a;
    if (t.port() == 0) {
      throw new IllegalArgumentException("port 0 cannot be dialled: " + text);
    }
    String host = t.host();
    if (host.isEmpty()) {
      throw new IllegalArgumentException("no host: " + text);
    }
    InetAddress ip = literal(host);
    if (ip == null) {
      if (host.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'))) {
        throw new IllegalArgumentException("not a dotted-quad IPv4 address: " + text);
      }
      return a; // a host name
    }
    if (ip.isAnyLocalAddress() || ip.isMulticastAddress() || ip.isLinkLocalAddress()) {
      throw new IllegalArgumentException("not a dialable address: " + text);
    }
    return a;
  }

  /**
   * The addresses a vat announces on one connection: its public address ({@code publicAddress},
   * which defaults to the listen address), a TCP port 0 replaced by the {@code bound} port and a
   * wildcard host ({@code 0.0.0.0}, {@code ::}) by the connection's own local IP address (the
   * one the peer reached, or the one this vat's packets to it come from); nothing when the vat
   * does not listen, and a local address only on a local connection.
   *
   * @param publicAddress the vat's public address, or null (client only)
   * @param bound the address actually bound, or null
   * @param localSide the connection's local socket address
   * @param localConnection whether the connection is local
   */
  static List<NetAddress> announce(NetAddress publicAddress, NetAddress bound,
      SocketAddress localSide, boolean localConnection) {
    List<NetAddress> r = new ArrayList<>(1);
    if (publicAddress == null) {
      return r;
    }
    NetAddress a = publicAddress;
    if (a instanceof NetAddress.Tcp) {
      NetAddress.Tcp t = (NetAddress.Tcp) a;
      if (t.port() == 0) {
        if (!(bound instanceof NetAddress.Tcp)) {
          return r;
        }
        t = t.withPort(((NetAddress.Tcp) bound).port());
      }
      InetAddress ip = literal(t.host());
      if (ip != null && ip.isAnyLocalAddress()) {
        if (!(localSide instanceof InetSocketAddress)) {
          return r; // a Unix socket connection to a vat listening on TCP: nothing to say
        }
        InetAddress mine = ((InetSocketAddress) localSide).getAddress();
        if (mine == null || mine.isAnyLocalAddress() || mine.isLinkLocalAddress()) {
          return r;
        }
        t = NetAddress.tcp(NetUtil.toAddressString(mine), t.port());
      }
      a = t;
    }
    if (isLocal(a) && !localConnection) {
      return r;
    }
    r.add(a);
    return r;
  }

  /**
   * What an introducer keeps of the addresses a peer announced: all of them from a local peer,
   * the non-local ones from any other.
   */
  static List<NetAddress> fromPeer(List<NetAddress> announced, boolean localConnection) {
    List<NetAddress> kept = new ArrayList<>(announced.size());
    for (NetAddress a : announced) {
      if (localConnection || !isLocal(a)) {
        kept.add(a);
      }
    }
    return List.copyOf(kept);
  }

  /** {@code host} as a literal IP address (no DNS), or null if it is not one. */
  private static InetAddress literal(String host) {
    byte[] b = NetUtil.createByteArrayFromIpAddressString(host);
    if (b == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return null; // not a 4- or 16-byte address (cannot happen for a parsed literal)
    }
  }
}
