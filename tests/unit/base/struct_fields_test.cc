// StructFields: the decoders' one way to read a struct's fields. A field
// past the bytes reads 0 and is counted, so no 0 is printed unread.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>

#include "ramsift/base/bytes.h"

using namespace ramsift;

TEST_CASE("StructFields: fields inside read, fields past the end are counted, strings bounded") {
  std::array<std::byte, 24> raw{};
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = std::byte(i + 1);
  raw[20] = std::byte{'a'};
  raw[21] = std::byte{'b'};
  raw[22] = std::byte{0};
  StructFields f(raw);
  CHECK(f.get<uint32_t>(0) == 0x04030201u);
  CHECK(f.get<uint64_t>(16) == 0x1800626114131211ull);
  CHECK(f.short_reads() == 0);
  CHECK(f.cstring(20, 4) == "ab");
  CHECK(f.cstring(20, 2) == "ab");  // no NUL within max: max bytes
  CHECK(f.short_reads() == 0);
  // Past the end, by one byte and by far (no overflow on a huge offset).
  CHECK(f.get<uint64_t>(17) == 0);
  CHECK(f.get<uint16_t>(~uint64_t{0}) == 0);
  CHECK(f.cstring(22, 16).empty());
  CHECK(f.short_reads() == 3);
}
