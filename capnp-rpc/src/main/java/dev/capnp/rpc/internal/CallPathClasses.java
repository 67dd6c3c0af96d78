package dev.capnp.rpc.internal;

/**
 * Initialises the classes of the call path (making, sending, answering and completing a call)
 * once per JVM, when the first connection is made rather than at the first call (issue 12, cold
 * start). On JDK 25 a start-up cache trained with {@code dev.capnp.net.AotTraining} records which
 * methods were hot, and {@code -XX:+AOTCompileEagerly} compiles them as soon as their classes
 * (and the classes their compiled code depends on) are initialised: a class first initialised by
 * the first call left its methods to be compiled while the first calls ran, interpreted. Named
 * here, they are compiled while the process connects and bootstraps. Without such a cache it
 * only moves the classes' initialisation a little earlier.
 *
 * <p>Classes are named by name ({@link Class#forName(String, boolean, ClassLoader)}), so that
 * this list needs no access to them and no edits to them; a name that no longer resolves is
 * skipped (the test {@code CallPathClassesTest} finds classes the first call still initialises).
 *
 * <p>Threading: {@link #initialize()} may be called from any thread; the JVM runs the
 * initialisation once, and callers on other threads wait for it.
 */
public final class CallPathClasses {
  /**
   * The call path's classes in capnp-rpc and capnp-runtime, roughly in the order a first call
   * initialises them: the caller's request, the Call message, the promise; the Return read, the
   * results, the Finish; the callee's side of the call and its Return; and the classes that the
   * hot methods' compiled code depends on though a client may never use them (a compiled method
   * waits until every class its training compilation found initialised is initialised: the
   * protocol's message dispatch waits for the Bootstrap and Release readers, for example; seen
   * with {@code -Xlog:training*=trace}). (Generated nested classes are named one by one:
   * initialising a class does not initialise its nested classes.)
   */
  private static final String[] NAMES = {
      "dev.capnp.rpc.Request",
      "dev.capnp.rpc.internal.CallParams",
      "dev.capnp.rpc.internal.HookCapTable",
      "dev.capnp.rpc.proto.Rpc$Call",
      "dev.capnp.rpc.proto.Rpc$Call$Factory",
      "dev.capnp.rpc.proto.Rpc$Call$_ListFactory",
      "dev.capnp.rpc.proto.Rpc$Call$Builder",
      "dev.capnp.rpc.internal.ResultsAllocator",
      "dev.capnp.rpc.proto.Rpc$Payload",
      "dev.capnp.rpc.proto.Rpc$Payload$Factory",
      "dev.capnp.rpc.proto.Rpc$Payload$_ListFactory",
      "dev.capnp.rpc.proto.Rpc$Payload$Builder",
      "dev.capnp.runtime.AnyPointer",
      "dev.capnp.runtime.AnyPointer$Factory",
      "dev.capnp.runtime.AnyPointer$Builder",
      "dev.capnp.rpc.ResponsePromise",
      "dev.capnp.rpc.ResponsePromise$PipelineHold",
      "dev.capnp.rpc.ResponseListener",
      "dev.capnp.rpc.Request$Delivery",
      "dev.capnp.rpc.protocol.ResultsListenerSink",
      "dev.capnp.rpc.proto.Rpc$MessageTarget",
      "dev.capnp.rpc.proto.Rpc$MessageTarget$Factory",
      "dev.capnp.rpc.proto.Rpc$MessageTarget$_ListFactory",
      "dev.capnp.rpc.proto.Rpc$MessageTarget$Builder",
      "dev.capnp.rpc.proto.Rpc$PromisedAnswer",
      "dev.capnp.rpc.proto.Rpc$PromisedAnswer$Factory",
      "dev.capnp.rpc.proto.Rpc$PromisedAnswer$_ListFactory",
      "dev.capnp.rpc.proto.Rpc$PromisedAnswer$Builder",
      "dev.capnp.rpc.internal.CallResult",
      "dev.capnp.runtime.MessageReader",
      "dev.capnp.runtime.CapTableReader",
      "dev.capnp.runtime.MessageReader$Limiter",
      "dev.capnp.runtime.ReadTarget",
      "dev.capnp.runtime.StructReader",
      "dev.capnp.rpc.proto.Rpc$Message$Reader",
      "dev.capnp.rpc.protocol.RpcProtocol$1",
      "dev.capnp.rpc.proto.Rpc$Message$Which",
      "dev.capnp.rpc.proto.Rpc$Return",
      "dev.capnp.rpc.proto.Rpc$Return$Factory",
      "dev.capnp.rpc.proto.Rpc$Return$_ListFactory",
      "dev.capnp.rpc.proto.Rpc$Return$Reader",
      "dev.capnp.rpc.protocol.ThirdPartyForwarding",
      "dev.capnp.rpc.protocol.QuestionTable$1",
      "dev.capnp.rpc.proto.Rpc$Return$Which",
      "dev.capnp.rpc.proto.Rpc$Payload$Reader",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor$Factory",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor$_ListFactory",
      "dev.capnp.runtime.ListReader",
      "dev.capnp.runtime.StructList$Reader",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor$ListReader",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor$Reader",
      "dev.capnp.rpc.protocol.ImportTable$1",
      "dev.capnp.rpc.proto.Rpc$CapDescriptor$Which",
      "dev.capnp.rpc.protocol.ImportTable$Import",
      "dev.capnp.rpc.protocol.ImportTable$State",
      "dev.capnp.rpc.protocol.ImportClient",
      "dev.capnp.rpc.internal.Results",
      "dev.capnp.runtime.AnyPointer$Reader",
      "dev.capnp.rpc.internal.CrossLoopClient",
      "dev.capnp.rpc.proto.Rpc$Finish$Builder",
      "dev.capnp.rpc.Response",
      "dev.capnp.runtime.Text$Reader",
      "dev.capnp.runtime.Text",
      "dev.capnp.runtime.Text$Factory",
      "dev.capnp.runtime.Text$Builder",
      "dev.capnp.rpc.proto.Rpc$Call$Reader",
      "dev.capnp.rpc.proto.Rpc$MessageTarget$Reader",
      "dev.capnp.rpc.protocol.AnswerTable$1",
      "dev.capnp.rpc.proto.Rpc$Call$SendResultsTo$Which",
      "dev.capnp.rpc.proto.Rpc$MessageTarget$Which",
      "dev.capnp.rpc.proto.Rpc$Call$SendResultsTo$Reader",
      "dev.capnp.rpc.CallContextImpl",
      "dev.capnp.rpc.internal.ListenablePromise",
      "dev.capnp.rpc.CallContextImpl$ContextPromise",
      "dev.capnp.rpc.internal.QueuedPipeline",
      "dev.capnp.runtime.AnyList",
      "dev.capnp.runtime.AnyList$Factory",
      "dev.capnp.runtime.AnyList$Reader",
      "dev.capnp.rpc.proto.Rpc$Return$Builder",
      "dev.capnp.rpc.proto.Rpc$Finish$Reader",
      "dev.capnp.rpc.internal.ResultsAllocator$ResultsBuilder",
      "dev.capnp.rpc.protocol.AnswerTable$Answer",
      "dev.capnp.rpc.Response$Leak",
      "dev.capnp.rpc.proto.Rpc$Bootstrap",
      "dev.capnp.rpc.proto.Rpc$Bootstrap$Factory",
      "dev.capnp.rpc.proto.Rpc$Bootstrap$Reader",
      "dev.capnp.rpc.proto.Rpc$Finish",
      "dev.capnp.rpc.proto.Rpc$Finish$Factory",
      "dev.capnp.rpc.proto.Rpc$Release",
      "dev.capnp.rpc.proto.Rpc$Release$Factory",
      "dev.capnp.rpc.proto.Rpc$Release$Reader",
      "dev.capnp.rpc.proto.Rpc$Release$Builder",
  };

