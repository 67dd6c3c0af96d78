@0xf024b0e117ae25e2;
# Names reached through `using` aliases: capnp-java eval follows them as capnp eval does.

using Ev = import "evaltest.capnp";
using Shared = import "/shared.capnp";
using T = Ev.S;
using c = Ev.s;
using cc = c;  # an alias of an alias
using first = .Ev.ls;
using Point = Shared.Point;

struct Box {
  using Inner = T;  # found in the enclosing (file) scope
  using k = Ev.e;
  inner :group {
    x @0 :Int32 = 4;
  }
  struct Deeper {
    using up = cc;
    using Box = Ev.S;  # shadows the outer Box inside Deeper
    using ViaShadow = Box;
  }
}

const local :T = (a = 11, inner = (t = "local"));
using localAlias = local;
