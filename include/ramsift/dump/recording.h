// A Dump that remembers which pages were read through it: `ramsift
// extract` runs an analysis through one, then writes only those pages.
//
//   RecordingDump rec(*dump, 4096);
//   ... Kernel::open(rec, ...), walk ...
//   rec.pages();     // sorted page frame numbers (at the given page size)
#pragma once

#include <cstdint>
#include <mutex>
#include <set>

#include "ramsift/dump/dump.h"

namespace ramsift {

class RecordingDump final : public Dump {
 public:
  RecordingDump(const Dump& inner, uint64_t page_size) : inner_(inner), page_size_(page_size) {
    info_ = inner.info();
    problems_ = inner.problems();
  }
  std::span<const PhysRange> ranges() const override { return inner_.ranges(); }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    auto n = inner_.read(addr, out);
    if (n && *n) {
      std::lock_guard lock(mutex_);
      for (uint64_t pfn = addr.value() / page_size_; pfn <= (addr.value() + *n - 1) / page_size_; ++pfn)
        pages_.insert(pfn);
    }
    return n;
  }
  std::set<uint64_t> pages() const {
    std::lock_guard lock(mutex_);
    return pages_;
  }

 private:
  const Dump& inner_;
  uint64_t page_size_;
  mutable std::mutex mutex_;
  mutable std::set<uint64_t> pages_;
};

}  // namespace ramsift
