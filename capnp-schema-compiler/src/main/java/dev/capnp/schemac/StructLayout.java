package dev.capnp.schemac;

import java.util.ArrayList;
import java.util.List;

/**
 * Places struct fields in the data and pointer sections exactly as the C++ compiler does, so
 * that a schema compiled here is wire-compatible with one compiled by {@code capnp compile}.
 *
 * <p>Sizes are log2 of bits (0 = 1 bit ... 6 = 64 bits); offsets are in units of the field's
 * size. The top level keeps, for each size, at most one hole left over from splitting a larger
 * slot. A union allocates shared slots ("data locations") from its parent; each member of the
 * union (a group) packs its fields into those shared slots, expanding them when it can.
 */
final class StructLayout {
  private static final int HOLE_SIZES = 6;

  /**
   * A layout the C++ compiler refuses (it would have been computed wrongly by Cap'n Proto 0.5;
   * see capnproto issue 344).
   */
  static final class Issue344Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final String MESSAGE = "Bad news: Cap'n Proto 0.5.x and previous contained a bug "
        + "which would cause this schema to be compiled incorrectly. Please see: "
        + "https://github.com/sandstorm-io/capnproto/issues/344";

    Issue344Exception() {
      super(MESSAGE, null, false, false);
    }
  }

  /** Free slots, at most one per size: {@code holes[s]} is an offset, 0 meaning none. */
  static final class HoleSet {
    final int[] holes = new int[HOLE_SIZES];

    /** Takes a hole of {@code lgSize}, splitting a larger one if needed; -1 when none. */
    int tryAllocate(int lgSize) {
      if (lgSize >= HOLE_SIZES) {
        return -1;
      }
      if (holes[lgSize] != 0) {
        int result = holes[lgSize];
        holes[lgSize] = 0;
        return result;
      }
      int next = tryAllocate(lgSize + 1);
      if (next < 0) {
        return -1;
      }
      int result = next * 2;
      holes[lgSize] = result + 1;
      return result;
    }

    /** Records the holes left after placing a field of {@code lgSize} at the start of a slot. */
    void addHolesAtEnd(int lgSize, int offset, int limitLgSize) {
      while (lgSize < limitLgSize) {
        holes[lgSize] = offset;
        lgSize++;
        offset = (offset + 1) / 2;
      }
    }

    /** Grows the field at {@code oldOffset} in place by {@code factor} doublings, if free. */
    boolean tryExpand(int oldLgSize, int oldOffset, int factor) {
      if (factor == 0) {
        return true;
      }
      if (oldLgSize == HOLE_SIZES) {
        return false;
      }
      if (holes[oldLgSize] != oldOffset + 1) {
        return false;
      }
      if (tryExpand(oldLgSize + 1, oldOffset >> 1, factor - 1)) {
        holes[oldLgSize] = 0;
        return true;
      }
      return false;
    }

    /** The smallest size at least {@code size} that has a hole, or -1. */
    int smallestAtLeast(int size) {
      for (int i = size; i < HOLE_SIZES; i++) {
        if (holes[i] != 0) {
          return i;
        }
      }
      return -1;
    }
  }

  /** Where fields of one struct or group go. */
  interface StructOrGroup {
    void addVoid();

    int addData(int lgSize);

    int addPointer();

    boolean tryExpandData(int oldLgSize, int oldOffset, int expansionFactor);
  }

  /** The struct itself. */
  static final class Top implements StructOrGroup {
    int dataWordCount;
    int pointerCount;
    final HoleSet holes = new HoleSet();

    @Override
    public void addVoid() {}

    @Override
    public int addData(int lgSize) {
      int hole = holes.tryAllocate(lgSize);
      if (hole >= 0) {
        return hole;
      }
      int offset = dataWordCount++ << (6 - lgSize);
      holes.addHolesAtEnd(lgSize, offset + 1, HOLE_SIZES);
      return offset;
    }

    @Override
    public int addPointer() {
      return pointerCount++;
    }

    @Override
    public boolean tryExpandData(int oldLgSize, int oldOffset, int expansionFactor) {
      return holes.tryExpand(oldLgSize, oldOffset, expansionFactor);
    }
  }

  /** A slot a union took from its parent, shared by the union's members. */
  static final class DataLocation {
    int lgSize;
    int offset;

    DataLocation(int lgSize, int offset) {
      this.lgSize = lgSize;
      this.offset = offset;
    }

    boolean tryExpandTo(Union union, int newLgSize) {
      if (newLgSize <= lgSize) {
        return true;
      }
      if (union.parent.tryExpandData(lgSize, offset, newLgSize - lgSize)) {
        offset >>= (newLgSize - lgSize);
        lgSize = newLgSize;
        return true;
      }
      return false;
    }
  }

  /** A union: its discriminant and the slots its members share. */
  static final class Union {
    final StructOrGroup parent;
    int groupCount;
    int discriminantOffset = -1;
    final List<DataLocation> dataLocations = new ArrayList<>();
    final List<Integer> pointerLocations = new ArrayList<>();

    Union(StructOrGroup parent) {
      this.parent = parent;
    }

    int addNewDataLocation(int lgSize) {
      int offset = parent.addData(lgSize);
      dataLocations.add(new DataLocation(lgSize, offset));
      return offset;
    }

    int addNewPointerLocation() {
      int offset = parent.addPointer();
      pointerLocations.add(offset);
      return offset;
    }

    void newGroupAddingFirstMember() {
      if (++groupCount == 2) {
        addDiscriminant();
      }
    }

    /** Allocates the 16-bit discriminant unless done; true if this call did it. */
    boolean addDiscriminant() {
      if (discriminantOffset < 0) {
        discriminantOffset = parent.addData(4);
        return true;
      }
      return false;
    }
  }

  /** How one union member uses one of the union's shared slots. */
  static final class DataLocationUsage {
    boolean isUsed;
    int lgSizeUsed;
    final HoleSet holes = new HoleSet();

    DataLocationUsage() {}

    DataLocationUsage(int lgSize) {
      isUsed = true;
      lgSizeUsed = lgSize;
    }

    /** The size of the smallest hole that fits {@code lgSize} in this slot, or -1. */
    int smallestHoleAtLeast(DataLocation location, int lgSize) {
      if (!isUsed) {
        return lgSize <= location.lgSize ? location.lgSize : -1;
      } else if (lgSize >= lgSizeUsed) {
        return lgSize < location.lgSize ? lgSize : -1;
      }
      int hole = holes.smallestAtLeast(lgSize);
      if (hole >= 0) {
        return hole;
      }
      return lgSizeUsed < location.lgSize ? lgSizeUsed : -1;
    }

    int allocateFromHole(DataLocation location, int lgSize) {
      int result;
      if (!isUsed) {
        result = 0;
        isUsed = true;
        lgSizeUsed = lgSize;
      } else if (lgSize >= lgSizeUsed) {
        holes.addHolesAtEnd(lgSizeUsed, 1, lgSize);
        lgSizeUsed = lgSize + 1;
        result = 1;
      } else {
        int hole = holes.tryAllocate(lgSize);
        if (hole >= 0) {
          result = hole;
        } else {
          result = 1 << (lgSizeUsed - lgSize);
          holes.addHolesAtEnd(lgSize, result + 1, lgSizeUsed);
          lgSizeUsed += 1;
        }
      }
      int locationOffset = location.offset << (location.lgSize - lgSize);
      return locationOffset + result;
    }

    int tryAllocateByExpanding(Group group, DataLocation location, int lgSize) {
      if (!isUsed) {
        if (location.tryExpandTo(group.parent, lgSize)) {
          isUsed = true;
          lgSizeUsed = lgSize;
          return location.offset << (location.lgSize - lgSize);
        }
        return -1;
      }
      int newSize = Math.max(lgSizeUsed, lgSize) + 1;
      if (tryExpandUsage(group, location, newSize, true)) {
        int hole = holes.tryAllocate(lgSize);
        int locationOffset = location.offset << (location.lgSize - lgSize);
        return locationOffset + hole;
      }
      return -1;
    }

    boolean tryExpand(Group group, DataLocation location, int oldLgSize, int oldOffset,
        int expansionFactor) {
      if (oldOffset == 0 && lgSizeUsed == oldLgSize) {
        return tryExpandUsage(group, location, oldLgSize + expansionFactor, false);
      }
      return holes.tryExpand(oldLgSize, oldOffset, expansionFactor);
    }

    private boolean tryExpandUsage(Group group, DataLocation location, int desiredUsage,
        boolean newHoles) {
      if (desiredUsage > location.lgSize) {
        if (!location.tryExpandTo(group.parent, desiredUsage)) {
          return false;
        }
      }
      if (newHoles) {
        holes.addHolesAtEnd(lgSizeUsed, 1, desiredUsage);
      } else {
        throw new Issue344Exception();
      }
      lgSizeUsed = desiredUsage;
      return true;
    }
  }

  /** A member of a union (a group, or the implicit group around a single field). */
  static final class Group implements StructOrGroup {
    final Union parent;
    final List<DataLocationUsage> parentDataLocationUsage = new ArrayList<>();
    int parentPointerLocationUsage;
    boolean hasMembers;

    Group(Union parent) {
      this.parent = parent;
    }

    private void addMember() {
      if (!hasMembers) {
        hasMembers = true;
        parent.newGroupAddingFirstMember();
      }
    }

    @Override
    public void addVoid() {
      addMember();
      parent.parent.addVoid();
    }

    @Override
    public int addData(int lgSize) {
      addMember();
      int bestSize = Integer.MAX_VALUE;
      int bestLocation = -1;
      for (int i = 0; i < parent.dataLocations.size(); i++) {
        if (parentDataLocationUsage.size() == i) {
          parentDataLocationUsage.add(new DataLocationUsage());
        }
        int hole = parentDataLocationUsage.get(i)
            .smallestHoleAtLeast(parent.dataLocations.get(i), lgSize);
        if (hole >= 0 && hole < bestSize) {
          bestSize = hole;
          bestLocation = i;
        }
      }
      if (bestLocation >= 0) {
        return parentDataLocationUsage.get(bestLocation)
            .allocateFromHole(parent.dataLocations.get(bestLocation), lgSize);
      }
      for (int i = 0; i < parent.dataLocations.size(); i++) {
        int result = parentDataLocationUsage.get(i)
            .tryAllocateByExpanding(this, parent.dataLocations.get(i), lgSize);
        if (result >= 0) {
          return result;
        }
      }
      int result = parent.addNewDataLocation(lgSize);
      parentDataLocationUsage.add(new DataLocationUsage(lgSize));
      return result;
    }

    @Override
    public int addPointer() {
      addMember();
      if (parentPointerLocationUsage < parent.pointerLocations.size()) {
        return parent.pointerLocations.get(parentPointerLocationUsage++);
      }
      parentPointerLocationUsage++;
      return parent.addNewPointerLocation();
    }

    @Override
    public boolean tryExpandData(int oldLgSize, int oldOffset, int expansionFactor) {
      // Expanding a misaligned field is what Cap'n Proto 0.5 got wrong; the C++ compiler
      // refuses such schemas when the expansion would succeed, and so do we.
      boolean mustFail = oldLgSize + expansionFactor > 6
          || (oldOffset & ((1 << expansionFactor) - 1)) != 0;
      for (int i = 0; i < parentDataLocationUsage.size(); i++) {
        DataLocation location = parent.dataLocations.get(i);
        if (location.lgSize >= oldLgSize
            && oldOffset >> (location.lgSize - oldLgSize) == location.offset) {
          int localOldOffset = oldOffset - (location.offset << (location.lgSize - oldLgSize));
          boolean result = parentDataLocationUsage.get(i)
              .tryExpand(this, location, oldLgSize, localOldOffset, expansionFactor);
          if (mustFail && result) {
            throw new Issue344Exception();
          }
          return result;
        }
      }
      throw new IllegalStateException("Tried to expand field that was never allocated.");
    }
  }
}
