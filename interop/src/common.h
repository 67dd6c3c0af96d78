// Helpers shared by the C++ interop peers (interop-server, interop-client).
// The same definitions are implemented on the Java side; see interop.capnp for the semantics.

#pragma once

#include <kj/common.h>
#include <kj/string.h>
#include <stdint.h>

namespace interop {

// 64-bit FNV-1a hash, used as the checksum of bigEcho's data; continuing from `h` (the hash of
// what came before) it checksums a stream of ByteSink writes.
constexpr uint64_t FNV_OFFSET = 0xcbf29ce484222325ull;
inline uint64_t fnv1a64(kj::ArrayPtr<const kj::byte> data, uint64_t h = FNV_OFFSET) {
  for (kj::byte b: data) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Byte i of the data bigEcho returns.
inline kj::byte replyByte(size_t i) { return static_cast<kj::byte>((i * 7 + 3) & 0xFF); }

// Byte i of write number `seq` in the streaming scenario.
inline kj::byte streamByte(uint32_t seq, size_t i) {
  return static_cast<kj::byte>((seq * 31 + i) & 0xFF);
}

// The reverse of an ASCII string.
inline kj::String reversed(kj::StringPtr s) {
  auto out = kj::heapString(s.size());
  for (size_t i = 0; i < s.size(); i++) out[i] = s[s.size() - 1 - i];
  return out;
}

}  // namespace interop
