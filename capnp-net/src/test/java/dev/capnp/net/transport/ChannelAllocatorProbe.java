package dev.capnp.net.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Prints which allocator {@link NettyPlatform#channelAllocator()} chose in this JVM:
 * {@code default} (Netty's default) or {@code pooled} (Netty's pooled allocator, where the
 * default is another); for {@link ChannelAllocatorTest}, which runs it in JVMs started with and
 * without native access. With the argument {@code epoll-first} it loads Netty's native epoll
 * library before asking (as an application that used Netty before its first vat would).
 */
final class ChannelAllocatorProbe {
  private ChannelAllocatorProbe() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("epoll-first")) {
      io.netty.channel.epoll.Epoll.isAvailable();
    }
    ByteBufAllocator chosen = NettyPlatform.channelAllocator();
    System.out.println(chosen == ByteBufAllocator.DEFAULT ? "default"
        : chosen == PooledByteBufAllocator.DEFAULT ? "pooled" : "other " + chosen);
  }
}
