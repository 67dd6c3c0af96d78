@0xc5f1a7e3b9d20461;
# Test schema for the dynamic layer and the text format (compared against the capnp tool).

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Box(T) {
  value @0 :T;
  label @1 :Text;
}

struct Pair(K, V) {
  key @0 :K;
  value @1 :V;
}

interface Service {
  ping @0 () -> ();
}

struct Small {
  a @0 :Int32;
  b @1 :Text;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :AllTypes;
  enumField @15 :Color;
  anyField @16 :AnyPointer;
  capField @17 :Service;

  voidList @18 :List(Void);
  boolList @19 :List(Bool);
  int8List @20 :List(Int8);
  int16List @21 :List(Int16);
  int32List @22 :List(Int32);
  int64List @23 :List(Int64);
  uint8List @24 :List(UInt8);
  uint16List @25 :List(UInt16);
  uint32List @26 :List(UInt32);
  uint64List @27 :List(UInt64);
  float32List @28 :List(Float32);
  float64List @29 :List(Float64);
  textList @30 :List(Text);
  dataList @31 :List(Data);
  structList @32 :List(Small);
  enumList @33 :List(Color);
  listList @34 :List(List(Int32));
  textListList @35 :List(List(Text));
  structListList @36 :List(List(Small));
}

struct Defaults {
  i32 @0 :Int32 = -123;
  u16 @1 :UInt16 = 65000;
  b @2 :Bool = true;
  f32 @3 :Float32 = 1.5;
  f64 @4 :Float64 = -2.25e10;
  t @5 :Text = "default text";
  d @6 :Data = 0x"de ad";
  e @7 :Color = blue;
  s @8 :Small = (a = 7, b = "seven");
  l @9 :List(Int16) = [1, 2, 3];
  i8 @10 :Int8 = -5;
  u64 @11 :UInt64 = 18446744073709551615;
}

struct Unions {
  before @0 :Int32;
  union {
    first @1 :Int32;
    second @2 :Text;
    third @3 :Small;
    fourth @4 :Void;
    fifth @5 :List(Int32);
  }
  middle @6 :Text;
  grp :group {
    x @7 :Int16;
    y @8 :Text;
    inner :union {
      p @9 :UInt8;
      q @10 :Bool;
    }
  }
  after @11 :Float64;
  named :union {
    n1 @12 :Text;
    n2 @13 :Int64;
  }
}

struct PtrUnion {
  union {
    t @0 :Text;
    n @1 :Int32;
  }
}

struct PtrUnionV2 {
  # PtrUnion with a union member added later (read back as PtrUnion: unknown discriminant).
  union {
    t @0 :Text;
    n @1 :Int32;
    extra @2 :Int32;
  }
  color @3 :UInt16;
}

struct EnumHolder {
  # Same layout as PtrUnionV2's 'color', read as an enum: values beyond the schema.
  union {
    t @0 :Text;
    n @1 :Int32;
  }
  color @2 :Color;
}

struct AnyHolder {
  p @0 :AnyPointer;
}

struct AnyHolderAsText {
  p @0 :Text;
}

struct Empty {}

struct Generics {
  textBox @0 :Box(Text);
  smallBox @1 :Box(Small);
  listBox @2 :Box(List(Int32));
  pair @3 :Pair(Text, Small);
  nested @4 :Box(Box(Text));
  anyBox @5 :Box;
  boxes @6 :List(Box(Text));
}

struct Outer {
  struct Inner {
    value @0 :Text;
    struct Deepest {
      n @0 :UInt32;
    }
  }
  inner @0 :Inner;
  deepest @1 :Inner.Deepest;
}
