package dev.capnp.testing;

import dev.capnp.net.CapnpUri;
import dev.capnp.net.NetAddress;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.NamedServices;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;
import dev.capnp.rpc.Server;
import java.util.Objects;

/** {@link RpcPair#loopback}: a server vat and a client vat over TCP on 127.0.0.1 with TLS. */
final class LoopbackRpcPair implements RpcPair {
  private final Vat server;
  private final NamedServices services;
  private final Vat client;
  private final CapnpUri uri;

  private LoopbackRpcPair(Vat server, NamedServices services, Vat client, CapnpUri uri) {
    this.server = server;
    this.services = services;
    this.client = client;
    this.uri = uri;
  }

  static LoopbackRpcPair start(Server service) {
    Objects.requireNonNull(service, "service");
    Vat server = Vat.create(VatConfig.builder()
        .listenAddress(NetAddress.tcp("127.0.0.1", 0)).build(), null);
    try {
      NamedServices services = NamedServices.serve(server);
      CapnpUri uri = services.add("main", service);
      return new LoopbackRpcPair(server, services, Vat.client(), uri);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  @Override
  public Capability bootstrap() {
    return Await.result(client.importRef(uri).connect());
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.close();
      services.close();
    }
  }

  @Override
  public String toString() {
    return "RpcPair.loopback(" + uri.address() + ")";
  }
}
