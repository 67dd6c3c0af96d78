package dev.capnp.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capnp.rpc.EventLoop;
import dev.capnp.rpc.RpcException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local promise's ownership of its target around its release. */
class QueuedClientTest {
  private EventLoop loop;

  @BeforeEach
  void newLoop() {
    loop = EventLoop.manual();
  }

  @AfterEach
  void closeLoop() {
    loop.close();
  }

  @Test
  void releasedWhileResolvingReleasesItsTargetOnce() {
    // (found by the handoff fuzz target: a whenResolved() wait that held the last reference to
    // a third-party capability let it go when the capability's queue resolved)
    ClientHook target = new BrokenClient(loop, RpcException.failed("target"));
    QueuedClient q = new QueuedClient(loop, "promise");
    q.resolutionSignal().add(q::release); // the last reference goes while it resolves
    q.resolve(target.addRef());
    loop.runPending();
    assertThat(target.refCount()).isEqualTo(1);
    target.release();
  }

  @Test
  void releasedBeforeResolvingReleasesItsTargetWhenItResolves() {
    ClientHook target = new BrokenClient(loop, RpcException.failed("target"));
    QueuedClient q = new QueuedClient(loop, "promise");
    q.release();
    loop.runPending();
    q.resolve(target.addRef());
    assertThat(target.refCount()).isEqualTo(1);
    target.release();
  }
}
