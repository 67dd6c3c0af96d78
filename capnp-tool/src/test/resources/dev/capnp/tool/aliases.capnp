@0xc3d9e2f1a4b50617;
# Root types reachable only through `using` aliases (capnp-java decode/encode must accept them).

using PointAlias = import "/shared.capnp".Point;
using Tool = import "tooltest.capnp";
using StyleAlias = Tool.Shape.Style;
using WrappedText = Tool.Wrapper(Text);

struct Holder {
  value @0 :Int32;
  using Inner = Holder;
}

using H = Holder;
