package dev.capnp.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capnp.examples.rpc.EchoApi.Echo;
import dev.capnp.rpc.Await;
import dev.capnp.rpc.RpcException;
import dev.capnp.testing.ManualRpcPair;
import dev.capnp.testing.ReferenceLeakCheck;
import dev.capnp.testing.RpcPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The guide's "Testing your services" (step 10), with capnp-testing's pairs and leak check. */
@Timeout(60)
@ExtendWith(ReferenceLeakCheck.class)
class EchoServiceTest {
  @Test
  void pingOverTheProtocolInMemoryAndOverLoopback() {
    try (RpcPair pair = RpcPair.inMemory(new EchoService(0, null));
        Echo.Client echo = pair.client(Echo.Client::new)) {
      assertThat(EchoClient.ping(echo, "x")).isEqualTo("echo:x");
    }
    try (RpcPair pair = RpcPair.loopback(new EchoService(0, null));
        Echo.Client echo = pair.client(Echo.Client::new)) {
      assertThat(EchoClient.ping(echo, "y")).isEqualTo("echo:y");
      assertThatThrownBy(() -> Await.result(echo.getLoggerRequest().send()))
          .isInstanceOf(RpcException.class).hasMessage("This echo service has no logger");
    }
  }

  @Test
  void deterministic() {
    try (ManualRpcPair pair = ManualRpcPair.start(new EchoService(0, null));
        Echo.Client echo = pair.client(Echo.Client::new)) {
      var request = echo.pingRequest();
      request.getParams().setMsg("x");
      var reply = request.send();
      assertThat(reply).isNotDone();
      try (var response = pair.await(reply)) {
        assertThat(response.get().getReply().toString()).isEqualTo("echo:x");
      }
    }
  }
}
