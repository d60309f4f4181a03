// Fuzzes the ELF core reader on in-memory bytes: parsing, ranges() and
// reads at every range's edges must never crash, read out of bounds or
// break the ranges() contract.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "dump/elf_core.h"

using ramsift::PhysAddr;
using ramsift::dump_formats::ElfCore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto core = ElfCore::parse(bytes, "fuzz.elf");
  if (!core) return 0;
  std::byte buf[64];
  const auto ranges = (*core)->ranges();
  for (size_t i = 0; i < ranges.size(); ++i) {
    // Sorted and disjoint, never empty.
    if (ranges[i].size == 0) std::abort();
    if (i > 0 && ranges[i].start < ranges[i - 1].end()) std::abort();
    for (PhysAddr a : {ranges[i].start, ranges[i].end() - 1, ranges[i].end() - sizeof buf}) {
      auto n = (*core)->read(a, buf);
      if (n && (*n == 0 || *n > sizeof buf)) std::abort();
    }
  }
  (void)(*core)->read(PhysAddr{0}, buf);
  return 0;
}
