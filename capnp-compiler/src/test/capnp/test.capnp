@0xc4d2a8e6f1b30c55;
# Test schema for capnpc-java: one of every construct.

using Java = import "/capnp/java.capnp";
using Imp = import "imported.capnp";
$Java.package("dev.capnp.compiler.test");
$Java.outerClassname("TestSchema");

enum Color {
  # A colour.
  red @0;
  green @1;
  darkBlue @2;  # Dark blue.
}

struct AllTypes {
  # Every field type once.
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
  textField @12 :Text;   # Some text.
  dataField @13 :Data;
  structField @14 :AllTypes;
  enumField @15 :Color;
  anyField @16 :AnyPointer;
  voidList @17 :List(Void);
  boolList @18 :List(Bool);
  int8List @19 :List(Int8);
  int16List @20 :List(Int16);
  int32List @21 :List(Int32);
  int64List @22 :List(Int64);
  uint8List @23 :List(UInt8);
  uint16List @24 :List(UInt16);
  uint32List @25 :List(UInt32);
  uint64List @26 :List(UInt64);
  float32List @27 :List(Float32);
  float64List @28 :List(Float64);
  textList @29 :List(Text);
  dataList @30 :List(Data);
  structList @31 :List(AllTypes);
  enumList @32 :List(Color);
  listList @33 :List(List(Int32));
  anyStruct @34 :AnyStruct;
  capField @35 :Capability;
  point @36 :Imp.Point;
  shade @37 :Imp.Shade;
  anyListField @38 :AnyList;
  capabilityField @39 :Capability;
}

struct Defaults {
  boolField @0 :Bool = true;
  int8Field @1 :Int8 = -12;
  int16Field @2 :Int16 = -1234;
  int32Field @3 :Int32 = -123456;
  int64Field @4 :Int64 = -123456789012345;
  uint8Field @5 :UInt8 = 234;
  uint16Field @6 :UInt16 = 45678;
  uint32Field @7 :UInt32 = 3456789012;
  uint64Field @8 :UInt64 = 12345678901234567890;
  float32Field @9 :Float32 = 1234.5;
  float64Field @10 :Float64 = -1.25e-100;
  textField @11 :Text = "foo";
  dataField @12 :Data = 0x"62 61 72";
  structField @13 :AllTypes = (int32Field = 7, textField = "nested", int32List = [1, 2]);
  enumField @14 :Color = darkBlue;
  int32List @15 :List(Int32) = [3, 4, 5];
  textList @16 :List(Text) = ["a", "bc"];
  structList @17 :List(Imp.Point) = [(x = 1, y = 2), (x = 3)];
  float32Nan @18 :Float32 = nan;
  float64Inf @19 :Float64 = -inf;
}

struct Unions {
  union {
    intValue @0 :Int32;
    textValue @1 :Text;
    nothing @2 :Void;
    groupValue :group {
      a @3 :UInt16;
      b @4 :Text;
    }
  }
  named :union {
    flag @5 :Bool;
    point @6 :Imp.Point;
    color @7 :Color = green;
  }
  plain :group {
    p @8 :UInt16;
    q @9 :Text;
    inner :union {
      left @10 :Int64;
      right @11 :List(Text);
    }
  }
}

struct Box(T) {
  # A generic box.
  value @0 :T;
  values @1 :List(Box(T));
}

struct Pair(Key, Value) {
  key @0 :Key;
  value @1 :Value;
  swapped @2 :Pair(Value, Key);
}

struct Outer(T) {
  struct Inner {
    t @0 :T;
    self @1 :Outer(T);
  }
  inner @0 :Inner;
  deep :group {
    t2 @1 :T;
  }
}

struct UsesGenerics {
  boxText @0 :Box(Text);
  boxBox @1 :Box(Box(Data));
  pair @2 :Pair(Text, AllTypes);
  listBox @3 :List(Box(Text));
  unbound @4 :Box;
  inner @5 :Outer(Text).Inner;
  wrapped @6 :Imp.Wrapper(Box(Text));
  listListBox @7 :List(List(Box(Data)));
}

struct Keywords {
  class @0 :Int32;
  package @1 :Text;
  new @2 :Bool;
  hashCode @3 :Int32;
  getClass @4 :Int32;
  struct Reader {
    x @0 :Int32;
  }
  const typeId :Int32 = 5;
}

const intConst :Int32 = -42;
const uint64Const :UInt64 = 18446744073709551615;
const floatConst :Float32 = 0.5;
const boolConst :Bool = true;
const textConst :Text = "hello \"world\"\n";
const dataConst :Data = 0x"00 ff 10";
const enumConst :Color = green;
const structConst :AllTypes = (int32Field = 99, textField = "const", enumList = [red, darkBlue]);
const listConst :List(Imp.Point) = [(x = 5, y = 6)];
const boxConst :Box(Text) = (value = "boxed");
const bigConst :List(Int64) = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100];
