// Fuzzes the kdump-compressed reader on in-memory bytes, plain or
// flattened: opening, ranges() and reads of a few pages (decompression
// included) must never crash, read out of bounds or break the ranges()
// contract.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "dump/diskdump.h"

using ramsift::PhysAddr;
using ramsift::dump_formats::DiskdumpInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  ramsift::OpenOptions options;
  options.cache_pages = 4;
  auto dump = ramsift::dump_formats::diskdump_open_bytes({DiskdumpInput{"fuzz.kdump", bytes}}, options);
  if (!dump) return 0;
  std::vector<std::byte> buf((*dump)->info().page_size + 16);
  const auto ranges = (*dump)->ranges();
  size_t reads = 0;
  for (size_t i = 0; i < ranges.size() && reads < 64; ++i) {
    if (ranges[i].size == 0) std::abort();
    if (i > 0 && ranges[i].start < ranges[i - 1].end()) std::abort();
    for (PhysAddr a : {ranges[i].start, ranges[i].start + ranges[i].size / 2, ranges[i].end() - 1}) {
      ++reads;
      auto n = (*dump)->read(a, buf);
      if (n && (*n == 0 || *n > buf.size())) std::abort();
      // Twice: the second comes from the cache and must agree.
      std::vector<std::byte> again(buf.size());
      auto m = (*dump)->read(a, again);
      if (bool(n) != bool(m) || (n && (*n != *m || !std::equal(buf.begin(), buf.begin() + *n, again.begin()))))
        std::abort();
    }
  }
  (void)(*dump)->read(PhysAddr{0}, buf);
  return 0;
}
