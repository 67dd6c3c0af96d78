package dev.capnp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The benchmark twins compare like with like: every round of the Cap'n Proto address book and
 * of its protobuf-java twin walks to the same sum (same data), whichever way it is built and
 * read. Not timed.
 */
class AddressBookTwinsTest {
  @Test
  void everyRoundOfBothTwinsWalksTheSameData() throws Exception {
    AddressBookBenchmark capnp = new AddressBookBenchmark();
    capnp.people = 10;
    capnp.prepare();
    ProtobufAddressBookBenchmark protobuf = new ProtobufAddressBookBenchmark();
    protobuf.people = 10;
    protobuf.prepare();
    long expected = protobuf.walkOnly();
    assertThat(expected).isGreaterThan(10 * 20);
    assertThat(protobuf.readWalk()).isEqualTo(expected);
    assertThat(protobuf.buildSerializeRead()).isEqualTo(expected);
    assertThat(capnp.walkOnly()).isEqualTo(expected);
    assertThat(capnp.walkOnlyReusingReaders()).isEqualTo(expected);
    assertThat(capnp.walkOnlyCursors()).isEqualTo(expected);
    assertThat(capnp.walkOnlyCursors()).isEqualTo(expected);
    assertThat(capnp.readWalkCursors()).isEqualTo(expected);
    assertThat(capnp.buildSerializeReadSized()).isEqualTo(expected);
    assertThat(capnp.buildSerializeReadSized()).isEqualTo(expected);
    assertThat(capnp.readWalk()).isEqualTo(expected);
    assertThat(capnp.unpackRead()).isEqualTo(expected);
    assertThat(capnp.buildSerializeRead()).isEqualTo(expected);
    assertThat(capnp.buildSerializeReadPacked()).isEqualTo(expected);
    assertThat(capnp.buildSerializeReadReusing()).isEqualTo(expected);
    assertThat(capnp.buildSerializeReadReusing()).isEqualTo(expected);
  }
}