  /**
   * The classes of the network layer (capnp-net's Netty transport) that the first call's write
   * and read initialise; skipped where Netty is not on the class path. Only classes whose
   * initialisation needs no native library: a connection may be made before Netty loads its
   * native transport (an in-memory one, a vat on NIO), and a class whose initialisation failed
   * then stays unusable for the JVM's life, so {@code io.netty.channel.unix} and
   * {@code io.netty.channel.epoll} classes (e.g. {@code IovArray}) must not be named here
   * ({@code AotTrainingTest} in capnp-net checks it).
   */
  private static final String[] NETWORK_NAMES = {
      "io.netty.util.internal.PromiseNotificationUtil",
      "io.netty.buffer.Unpooled",
      "io.netty.buffer.UnpooledByteBufAllocator",
      "io.netty.buffer.SwappedByteBuf",
      "io.netty.buffer.VarHandleByteBufferAccess",
      "io.netty.channel.RecvByteBufAllocator$DelegatingHandle",
      "io.netty.handler.codec.CodecOutputList",
      "io.netty.handler.codec.CodecOutputList$CodecOutputLists",
      "io.netty.util.ResourceLeakDetector$DefaultResourceLeak",
      "io.netty.util.ResourceLeakDetector$TraceRecord",
      "io.netty.buffer.WrappedByteBuf",
      "io.netty.buffer.SimpleLeakAwareByteBuf",
  };

  static {
    ClassLoader loader = CallPathClasses.class.getClassLoader();
    initialize(NAMES, loader);
    initialize(NETWORK_NAMES, loader);
  }

  private static void initialize(String[] names, ClassLoader loader) {
    for (String name : names) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // renamed or removed (or no Netty): the first call initialises what it needs
      }
    }
  }

  private CallPathClasses() {}

  /**
   * Initialises the call path's classes if this JVM has not yet (a no-op after the first time).
   */
  public static void initialize() {
    // the work is this class's static initialiser, which the JVM runs once
  }

  /**
   * The names of the classes this initialises (tests).
   *
   * @return a copy of the list
   */
  static String[] names() {
    return NAMES.clone();
  }
}
