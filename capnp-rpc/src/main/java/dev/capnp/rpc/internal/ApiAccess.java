package dev.capnp.rpc.internal;

import dev.capnp.rpc.Capability;
import dev.capnp.rpc.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the internal packages need of the public API classes' own state, which those classes do
 * not publish: given to this holder once, by {@link EventLoop} when it is first loaded (every
 * hook needs a loop, so it is loaded before any internal code runs). Not API.
 */
public final class ApiAccess {
  /** The package-private parts of the API classes, as the internal packages use them. */
  public interface Access {
    /**
     * The bridges of {@code loop} to other loops' capabilities, one per foreign hook.
     *
     * @param loop the event loop
     * @return its bridges, by the foreign hook they reach
     */
    ConcurrentHashMap<ClientHook, CrossLoopClient> bridges(EventLoop loop);

    /**
     * Takes the hook out of {@code capability}, which is closed without releasing it.
     *
     * @param capability the handle to empty
     * @return its hook (the caller owns the reference)
     */
    ClientHook takeHook(Capability capability);

    /**
     * A handle owning {@code owned} (for code that makes its own hooks, such as the protocol
     * core's allocation benchmark).
     *
     * @param owned the hook reference the new handle takes over
     * @return the handle
     */
    Capability wrapHook(ClientHook owned);

    /**
     * The protocol core of {@code connection} (an {@code RpcProtocol}; typed here as Object
     * because this package does not know the core's).
     *
     * @param connection a connection
     * @return its core
     */
    Object connectionCore(dev.capnp.rpc.RpcConnection connection);
  }

  private static volatile Access access;

  private ApiAccess() {}

  /**
   * Installs the access (once; by {@link EventLoop}).
   *
   * @param a the access
   */
  public static void install(Access a) {
    synchronized (ApiAccess.class) {
      if (access != null) {
        throw new IllegalStateException("already installed");
      }
      access = a;
    }
  }

  /**
   * The installed access.
   *
   * @return the access
   */
  public static Access get() {
    Access a = access;
    if (a == null) {
      try {
        Class.forName(EventLoop.class.getName(), true, EventLoop.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return a;
  }
}
