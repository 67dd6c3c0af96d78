package dev.capnp.rpc.internal;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.PointerFactory;
import dev.capnp.rpc.proto.Rpc;

/**
 * The results of a completed call: content plus the capability table that owns its caps.
 *
 * <p>Results received in a {@code Return} for a call made with
 * {@link ClientHook#callForResults} are the listener's only while it runs (unless it
 * {@link #hold()}s them): the protocol core then uses the object again for a later Return of
 * the same connection ({@link #receivedInto}). Their {@link #content()} reader, once made, is
 * never moved, so it may be kept like any reader of the message.
 */
public final class Results {
  /** A null pointer, for results that carry nothing. */
  public static final AnyPointer.Reader NULL_CONTENT =
      new dev.capnp.runtime.MessageBuilder(1).getRootAnyPointer().asReader();
  /**
   * The content: an {@code AnyPointer.Reader}, or, for results received for
   * {@link ClientHook#callForResults}, the Return's {@code Rpc.Payload.Reader} until
   * {@link #content()} makes the reader (one field for both: no bigger object per call).
   */
  private Object content;
  /** Owns the capabilities of the content (replaced only by {@link #receivedInto}). */
  public HookCapTable caps;
  /** Where the results were built (null for received results). */
  public final ResultsAllocator.ResultsBuilder origin;
  /** For a tail call sent with {@code sendResultsTo.yourself}: the question's id, else -1. */
  public int sentElsewhereQuestion = -1;
  /**
   * For a tail call forwarded to a third vat ({@code sendResultsTo.thirdParty}): the message
   * whose root is the {@code ThirdPartyToAwait} our {@code Return.awaitFromThirdParty} carries
   * (a {@code dev.capnp.runtime.MessageBuilder}), else null. See the protocol core's
   * ThirdPartyForwarding.
   */
  public Object awaitFromThirdParty;
  /** A tail call's marker became the Return of the answer it was made for (on the loop). */
  public boolean claimed;
  /** Runs once when these results are released (a tail call's marker, see the protocol core). */
  public Runnable onRelease;
  private boolean released;
  /** The build of {@link #origin} these results were made from (see {@link #isCurrentBuild}). */
  int originBuild;
  /** Holders sharing these results (the response, the caller's pipeline); on the loop. */
  private int holds = 1;

  public Results(AnyPointer.Reader content, HookCapTable caps,
      ResultsAllocator.ResultsBuilder origin) {
    this.content = content;
    this.caps = caps;
    this.origin = origin;
  }

  /**
   * The results whose payload is {@code payload} (a received {@code Return.results}, read with
   * {@code caps}), in {@code reuse} if it may be used again (the protocol core's, released and
   * held by nobody; see the class comment), else in new results. No reader is made for their
   * content until {@link #content()} asks for one. On the connection's loop.
   *
   * @param reuse results of an earlier Return that nobody holds, or null
   * @param payload the payload of the received Return's results (the results keep it)
   * @param caps the capability table the Return was read with (these results own it)
   * @return the results
   */
  public static Results receivedInto(Results reuse, Rpc.Payload.Reader payload,
      HookCapTable caps) {
    Results r = reuse;
    if (r == null || !r.released || r.holds > 0 || r.origin != null) {
      r = new Results(null, caps, null);
      r.content = payload;
      return r;
    }
    r.content = payload;
    r.caps = caps;
    r.sentElsewhereQuestion = -1;
    r.awaitFromThirdParty = null;
    r.claimed = false;
    r.onRelease = null;
    r.released = false;
    r.holds = 1;
    return r;
  }

  /**
   * Released results kept for {@link #receivedInto}: they now point at {@code emptyPayload} (a
   * payload moved off their message) and an empty table, so that while kept they hold on to no
   * message and no capability. On the connection's loop.
   *
   * @param emptyPayload the payload they point at until used again
   * @throws IllegalStateException if they are not released
   */
  public void park(Rpc.Payload.Reader emptyPayload) {
    if (!released) {
      throw new IllegalStateException("only released results are kept for a later Return");
    }
    content = emptyPayload;
    caps = HookCapTable.none();
  }

