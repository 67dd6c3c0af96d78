package dev.capnp.net.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Prints which allocator {@link NettyPlatform#channelAllocator()} chose in this JVM:
 * {@code default} (Netty's default) or {@code pooled} (Netty's pooled allocator, where the
 * default is another); for {@link ChannelAllocatorTest}, which runs it in JVMs started with and
 * without native access.
 */
final class ChannelAllocatorProbe {
  private ChannelAllocatorProbe() {
  }

  public static void main(String[] args) {
    ByteBufAllocator chosen = NettyPlatform.channelAllocator();
    System.out.println(chosen == ByteBufAllocator.DEFAULT ? "default"
        : chosen == PooledByteBufAllocator.DEFAULT ? "pooled" : "other " + chosen);
  }
}
