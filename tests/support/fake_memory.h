// A fake PhysicalMemory for unit tests: a map of 4 KiB page buffers.
//
//   FakePhysicalMemory mem;
//   mem.set_u64(PhysAddr{0x1000}, 0x2003);  // creates the page, zero-filled
//   mem.exclude(PhysAddr{0x5000});          // described, contents absent
//
// Pages that were never touched are outside every range (read: Fault);
// excluded pages are inside a range but read as NoData, as makedumpfile's
// excluded pages do. read() follows PhysicalMemory's contract: it stops at
// the first unreadable byte and fails only on the first.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "ramsift/dump/memory.h"

namespace ramsift::testing {

class FakePhysicalMemory : public PhysicalMemory {
 public:
  static constexpr uint64_t kPage = 4096;

  // Stores value little-endian (or big-endian) at addr, creating its page.
  void set_u64(PhysAddr addr, uint64_t value, bool big_endian = false) {
    for (int i = 0; i < 8; ++i) {
      int shift = big_endian ? 8 * (7 - i) : 8 * i;
      set_byte(addr + static_cast<uint64_t>(i), static_cast<std::byte>((value >> shift) & 0xff));
    }
  }
  void set_byte(PhysAddr addr, std::byte value) { page(addr)[addr.value() % kPage] = value; }
  // Fills [addr, addr + size) with byte (addr & 0xff) ^ seed, page by page.
  void fill(PhysAddr addr, uint64_t size, uint8_t seed) {
    for (uint64_t i = 0; i < size; ++i) set_byte(addr + i, pattern(addr + i, seed));
  }
  static std::byte pattern(PhysAddr addr, uint8_t seed) {
    return static_cast<std::byte>((addr.value() & 0xff) ^ ((addr.value() >> 12) & 0xff) ^ seed);
  }
  // The page holding addr: described by ranges(), its bytes absent.
  void exclude(PhysAddr addr) {
    uint64_t pfn = addr.value() / kPage;
    pages_.erase(pfn);
    excluded_[pfn] = true;
    rebuild_ranges();
  }

  std::span<const PhysRange> ranges() const override { return ranges_; }

  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      uint64_t at = addr.value() + done;
      uint64_t pfn = at / kPage;
      auto it = pages_.find(pfn);
      if (it == pages_.end()) {
        if (done > 0) break;
        if (excluded_.count(pfn)) return no_data("page " + hex(pfn * kPage) + " excluded from the dump");
        return fault("pa " + hex(at) + " outside the dump");
      }
      size_t offset = at % kPage;
      size_t n = std::min<size_t>(kPage - offset, out.size() - done);
      std::memcpy(out.data() + done, it->second.data() + offset, n);
      done += n;
    }
    ++*reads_;
    return done;
  }

  uint64_t reads() const { return *reads_; }

 private:
  std::array<std::byte, kPage>& page(PhysAddr addr) {
    uint64_t pfn = addr.value() / kPage;
    auto [it, inserted] = pages_.try_emplace(pfn);
    if (inserted) {
      it->second.fill(std::byte{0});
      excluded_.erase(pfn);
      rebuild_ranges();
    }
    return it->second;
  }
  void rebuild_ranges() {
    std::vector<uint64_t> pfns;
    for (const auto& [pfn, bytes] : pages_) pfns.push_back(pfn);
    for (const auto& [pfn, flag] : excluded_) pfns.push_back(pfn);
    std::sort(pfns.begin(), pfns.end());
    ranges_.clear();
    for (uint64_t pfn : pfns) {
      if (!ranges_.empty() && ranges_.back().end() == PhysAddr(pfn * kPage)) {
        ranges_.back().size += kPage;
      } else {
        ranges_.push_back({PhysAddr(pfn * kPage), kPage});
      }
    }
  }

  std::map<uint64_t, std::array<std::byte, kPage>> pages_;
  std::map<uint64_t, bool> excluded_;
  std::vector<PhysRange> ranges_;
  // Behind a pointer so the memory stays movable.
  std::unique_ptr<std::atomic<uint64_t>> reads_ = std::make_unique<std::atomic<uint64_t>>(0);
};

}  // namespace ramsift::testing
