package dev.capnp.schemac;

/** Checks that ordinals, visited in sorted order, are 0, 1, 2... with no gap or duplicate. */
final class OrdinalChecker {
  private final Module module;
  private long expected;
  private Declaration last;

  OrdinalChecker(Module module) {
    this.module = module;
  }

  void check(Declaration decl) {
    if (decl.ordinal < expected) {
      module.error(decl.ordinalStart, decl.ordinalEnd, "Duplicate ordinal number.");
      if (last != null) {
        module.error(last.ordinalStart, last.ordinalEnd,
            "Ordinal @" + last.ordinal + " originally used here.");
        last = null;
      }
    } else if (decl.ordinal > expected) {
      module.error(decl.ordinalStart, decl.ordinalEnd, "Skipped ordinal @" + expected
          + ".  Ordinals must be sequential with no holes.");
      expected = decl.ordinal + 1;
    } else {
      expected++;
      last = decl;
    }
  }
}
