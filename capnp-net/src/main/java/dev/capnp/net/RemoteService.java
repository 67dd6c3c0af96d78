package dev.capnp.net;

import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.RpcException;
import java.util.Objects;
import java.util.function.Function;

/**
 * A client connected to one remote service in one line: a client-only {@link Vat} of its own and
 * a live capability, both closed together.
 *
 * <pre>{@code
 * try (var echo = RemoteService.connect("echo.cap", Echo.Client::new)) {   // or "capnp://..."
 *   var request = echo.get().pingRequest();
 *   request.getParams().setMsg("hello");
 *   try (var response = Await.result(request.send())) {
 *     System.out.println(response.get().getReply());
 *   }
 * }
 * }</pre>
 *
 * <p>Meant for small clients, scripts and tests; a program talking to many services keeps one
 * {@code Vat.client()} and imports each sturdy ref through it (connections to one vat are then
 * shared).
 *
 * @param <C> the client type ({@code Echo.Client}, or {@link Capability} itself)
 */
public final class RemoteService<C> implements AutoCloseable {
  private final Vat vat;
  private final Capability cap;
  private final C client;

  private RemoteService(Vat vat, Capability cap, C client) {
    this.vat = vat;
    this.cap = cap;
    this.client = client;
  }

  /**
   * Connects to the service named by {@code uriOrCapFile} (a {@code capnp://} URI or a cap file,
   * see {@link UriOrCapFile}) and wraps the capability with {@code wrap}.
   *
   * @param <C> the client type
   * @param uriOrCapFile a sturdy URI or the path of a cap file
   * @param wrap makes the typed client, e.g. {@code Echo.Client::new} (it takes over the handle)
   * @return the connected service
   * @throws IllegalArgumentException if the argument is neither a valid URI nor a readable cap
   *     file
   * @throws RpcException if the vat cannot be reached
   */
  public static <C> RemoteService<C> connect(String uriOrCapFile,
      Function<? super Capability, ? extends C> wrap) {
    return connect(UriOrCapFile.parse(uriOrCapFile), wrap);
  }

  /**
   * Connects to the service at {@code uri} and wraps the capability with {@code wrap}.
   *
   * @param <C> the client type
   * @param uri the service's sturdy URI
   * @param wrap makes the typed client, e.g. {@code Echo.Client::new} (it takes over the handle)
   * @return the connected service
   * @throws RpcException if the vat cannot be reached
   */
  public static <C> RemoteService<C> connect(CapnpUri uri,
      Function<? super Capability, ? extends C> wrap) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(wrap, "wrap");
    Vat vat = Vat.client();
    Capability cap = null;
    try {
      cap = Await.result(vat.importRef(uri).connect());
      return new RemoteService<>(vat, cap, wrap.apply(cap));
    } catch (RuntimeException | Error e) {
      if (cap != null && !cap.isReleased()) {
        cap.close();
      }
      vat.close();
      throw e;
    }
  }

  /**
   * Connects to the service named by {@code uriOrCapFile}, untyped.
   *
   * @param uriOrCapFile a sturdy URI or the path of a cap file
   * @return the connected service, whose {@link #get()} is the capability
   * @throws IllegalArgumentException if the argument is neither a valid URI nor a readable cap
   *     file
   * @throws RpcException if the vat cannot be reached
   */
  public static RemoteService<Capability> connect(String uriOrCapFile) {
    return connect(uriOrCapFile, Function.identity());
  }

  /**
   * The client (owned by this object: {@link #close()} releases it).
   *
   * @return the typed client
   */
  public C get() {
    return client;
  }

  /**
   * The client vat, e.g. to serve callbacks on its loop ({@code Capability.of(server,
   * remote.vat().loop())}) or to import more sturdy refs.
   *
   * @return the vat
   */
  public Vat vat() {
    return vat;
  }

  /** Releases the capability (unless the client was closed already) and closes the vat. */
  @Override
  public void close() {
    try {
      if (!cap.isReleased()) {
        cap.close();
      }
    } finally {
      vat.close();
    }
  }

  @Override
  public String toString() {
    return "RemoteService(" + client + ")";
  }
}
