#include "ramsift/base/bytes.h"

#include <doctest/doctest.h>

#include <array>

using namespace ramsift;

TEST_CASE("ByteReader reads little and big endian within bounds") {
  std::array<std::byte, 8> data{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
  ByteReader r(data, "test");
  CHECK(*r.u16(0) == 0x0201);
  CHECK(*r.u32(4) == 0x08070605);
  r.set_endian(Endian::Big);
  CHECK(*r.u16(0) == 0x0102);
  CHECK(*r.u64(0) == 0x0102030405060708ull);
}

TEST_CASE("ByteReader refuses reads past the end and names the offset") {
  std::array<std::byte, 8> data{};
  ByteReader r(data, "hdr", 0x100);
  auto v = r.u64(4);
  REQUIRE_FALSE(v);
  CHECK(v.error().code() == ErrorCode::Corrupt);
  CHECK(v.error().to_string() == "hdr: offset 0x104: need 8 bytes, only 4 left (truncated?)");
  CHECK_FALSE(r.sub(UINT64_MAX, 2));  // overflow-checked
  auto s = r.sub(2, 4);
  REQUIRE(s);
  CHECK(s->base_offset() == 0x102);
  CHECK_FALSE(s->u32(1));
}
