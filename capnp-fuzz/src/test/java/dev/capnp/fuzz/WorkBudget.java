package dev.capnp.fuzz;

/**
 * A deterministic bound on the work a harness does for one input: every field read, list element
 * visited or byte printed spends units, and exceeding the bound is a finding (an
 * {@link AssertionError}, which Jazzer reports as a crash). Unlike a wall-clock timeout, the
 * bound does not depend on machine load, so findings reproduce exactly.
 */
final class WorkBudget {
  private final long limit;
  private final String what;
  private long spent;

  /** A budget of {@code limit} units for the activity described by {@code what}. */
  WorkBudget(long limit, String what) {
    this.limit = limit;
    this.what = what;
  }

  /** Spends {@code units}; fails once more than the limit has been spent. */
  void spend(long units) {
    spent += units;
    if (spent > limit) {
      throw new AssertionError("unbounded work: " + what + " spent more than " + limit
          + " units although the reader's traversal limit should have stopped it");
    }
  }

  /** Units spent so far. */
  long spent() {
    return spent;
  }
}
