// Fuzz target: Kallsyms::decode over fuzzer bytes as kernel memory.
//
// Input: a 16-byte header, then the memory, mapped at kBase.
//   byte 0       bit 0: kallsyms_addresses[] (absolute) instead of
//                kallsyms_offsets[] + kallsyms_relative_base; bit 1: 32-bit
//   bytes 2..15  seven little-endian u16: where num_syms, names, token_table,
//                token_index, offsets (or addresses) and relative_base are,
//                as offsets into the memory; the last is a lookup address
// Past the memory's end come 64 KiB of zeros, as the .rodata that follows
// the real tables (the names are read in 64 KiB chunks); beyond that
// nothing is mapped.
//
// Invariants checked: symbols come out sorted; every name is found by
// address_of(); lookup() returns a symbol at or below the address.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "ramsift/kernel/kallsyms.h"

using namespace ramsift;

namespace {

constexpr uint64_t kBase = 0xffffffff82000000;
constexpr size_t kHeader = 16;
constexpr uint64_t kZeroTail = 64 * 1024;

uint16_t le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  std::span<const uint8_t> memory(data + kHeader, size - kHeader);
  auto at = [&](int field) { return VirtAddr(kBase + le16(data + 2 + 2 * field)); };
  KallsymsTables where;
  where.num_syms = at(0);
  where.names = at(1);
  where.token_table = at(2);
  where.token_index = at(3);
  if (data[0] & 1) {
    where.addresses = at(4);
  } else {
    where.offsets = at(4);
    where.relative_base = at(5);
  }
  where.pointer_size = (data[0] & 2) ? 4 : 8;

  KernelReader read = [&](VirtAddr va, std::span<std::byte> out) -> Result<size_t> {
    if (va.value() < kBase || va.value() - kBase >= memory.size() + kZeroTail) return fault("unmapped");
    uint64_t off = va.value() - kBase;
    size_t n;
    if (off < memory.size()) {
      n = std::min<size_t>(out.size(), memory.size() - off);
      std::memcpy(out.data(), memory.data() + off, n);
    } else {
      n = std::min<size_t>(out.size(), memory.size() + kZeroTail - off);
      std::memset(out.data(), 0, n);
    }
    return n;
  };
  auto syms = Kallsyms::decode(where, read);
  if (!syms) return 0;

  const auto& all = syms->symbols();
  for (size_t i = 1; i < all.size(); ++i)
    if (all[i].address < all[i - 1].address) __builtin_trap();
  for (const KernelSymbol& s : all)
    if (!syms->address_of(s.name)) __builtin_trap();
  (void)syms->has_data_symbols();
  uint64_t probe = at(6).value();
  for (uint64_t address : {probe, all.front().address, all.back().address, all.back().address + 1}) {
    auto hit = syms->lookup(address);
    if (hit && (hit->symbol->address > address || hit->offset != address - hit->symbol->address)) __builtin_trap();
  }
  syms->relocate(0x1000);
  return 0;
}
