package dev.capnp.schemac;

import java.util.List;

/** A method's implicit generic parameters, visible while compiling its parameter types. */
record ImplicitParams(long scopeId, List<String> names) {
  static final ImplicitParams NONE = new ImplicitParams(0, List.of());
}
