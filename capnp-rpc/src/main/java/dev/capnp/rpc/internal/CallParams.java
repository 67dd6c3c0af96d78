package dev.capnp.rpc.internal;

import dev.capnp.rpc.Request;
import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.PointerFactory;

/**
 * The parameters of one call on their way to a target. Locally built parameters live directly
 * in an outgoing {@code Message.call}, so a call to a remote target sends that message without
 * copying; received parameters are a reader over the incoming message.
 *
 * <h2>Recycled received params (issue 12)</h2>
 * The protocol core may use one received {@code CallParams} object for a later call of the same
 * connection ({@link #retire} when it keeps them, {@link #recycle} when it reuses them), once
 * the call completed, its params were released, and they never left the connection's loop
 * ({@link #escaped}). Each retirement starts a new {@link #generation()}:
 * whoever keeps params past their release (a call context the application kept) records the
 * generation when it takes them and must treat them as gone when it changed (it would otherwise
 * read, release or answer through the later call). Code that hands params to another thread, or
 * whose hold may outlive the call (a tail call sharing its results allocator), sets
 * {@link #escaped} first: such params are never recycled.
 */
public final class CallParams {
  /** The interface called (changes only when received params are recycled). */
  public long interfaceId;
  /** The method called (changes only when received params are recycled). */
  public short methodId;
  /** The outgoing message whose root is a {@code call} (null for received params). */
  public final MessageBuilder message;
  public final Rpc.Call.Builder callBuilder;
  /** The capabilities of the params (replaced only when received params are recycled). */
  public HookCapTable caps;
  /**
   * The content reader of received params, made at the first {@link #content()}; {@link #RETIRED}
   * once the params are retired.
   */
  private AnyPointer.Reader receivedContent;
  /** {@link #receivedContent} of retired params (no field of its own: the object stays small). */
  private static final AnyPointer.Reader RETIRED =
      new MessageBuilder(1).getRootAnyPointer().asReader();
  /**
   * Params received in a {@code Call}: the call's payload, a reader this object owns and moves
   * to each later call's payload when recycled (issue 12: the protocol core makes no reader per
   * received call). {@link #receivedContent} is then made from it only when someone reads
   * {@link #content()}. Null for other params.
   */
  private Rpc.Payload.Reader receivedPayload;
  /** A Call without params: where a retired {@link #receivedPayload} is moved to. */
  private static final Rpc.Call.Reader NO_CALL =
      new MessageBuilder(8).initRoot(Rpc.Message.FACTORY).initCall().asReader();
  /** Which use of this object the current call is (see the class comment). */
  private volatile int generation;
  /**
   * The params were handed to another thread, or to a holder that may outlive the call: the
   * protocol core does not recycle them (see the class comment). Set on the connection's loop,
   * before the call completes.
   */
  public boolean escaped;
  /** Allocates the results of this call. */
  public ResultsAllocator resultsAllocator = ResultsAllocator.PLAIN;
  /**
   * When this call is a tail call made by the handler of a call received from a peer: the
   * connection answering that call (its {@link #answerConnection}), else null.
   */
  public Object tailCallFrom;
  /**
   * Who answers this call when it came from a peer (received params only; else null): an
   * opaque token of the connection, so that a tail call back into the same connection can be
   * sent as {@code sendResultsTo.yourself}.
   */
  public Object answerConnection;
  /**
   * Received params: the caller set {@code Call.allowThirdPartyTailCall} (and wants the results
   * itself: {@code sendResultsTo.caller}). Tail-call params: copied from the call that made the
   * tail call, so the connection sending it may forward it to a third vat (Level 3).
   */
  public boolean allowThirdPartyTailCall;
  /**
   * For a streaming call ({@link Request#sendStreaming()}): completes when the caller may make
   * the next streaming call. A connection's flow controller completes it (and sets
   * {@link #streamFlowTaken}); otherwise the caller completes it when the call completes.
   */
  public volatile java.util.concurrent.CompletableFuture<Void> streamReady;
  /** Whether a flow controller took charge of {@link #streamReady}. */
  public volatile boolean streamFlowTaken;
  /** Whether the outgoing message was already used (sent); further sends must copy. */
  public boolean messageUsed;
  private boolean released;

  private CallParams(long interfaceId, short methodId, MessageBuilder message,
      Rpc.Call.Builder callBuilder, HookCapTable caps) {
    this.interfaceId = interfaceId;
    this.methodId = methodId;
    this.message = message;
    this.callBuilder = callBuilder;
    this.caps = caps;
  }

  /**
   * The first-segment size of new outgoing Call messages: sized from the last Call sent to a
   * peer (by any thread; see {@link FirstSegmentHint}), 64 words before the first.
   */
  public static final FirstSegmentHint CALL_SIZE = new FirstSegmentHint(64);

