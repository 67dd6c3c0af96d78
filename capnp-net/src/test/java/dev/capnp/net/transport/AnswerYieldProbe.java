package dev.capnp.net.transport;

import dev.capnp.rpc.transport.MessageTransport;
import dev.capnp.runtime.MessageBuilder;
import dev.capnp.runtime.MessageReader;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.runtime.Text;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server loop ({@link DrivenIoEventLoop}) whose transports echo each incoming message, as a
 * reply ({@link NettyTransport#sendReply}) or as a message of its own ({@code send}), to a
 * blocking client on TCP or a Unix-domain socket; reports how often the loop's home thread
 * yielded after a reply (or spun, {@link ReplySpin}). {@code main} runs one TCP exchange of
 * replies and prints {@code yields=N}, with the argument {@code spins} one Unix-domain
 * exchange and {@code spins=N} ({@code spinsMany}: 2,000 calls instead of 200, for the default
 * window, which a loaded machine's gaps may exceed now and then), with {@code callSpins} 50
 * blocking "calls" driven by this thread whose replies come 200 µs later and
 * {@code callSpins=N}, with {@code homeCallSpins} (and its variants, see {@link #main}) 2,000
 * calls sent by a client loop's home thread to an echo server and {@code spins=N}, that loop's
 * spins (a forked JVM: the
 * {@code -Dcapnp.net.yieldAfterReply}, {@code spinAfterReplyMicros} and
 * {@code spinForReplyMicros} properties are read once per JVM).
 */
final class AnswerYieldProbe {
  private AnswerYieldProbe() {
  }

  /**
   * Sends {@code calls} messages one at a time and reads each echo; returns the server loop's
   * yields after replies, read on the loop once the last echo has arrived.
   */
  static long exchange(boolean tcp, boolean asReply, int calls) throws Exception {
    return counts(tcp, asReply, calls)[0];
  }

  /**
   * Like {@link #exchange}; returns the server loop's yields and spins after replies.
   */
  static long[] counts(boolean tcp, boolean asReply, int calls) throws Exception {
    return counts(tcp, asReply, true, calls);
  }

  /**
   * Like {@link #counts(boolean, boolean, int)}; {@code finishFollows} false: the transport is
   * told that the peer will not finish the replies ({@link NettyTransport#finishFollowsReplies}).
   */
  static long[] counts(boolean tcp, boolean asReply, boolean finishFollows, int calls)
      throws Exception {
    DrivenIoEventLoop loop = new DrivenIoEventLoop("yield-probe", NioIoHandler.newFactory());
    Path dir = tcp ? null : Files.createTempDirectory("yield-probe");
    try {
      ServerBootstrap sb = new ServerBootstrap().group(loop, loop)
          .channel(tcp ? NioServerSocketChannel.class : NioServerDomainSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              NettyTransport t = new NettyTransport(ch, null);
              if (!finishFollows) {
                t.finishFollowsReplies(false);
              }
              ch.pipeline().addLast(new FrameDecoder(1 << 20, ReaderOptions.DEFAULT),
                  new FrameEncoder(), t);
              t.start(new MessageTransport.Receiver() {
                @Override
                public void onMessage(MessageReader m) {
                  MessageBuilder echo = text(m.getRootAnyPointer().getAs(Text.FACTORY).toString());
                  if (asReply) {
                    t.sendReply(echo);
                  } else {
                    t.send(echo);
                  }
                }

                @Override
                public void onClosed(Throwable cause) {
                }
              });
            }
          });
      SocketAddress at = tcp ? new InetSocketAddress("127.0.0.1", 0)
          : UnixDomainSocketAddress.of(dir.resolve("s.sock"));
      Channel server = sb.bind(at).sync().channel();
      try (SocketChannel c = tcp ? SocketChannel.open(server.localAddress())
          : SocketChannel.open(StandardProtocolFamily.UNIX)) {
        if (!tcp) {
          c.connect(at);
        }
        for (int i = 0; i < calls; i++) {
          Serialize.write(c, text("call " + i));
          String got = Serialize.read(c).getRootAnyPointer().getAs(Text.FACTORY).toString();
          if (!got.equals("call " + i)) {
            throw new AssertionError("echo of call " + i + " was " + got);
          }
        }
      } finally {
        server.close().sync();
      }
      return loop.submit(() -> new long[] {loop.answerYields(), loop.replySpins()})
          .get(10, TimeUnit.SECONDS);
    } finally {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
      if (dir != null) {
        Files.deleteIfExists(dir.resolve("s.sock"));
        Files.deleteIfExists(dir);
      }
    }
  }

  /**
   * Drives {@code calls} "calls" from this thread (a task schedules the reply 200 µs later, as a
   * peer's answer would arrive); returns how many times the driving thread spun for its reply.
   */
  static long callSpins(int calls) throws Exception {
    DrivenIoEventLoop loop = new DrivenIoEventLoop("call-spin-probe", NioIoHandler.newFactory());
    try {
      for (int i = 0; i < calls; i++) {
        java.util.concurrent.CompletableFuture<Void> reply =
            new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> loop.schedule(() -> reply.complete(null), 200, TimeUnit.MICROSECONDS));
        loop.driveUntil(reply, false, 0, false);
        reply.get(10, TimeUnit.SECONDS);
      }
      return loop.callSpins(); // (read after the last drive: this thread held the role last)
    } finally {
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A client loop calls an echo server (a plain socket on another thread) {@code calls} times,
   * one call at a time, from the loop's home thread: each answer's arrival sends the next call,
   * with {@link NettyTransport#sendCall} ({@code asCall}) or as a plain message. Returns how many
   * times the client loop's home thread spun after a turn, for the answer. With
   * {@code waiters}, two threads wait in {@link DrivenIoEventLoop#driveUntil} meanwhile, more
   * than may drive (the home thread runs the loop for them, as for many blocking callers).
   */
  static long homeCallSpins(boolean asCall, int calls, boolean waiters) throws Exception {
    DrivenIoEventLoop loop = new DrivenIoEventLoop("home-call-probe", NioIoHandler.newFactory(),
        DrivenIoEventLoop.GRACE_NANOS, TimeUnit.SECONDS.toNanos(1), 1);
    java.util.concurrent.CompletableFuture<Void> release =
        new java.util.concurrent.CompletableFuture<>();
    List<Thread> waiting = new java.util.ArrayList<>();
    if (waiters) {
      // the home thread is kept busy until both wait: neither takes the loop (one alone might)
      java.util.concurrent.CountDownLatch bothWait = new java.util.concurrent.CountDownLatch(1);
      loop.execute(() -> {
        try {
          bothWait.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      for (int i = 0; i < 2; i++) {
        Thread w = new Thread(() -> loop.driveUntil(release, false, 0, false), "waiter-" + i);
        w.start();
        waiting.add(w);
      }
      while (loop.parkedWaiters() < 2) {
        Thread.sleep(1);
      }
      bothWait.countDown();
    }
    try (java.nio.channels.ServerSocketChannel server =
        java.nio.channels.ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread echo = new Thread(() -> {
        try (SocketChannel c = server.accept()) {
          for (int i = 0; i < calls; i++) {
            Serialize.write(c, text(Serialize.read(c).getRootAnyPointer().getAs(Text.FACTORY)
                .toString()));
          }
        } catch (java.io.IOException e) {
          // the client went away: its own check fails
        }
      }, "echo-server");
      echo.start();
      java.util.concurrent.CompletableFuture<Void> done =
          new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.atomic.AtomicReference<NettyTransport> transport =
          new java.util.concurrent.atomic.AtomicReference<>();
      Channel ch = new io.netty.bootstrap.Bootstrap().group(loop)
          .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
              NettyTransport t = new NettyTransport(c, null);
              c.pipeline().addLast(new FrameDecoder(1 << 20, ReaderOptions.DEFAULT),
                  new FrameEncoder(), t);
              t.start(new MessageTransport.Receiver() {
                private int answered;

                @Override
                public void onMessage(MessageReader m) {
                  String got = m.getRootAnyPointer().getAs(Text.FACTORY).toString();
                  if (!got.equals("call " + answered)) {
                    done.completeExceptionally(
                        new AssertionError("answer " + answered + " was " + got));
                    return;
                  }
                  if (++answered == calls) {
                    done.complete(null);
                  } else {
                    send(t, asCall, "call " + answered);
                  }
                }

                @Override
                public void onClosed(Throwable cause) {
                  done.completeExceptionally(new AssertionError("closed", cause));
                }
              });
              transport.set(t);
            }
          }).connect(server.getLocalAddress()).sync().channel();
      loop.execute(() -> send(transport.get(), asCall, "call 0")); // (connected: written)
      try {
        done.get(30, TimeUnit.SECONDS);
      } finally {
        ch.close().sync();
        echo.join(5000);
      }
      return loop.submit(loop::replySpins).get(10, TimeUnit.SECONDS);
    } finally {
      release.complete(null);
      for (Thread w : waiting) {
        w.join(5000);
      }
      loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** What {@link #homeCallSpins} tells the transport of the calls awaited. */
  private static int awaitedCalls = 1;

  private static void send(NettyTransport t, boolean asCall, String text) {
    if (asCall) {
      t.sendCall(text(text), awaitedCalls);
    } else {
      t.send(text(text));
    }
  }

  private static MessageBuilder text(String s) {
    MessageBuilder m = new MessageBuilder();
    m.getRootAnyPointer().setAs(Text.FACTORY, new Text.Reader(s));
    return m;
  }

  /**
   * Prints {@code yields=N} after 20 replies over TCP, or with {@code spins}, {@code spins=N}
   * after 200 replies over a Unix-domain socket; the other arguments: {@code spinsMany},
   * {@code pressureFiles}, {@code callSpins}, and {@code homeCallSpins} (calls from a client
   * loop's home thread), {@code homeCallSpinsPlain} (the same as plain messages),
   * {@code homeCallSpinsWaiters} (while two threads wait for the loop) and
   * {@code homeCallSpinsTwoAwaited} (each call said to be one of two awaited).
   *
   * @param args none, or one of the above
   * @throws Exception if the exchange fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("callSpins")) {
      System.out.println("callSpins=" + callSpins(50));
      return;
    }
    if (args.length > 0 && args[0].startsWith("homeCallSpins")) {
      // homeCallSpins: calls sent as calls; homeCallSpinsPlain: as plain messages;
      // homeCallSpinsWaiters: as calls while two threads wait for the loop;
      // homeCallSpinsTwoAwaited: as calls said to be one of two that await their answers
      boolean asCall = !args[0].equals("homeCallSpinsPlain");
      awaitedCalls = args[0].equals("homeCallSpinsTwoAwaited") ? 2 : 1;
      System.out.println("spins="
          + homeCallSpins(asCall, 2000, args[0].equals("homeCallSpinsWaiters")));
      return;
    }
    if (args.length > 0 && args[0].equals("spins")) {
      System.out.println("spins=" + counts(false, true, 200)[1]);
      return;
    }
    if (args.length > 0 && args[0].equals("spinsMany")) {
      System.out.println("spins=" + counts(false, true, 2000)[1]);
      return;
    }
    if (args.length > 0 && args[0].equals("pressureFiles")) {
      // the loop of counts(...) has ended: it must hold no /proc/pressure/cpu descriptor
      long spins = counts(false, true, 2000)[1];
      long open;
      try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        open = fds.filter(fd -> {
          try {
            return Files.readSymbolicLink(fd).toString().equals("/proc/pressure/cpu");
          } catch (java.io.IOException e) {
            return false; // the directory's own descriptor, closed meanwhile
          }
        }).count();
      }
      System.out.println("spins=" + (spins > 0 ? "some" : "none") + " open=" + open);
      return;
    }
    System.out.println("yields=" + exchange(true, true, 20));
  }
}
