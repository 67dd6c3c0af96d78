package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.EchoApi.Callback;
import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.net.NetAddress;
import dev.capnp.net.ServiceId;
import dev.capnp.net.Vat;
import dev.capnp.net.VatConfig;
import dev.capnp.net.restore.SingleRestorer;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.Capability;

/**
 * The guide's "Three-party handoff" step: three vats in one process, over TLS on loopback.
 * Bob serves a logger, Carol the echo service; Alice connects to both and asks Carol to send
 * heartbeats to Bob's logger ({@code echo.heartbeat(msg, bobsLogger)}). With the handoff (the
 * default) Carol connects to Bob and her calls go to him directly; without it
 * ({@code --no-handoff}) every call goes through Alice. It prints what Bob's logger received and
 * how many messages Alice's vat received and how many connections Carol's vat has.
 * Run: {@code HandoffMain [--no-handoff] [heartbeats]}.
 */
public final class HandoffMain {
  private HandoffMain() {}

  /**
   * Entry point.
   *
   * @param args {@code [--no-handoff] [heartbeats]} (heartbeats: how many heartbeat calls
   *     Alice asks for, each making three calls to Bob's logger; default 1)
   */
  public static void main(String[] args) {
    boolean handoff = true;
    int heartbeats = 1;
    for (String a : args) {
      if (a.equals("--no-handoff")) {
        handoff = false;
      } else {
        heartbeats = Integer.parseInt(a);
      }
    }
    run(handoff, heartbeats);
  }

  /**
   * Runs the three vats; returns the messages Alice's vat received during the heartbeats.
   *
   * @param handoff whether the vats do three-party handoff
   * @param heartbeats how many heartbeat calls Alice makes
   * @return the number of messages Alice's vat received while Carol called Bob's logger
   */
  public static long run(boolean handoff, int heartbeats) {
    VatConfig bobConfig = VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .thirdPartyHandoff(handoff).build();
    VatConfig carolConfig = VatConfig.builder().listenAddress(NetAddress.tcp("127.0.0.1", 0))
        .thirdPartyHandoff(handoff).build();
    ServiceId logId = bobConfig.derivedId("log");
    ServiceId echoId = carolConfig.derivedId("echo");
    try (Vat bob = Vat.create(bobConfig, null);
        SingleRestorer bobServices = new SingleRestorer(logId,
            Capability.of(new PrintingCallback("[bob's logger] "), bob.loop()));
        Vat carol = Vat.create(carolConfig, null);
        SingleRestorer carolServices = new SingleRestorer(echoId,
            EchoService.create(0, carol.loop()).capability());
        Vat alice = Vat.create(VatConfig.builder().thirdPartyHandoff(handoff).build(), null)) {
      bob.setRestorer(bobServices);
      carol.setRestorer(carolServices);
      // Alice dials both: she knows Bob's address, so she can introduce Carol to him
      try (Callback.Client log = new Callback.Client(
              Await.result(alice.connect(bob.sturdyUri(logId))));
          Echo.Client echo = new Echo.Client(
              Await.result(alice.connect(carol.sturdyUri(echoId))))) {
        long before = alice.metrics().messagesReceived();
        for (int i = 0; i < heartbeats; i++) {
          var req = echo.heartbeatRequest();
          req.getParams().setMsg("hello from Carol");
          req.getParams().setCallback(log);
          Await.result(req.send()).close();
        }
        long received = alice.metrics().messagesReceived() - before;
        System.out.println("handoff " + (handoff ? "on" : "off") + ": Alice's vat received "
            + received + " messages; Carol's vat has " + carol.connectionCount()
            + " connection(s)");
        return received;
      }
    }
  }
}
