// The KASLR record that Qualcomm's bootloader keeps in IMEM (OCIMEM.BIN in
// a ramdump directory; step 4 of Kernel::open()'s KASLR chain): the magic
// 0xdead4ead, then the KASLR offset as a little-endian u64, at IMEM base +
// 0x6d0 on the SoCs we know, else at any 4-byte aligned place.
//
//   if (auto found = find_imem_kaslr(imem_bytes)) found->kaslr_offset;
//
// A pure function over the file's bytes, so the parsing is unit-tested and
// fuzzed without a dump.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ramsift {

struct ImemKaslr {
  uint64_t file_offset = 0;  // where the magic is
  uint64_t kaslr_offset = 0;
};

std::optional<ImemKaslr> find_imem_kaslr(std::span<const std::byte> imem);

}  // namespace ramsift
