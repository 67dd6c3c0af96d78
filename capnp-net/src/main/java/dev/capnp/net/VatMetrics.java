package dev.capnp.net;

import dev.capnp.net.transport.TransportMetrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one vat (spec section 9 plus a few cheap extras). Always collected;
 * {@link #bindTo(Object, String)} exposes them to a Micrometer {@code MeterRegistry}
 * (Micrometer is an optional dependency) as {@code capnp.net.connections} (gauge),
 * {@code capnp.net.messages.inbound.received} and {@code capnp.net.messages.outbound.enqueued}
 * (counters; Prometheus names {@code capnp_net_connections},
 * {@code capnp_net_messages_inbound_received_total},
 * {@code capnp_net_messages_outbound_enqueued_total}), plus
 * {@code capnp.net.connections.opened} and {@code capnp.net.connect.failures}.
 */
public final class VatMetrics implements TransportMetrics {
  private final AtomicLong connections = new AtomicLong();
  private final LongAdder received = new LongAdder();
  private final LongAdder enqueued = new LongAdder();
  private final LongAdder opened = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder refused = new LongAdder();

  @Override
  public void messageReceived() {
    received.increment();
  }

  @Override
  public void messageEnqueued() {
    enqueued.increment();
  }

  void connectionOpened() {
    connections.incrementAndGet();
    opened.increment();
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  void connectionRefused() {
    refused.increment();
  }

  void connectFailed() {
    connectFailures.increment();
  }

  /**
   * Live connections.
   *
   * @return the number of live connections
   */
  public long connections() {
    return connections.get();
  }

  /**
   * Messages received in total.
   *
   * @return the number of messages received
   */
  public long messagesReceived() {
    return received.sum();
  }

  /**
   * Messages enqueued for sending in total.
   *
   * @return the number of messages enqueued
   */
  public long messagesEnqueued() {
    return enqueued.sum();
  }

  /**
   * Connections ever opened (dialled, accepted or over streams).
   *
   * @return the number of connections opened
   */
  public long connectionsOpened() {
    return opened.sum();
  }

  /**
   * Incoming connections refused because the vat had {@code maxConnections} open.
   *
   * @return the number of refused connections
   */
  public long connectionsRefused() {
    return refused.sum();
  }

  /**
   * Failed outgoing connection attempts (dial or TLS errors).
   *
   * @return the number of failed connection attempts
   */
  public long connectFailures() {
    return connectFailures.sum();
  }

  /**
   * Registers these counters with {@code meterRegistry}, an
   * {@code io.micrometer.core.instrument.MeterRegistry}, tagged {@code vat=<vatName>}.
   *
   * @param meterRegistry a Micrometer {@code MeterRegistry}
   * @param vatName the value of the {@code vat} tag
   * @throws IllegalStateException if Micrometer is not on the class path
   */
  public void bindTo(Object meterRegistry, String vatName) {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Micrometer (micrometer-core) is not on the class path", e);
    }
    MicrometerBinding.bind(this, meterRegistry, vatName);
  }
}
