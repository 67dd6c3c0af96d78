package dev.capnp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each shape's Cap'n Proto and protobuf-java rounds walk the same data. Not timed. */
class ShapesTwinsTest {
  @Test
  void bothRoundsOfEveryShapeWalkToTheSameChecksum() throws Exception {
    assertThat(Shapes.ALL).containsOnlyKeys("wide", "tree", "doubles", "blob", "text");
    for (var e : Shapes.ALL.entrySet()) {
      long capnp = e.getValue().capnp();
      assertThat(capnp).as(e.getKey()).isNotZero().isEqualTo(e.getValue().protobuf());
    }
  }
}
