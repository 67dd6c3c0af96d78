package dev.capnp.rpc.internal;

import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;

/** Creates the message that a call's results are built in. */
public interface ResultsAllocator {
  /** Plain results: a fresh message whose root is the results. */
  public ResultsAllocator PLAIN = () -> {
    MessageBuilder mb = new MessageBuilder(64);
    HookCapTable caps = new HookCapTable();
    mb.setCapTable(caps);
    return new ResultsBuilder(mb, mb.getRootAnyPointer(), caps, null);
  };

  /** Allocates a results message. */
  public ResultsBuilder allocate();

  /** Results under construction. */
  public final class ResultsBuilder {
    public final MessageBuilder message;
    public final AnyPointer.Builder content;
    public final HookCapTable caps;
    /** The Return being built when results go straight into it, else null. */
    public final dev.capnp.rpc.proto.Rpc.Return.Builder returnBuilder;
    /** The answer whose Return message this is (null for plain results). */
    public Object owner;

    public ResultsBuilder(MessageBuilder message, AnyPointer.Builder content, HookCapTable caps,
        dev.capnp.rpc.proto.Rpc.Return.Builder returnBuilder) {
      this.message = message;
      this.content = content;
      this.caps = caps;
      this.returnBuilder = returnBuilder;
    }

    private int resultsMade;
    /**
     * The size of {@link #message} before any content was written (its Return header), for
     * {@link dev.capnp.runtime.MessageBuilder#rewind}; 0 when this builder is not reusable.
     */
    public long headerWords;
    /**
     * Which build of this builder's message the current one is: a reused builder (the protocol
     * core's spare Return) counts up at each reuse, so that {@link Results} made by an earlier
     * build are recognized as stale ({@link Results#isCurrentBuild()}).
     */
    private int build;

    /**
     * The results, as a new {@link Results} over this builder's content.
     *
     * @return the results
     */
    public Results toResults() {
      resultsMade++;
      Results r = new Results(content.asReader(), caps, this);
      r.originBuild = build;
      return r;
    }

    /**
     * Starts a new build of this builder for {@code newOwner} (the protocol core reusing a
     * Return it took back: its content cleared, its header kept): no results made yet, and
     * results of the earlier builds are stale. On the thread that took it.
     *
     * @param newOwner the answer the new build is for
     */
    public void reuseFor(Object newOwner) {
      resultsMade = 0;
      build++;
      owner = newOwner;
    }

    /**
     * The current build's number (see {@link #reuseFor}).
     *
     * @return the build number
     */
    public int build() {
      return build;
    }

    /**
     * How many {@link Results} {@link #toResults()} made (the protocol core reuses a Return's
     * memory only when one was made, held by nobody but its answer).
     *
     * @return the count
     */
    public int resultsMade() {
      return resultsMade;
    }
  }
}