  /**
   * The content of the results (made at the first call for received results; the reader is
   * never moved, so it may be kept).
   *
   * @return the content
   */
  public AnyPointer.Reader content() {
    Object c = content;
    if (c instanceof AnyPointer.Reader) {
      return (AnyPointer.Reader) c;
    }
    AnyPointer.Reader made = ((Rpc.Payload.Reader) c).getContent();
    content = made;
    return made;
  }

  /**
   * The content read as {@code factory}'s type: {@code content().getAs(factory)}, but for
   * received results without the {@code AnyPointer} reader in between.
   *
   * @param <R> the reader type
   * @param factory the results' type
   * @return the content read as that type
   */
  public <R> R contentAs(PointerFactory<?, R> factory) {
    Object c = content;
    if (c instanceof AnyPointer.Reader) {
      return ((AnyPointer.Reader) c).getAs(factory);
    }
    return payloadContentAs((Rpc.Payload.Reader) c, factory);
  }

  /**
   * The content of {@code payload} read as {@code factory}'s type, without the
   * {@code AnyPointer} reader {@code getContent()} would make ({@code Payload.content} is the
   * first pointer of rpc.capnp's {@code Payload}). Shared with {@link CallParams}.
   */
  static <R> R payloadContentAs(Rpc.Payload.Reader payload, PointerFactory<?, R> factory) {
    return AnyPointer.readField(payload, 0, factory);
  }

  /**
   * Whether these results were made from the current build of their {@link #origin} (always
   * true without one): false when the origin, a Return message the protocol core reuses, has
   * since been taken back and built again for a later call.
   *
   * @return whether the origin still holds these results' build
   */
  public boolean isCurrentBuild() {
    return origin == null || origin.build() == originBuild;
  }

  /** Releases the result caps (idempotent). */
  public void release() {
    if (!released) {
      released = true;
      holds = 0;
      caps.releaseAll();
      if (onRelease != null) {
        onRelease.run();
      }
    }
  }

  /** Adds a holder (on the loop); each holder calls {@link #unhold()} once. */
  public void hold() {
    holds++;
  }

  /** Drops one holder (on the loop); the last one releases the result caps. */
  public void unhold() {
    if (--holds <= 0) {
      release();
    }
  }

  /**
   * The holders sharing these results (1: only the first; on the loop).
   *
   * @return the count of holders
   */
  public int holders() {
    return holds;
  }

  public boolean isReleased() {
    return released;
  }

  /**
   * The capability at {@code ops} (a path of pointer-field indexes), as a new reference usable
   * on {@code loop} (see {@link CrossLoopClient}); a broken capability if the path does not lead
   * to one.
   */
  public ClientHook capAt(short[] ops, EventLoop loop) {
    if (released) {
      return new BrokenClient(loop, RpcException.failed("results already released"));
    }
    try {
      AnyPointer.Reader p = content();
      for (short op : ops) {
        if (p.isNull()) {
          return BrokenClient.nullCap(loop);
        }
        AnyStruct.Reader s = p.getAs(AnyStruct.FACTORY);
        if (op >= s.pointerCount()) {
          return BrokenClient.nullCap(loop);
        }
        p = s.getPointer(op);
      }
      if (p.isNull()) {
        return BrokenClient.nullCap(loop);
      }
      if (!p.isCapability()) {
        return new BrokenClient(loop, RpcException.failed("pipelined field is not a capability"));
      }
      Object c = p.getCapability();
      if (c == null) {
        return new BrokenClient(loop, RpcException.failed("Invalid capability index!"));
      }
      return CrossLoopClient.bind(loop, ((ClientHook) c).addRef());
    } catch (RuntimeException e) {
      return new BrokenClient(loop, RpcException.of(e));
    }
  }
}
