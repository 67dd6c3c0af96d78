@0xa1b2c3d4e5f60718;
using B = import "sub/b.capnp";
struct A { b @0 :B.Bee; c @1 :import "sub/c.capnp".Cee; }
