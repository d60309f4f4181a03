// find_imem_kaslr(): the Qualcomm IMEM KASLR record (step 4 of the chain).
#include "kernel/qualcomm_imem.h"

#include <doctest/doctest.h>

#include <vector>

using namespace ramsift;

namespace {

void put_record(std::vector<std::byte>& imem, size_t at, uint32_t magic, uint64_t offset) {
  for (int i = 0; i < 4; ++i) imem[at + i] = static_cast<std::byte>((magic >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) imem[at + 4 + i] = static_cast<std::byte>((offset >> (8 * i)) & 0xff);
}

}  // namespace

TEST_CASE("imem: the record at 0x6d0 wins over one found earlier in the file") {
  std::vector<std::byte> imem(0x1000);
  put_record(imem, 0x100, 0xdead4ead, 0x1111000);
  put_record(imem, 0x6d0, 0xdead4ead, 0x28600000);
  auto found = find_imem_kaslr(imem);
  REQUIRE(found);
  CHECK(found->file_offset == 0x6d0);
  CHECK(found->kaslr_offset == 0x28600000);
}

TEST_CASE("imem: elsewhere, the first 4-byte aligned record") {
  std::vector<std::byte> imem(0x1000);
  put_record(imem, 0x102, 0xdead4ead, 0x1);  // unaligned: not a record
  put_record(imem, 0x204, 0xdead4ead, 0x2000000);
  put_record(imem, 0x300, 0xdead4ead, 0x3000000);
  auto found = find_imem_kaslr(imem);
  REQUIRE(found);
  CHECK(found->file_offset == 0x204);
  CHECK(found->kaslr_offset == 0x2000000);
}

TEST_CASE("imem: no record, a truncated one, an empty file") {
  std::vector<std::byte> imem(0x6d8);
  put_record(imem, 0x100, 0xdead4eac, 0x1000);  // wrong magic
  // A magic whose offset runs past the end of the file.
  for (int i = 0; i < 4; ++i) imem[0x6d4 + i] = static_cast<std::byte>((0xdead4eadu >> (8 * i)) & 0xff);
  CHECK_FALSE(find_imem_kaslr(imem));
  CHECK_FALSE(find_imem_kaslr({}));
  CHECK_FALSE(find_imem_kaslr(std::span(imem).first(11)));
}
