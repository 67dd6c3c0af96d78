@0xa1b2c3d4e5f60718;
# A schema without $Java.package (needs --package).

struct Thing {
  name @0 :Text;
}
