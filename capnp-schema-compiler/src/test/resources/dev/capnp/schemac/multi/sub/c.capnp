@0xa1b2c3d4e5f6071a;
struct Cee { x @0 :Int32; }
const cc :Cee = (x = 5);
