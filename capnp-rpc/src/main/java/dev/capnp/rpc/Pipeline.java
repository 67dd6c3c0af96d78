package dev.capnp.rpc;

/**
 * A path into the promised results of a call. Generated {@code XxxResults.Pipeline} classes wrap
 * one: struct fields give sub-pipelines ({@link #getPointerField(int)}), interface fields give
 * capabilities ({@link #asCapability()}) callable before the results arrive.
 */
public final class Pipeline {
  private final ResponsePromise<?, ?> promise;
  private final short[] ops;

  Pipeline(ResponsePromise<?, ?> promise, short[] ops) {
    this.promise = promise;
    this.ops = ops;
  }

  /**
   * The pipeline of the pointer field {@code pointerIndex} of this struct.
   *
   * @param pointerIndex the index of the pointer field in the struct's pointer section
   * @return the pipeline of that field
   */
  public Pipeline getPointerField(int pointerIndex) {
    short[] n = java.util.Arrays.copyOf(ops, ops.length + 1);
    n[ops.length] = (short) pointerIndex;
    return new Pipeline(promise, n);
  }

  /**
   * The capability at this path (a new handle; close it).
   *
   * @return a new handle to the promised capability; the caller owns it
   */
  public Capability asCapability() {
    return promise.pipelinedCap(ops);
  }
}
