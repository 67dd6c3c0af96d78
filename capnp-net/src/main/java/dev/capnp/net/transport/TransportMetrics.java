package dev.capnp.net.transport;

/** What a transport reports (implemented by the vat's metrics; calls are cheap). */
public interface TransportMetrics {
  /** No metrics. */
  TransportMetrics NONE = new TransportMetrics() {
    @Override
    public void messageReceived() {}

    @Override
    public void messageEnqueued() {}
  };

  /** One message was received and decoded. */
  void messageReceived();

  /** One message was queued for sending. */
  void messageEnqueued();
}
