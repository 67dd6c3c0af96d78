@0xb3c4d5e6f7a8091b;
# A schema without annotations whose file name matches a type it declares.

struct Thing {
  name @0 :Text;
}
