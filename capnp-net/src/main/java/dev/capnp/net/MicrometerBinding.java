package dev.capnp.net;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Micrometer glue, loaded only when a registry is bound (Micrometer is optional). */
final class MicrometerBinding {
  private MicrometerBinding() {}

  static void bind(VatMetrics m, Object registry, String vat) {
    MeterRegistry r = (MeterRegistry) registry;
    Gauge.builder("capnp.net.connections", m, VatMetrics::connections)
        .description("Number of live capnp-rpc connections").tag("vat", vat).register(r);
    FunctionCounter.builder("capnp.net.messages.inbound.received", m,
            VatMetrics::messagesReceived)
        .description("Total number of messages received").tag("vat", vat).register(r);
    FunctionCounter.builder("capnp.net.messages.outbound.enqueued", m,
            VatMetrics::messagesEnqueued)
        .description("Total number of messages enqueued to be transmitted").tag("vat", vat)
        .register(r);
    FunctionCounter.builder("capnp.net.connections.opened", m, VatMetrics::connectionsOpened)
        .description("Total number of connections opened").tag("vat", vat).register(r);
    FunctionCounter.builder("capnp.net.connect.failures", m, VatMetrics::connectFailures)
        .description("Total number of failed outgoing connection attempts").tag("vat", vat)
        .register(r);
    FunctionCounter.builder("capnp.net.connections.refused", m, VatMetrics::connectionsRefused)
        .description("Total number of incoming connections refused (maxConnections)")
        .tag("vat", vat).register(r);
  }
}
