@0xa1b2c3d4e5f60719;
using C = import "c.capnp";
struct Bee { c @0 :C.Cee; up @1 :import "../a.capnp".A; }
