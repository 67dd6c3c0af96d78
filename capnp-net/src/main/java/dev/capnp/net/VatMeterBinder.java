package dev.capnp.net;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * A vat's counters as a typed Micrometer {@link MeterBinder} (Micrometer is an optional
 * dependency of capnp-net: add {@code io.micrometer:micrometer-core} to use this class).
 *
 * <pre>{@code
 * new VatMeterBinder(vat.metrics(), "server").bindTo(registry);
 * }</pre>
 *
 * <p>The meters, each tagged {@code vat=<vatName>}:
 * <ul>
 *   <li>{@code capnp.net.connections} (gauge): live connections;
 *   <li>{@code capnp.net.messages.inbound.received} (counter): messages received;
 *   <li>{@code capnp.net.messages.outbound.enqueued} (counter): messages queued for sending;
 *   <li>{@code capnp.net.connections.opened} (counter): connections ever opened;
 *   <li>{@code capnp.net.connect.failures} (counter): failed outgoing connection attempts;
 *   <li>{@code capnp.net.connections.refused} (counter): incoming connections refused because
 *       the vat had {@code maxConnections} open.
 * </ul>
 * Prometheus names them {@code capnp_net_connections}, {@code
 * capnp_net_messages_inbound_received_total}, ... (the seed's names). In Spring Boot, a
 * {@code MeterBinder} bean is bound to the application's registry by itself.
 */
public final class VatMeterBinder implements MeterBinder {
  private final VatMetrics metrics;
  private final String vatName;

  /**
   * A binder of {@code metrics} (usually {@code vat.metrics()}) tagged {@code vat=vatName}.
   *
   * @param metrics the vat's counters
   * @param vatName the value of the {@code vat} tag, to tell several vats apart
   */
  public VatMeterBinder(VatMetrics metrics, String vatName) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.vatName = Objects.requireNonNull(vatName, "vatName");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    MicrometerBinding.bind(metrics, Objects.requireNonNull(registry, "registry"), vatName);
  }
}
