@0xa1b2c3d4e5f60789;
# Imports dyntest.capnp: used to check that SchemaFile imports are followed.

using Dyn = import "dyntest.capnp";

struct UsesImport {
  small @0 :Dyn.Small;
  color @1 :Dyn.Color;
  box @2 :Dyn.Box(Text);
}