  /** Fresh parameters for an outgoing call. */
  public static CallParams outgoing(long interfaceId, short methodId) {
    MessageBuilder mb = CALL_SIZE.newMessage();
    HookCapTable caps = new HookCapTable();
    mb.setCapTable(caps);
    Rpc.Call.Builder call = mb.initRoot(Rpc.Message.FACTORY).initCall();
    call.setInterfaceId(interfaceId);
    call.setMethodId(methodId);
    return new CallParams(interfaceId, methodId, mb, call, caps);
  }

  /**
   * The params of {@code call}, a {@code Call} message received from a peer (the table owns its
   * references; {@code call} must have been read with that table). The params keep a payload
   * reader of their own, which {@link #recycle(Rpc.Call.Reader, HookCapTable)} moves to later
   * calls.
   *
   * @param call the received call
   * @param caps the capability table of its message
   * @return the call's params
   */
  public static CallParams received(Rpc.Call.Reader call, HookCapTable caps) {
    CallParams p = new CallParams(call.getInterfaceId(), call.getMethodId(), null, null, caps);
    p.receivedPayload = call.getParams();
    return p;
  }

  /**
   * Retires these received params (released, their call completed, not {@link #escaped}) when
   * the protocol core keeps them for a later call: a new {@link #generation()} (holders of the
   * old one treat them as gone at once), and no reference left to the old call's message or
   * answer, so that a kept object does not keep them alive. On the connection's loop.
   */
  public void retire() {
    if (message != null || !released || escaped) {
      throw new IllegalStateException("only released, unshared received params are recycled");
    }
    receivedContent = RETIRED;
    if (receivedPayload != null) {
      receivedPayload = NO_CALL.getParams(receivedPayload); // (the old message is not kept)
    }
    caps = HookCapTable.none();
    resultsAllocator = ResultsAllocator.PLAIN;
    tailCallFrom = null;
    answerConnection = null;
    generation++; // (volatile: last, so a holder seeing the new generation sees the rest)
  }

  /**
   * Makes these retired params ({@link #retire}) those of {@code call}, a new call received on
   * the same connection, as {@link #received(Rpc.Call.Reader, HookCapTable)} would set them,
   * moving their payload reader to the new call's (no new reader). On the connection's loop.
   *
   * @param call the new call (read with {@code newCaps})
   * @param newCaps the new call's capability table (the table owns its references)
   */
  public void recycle(Rpc.Call.Reader call, HookCapTable newCaps) {
    if (message != null || !released || escaped || receivedContent != RETIRED) {
      throw new IllegalStateException("only retired received params are recycled");
    }
    interfaceId = call.getInterfaceId();
    methodId = call.getMethodId();
    receivedContent = null;
    receivedPayload = call.getParams(receivedPayload);
    caps = newCaps;
    resultsAllocator = ResultsAllocator.PLAIN;
    tailCallFrom = null;
    answerConnection = null;
    allowThirdPartyTailCall = false;
    streamReady = null;
    streamFlowTaken = false;
    messageUsed = false;
    released = false;
  }

  /**
   * Which use of this object the current call is: changes when the protocol core recycles
   * received params for a later call (see the class comment).
   *
   * @return the generation
   */
  public int generation() {
    return generation;
  }

  /** The params pointer for building (outgoing params only). */
  public AnyPointer.Builder builder() {
    return callBuilder.initParams().getContent();
  }

  /**
   * The params content (a reader of its own, which may be kept: recycling the params does not
   * move it).
   *
   * @return the params content
   */
  public AnyPointer.Reader content() {
    if (receivedContent == RETIRED) {
      throw new IllegalStateException("the params of a completed call (kept for a later one)");
    }
    if (receivedContent != null) {
      return receivedContent;
    }
    if (receivedPayload != null) {
      return receivedContent = receivedPayload.getContent();
    }
    if (callBuilder == null) {
      throw new IllegalStateException("the params of a completed call (kept for a later one)");
    }
    return callBuilder.getParams().getContent().asReader();
  }

  /**
   * The params content read as {@code factory}'s type: {@code content().getAs(factory)}, but
   * for received params without the {@code AnyPointer} reader in between (the typed reader is
   * the only object made).
   *
   * @param <R> the reader type
   * @param factory the params' type
   * @return the params read as that type
   */
  public <R> R contentAs(PointerFactory<?, R> factory) {
    if (receivedContent == null && receivedPayload != null) {
      return Results.payloadContentAs(receivedPayload, factory);
    }
    return content().getAs(factory);
  }

  /** Releases the capabilities in the params (idempotent). */
  public void release() {
    if (!released) {
      released = true;
      caps.releaseAll();
    }
  }

  public boolean isReleased() {
    return released;
  }
}
