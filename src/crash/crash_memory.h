// The dump crash opened, as a ramsift Dump: physical reads go through
// crash's readmem(PHYSADDR), so ramsift reads every format crash reads.
//
//   RAMSIFT_TRY(auto dump, CrashMemory::open());
//   Kernel::open(*dump, options);   // as with any other Dump
//
// Reads are batched: a read of more than a page is one readmem() call (the
// walker's page_ext and struct page ranges), and single pages are kept in a
// small cache, so a walk over consecutive pfns costs one readmem() per page
// of struct pages or page_ext entries, not one per field. A page crash
// cannot read is NoData (crash does not tell excluded from missing).
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "ramsift/dump/dump.h"

namespace ramsift::crash {

class CrashMemory final : public Dump {
 public:
  static Result<std::unique_ptr<CrashMemory>> open();

  std::span<const PhysRange> ranges() const override { return ranges_; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override;

  // With RAMSIFT_CRASH_STATS set in crash's environment, prints the reads
  // and readmem() calls on stderr (docs/crash.md's numbers).
  ~CrashMemory() override;

 private:
  CrashMemory() = default;
  struct CachedPage {
    uint64_t address = UINT64_MAX;  // page-aligned; UINT64_MAX: empty
    uint64_t last_used = 0;
    bool readable = false;
    std::vector<std::byte> bytes;
  };
  // The cached page at `page` (aligned), read on a miss.
  const CachedPage& page_at(uint64_t page) const;

  std::vector<PhysRange> ranges_;
  uint64_t page_size_ = 4096;
  // Fully associative, least recently used out: the walk's working set is a
  // few pages (struct pages, page_ext entries, the page tables above both,
  // stack depot pools) whose addresses may collide in any direct mapping.
  static constexpr size_t kCachePages = 64;
  mutable std::array<CachedPage, kCachePages> cache_;
  mutable uint64_t clock_ = 0;
  mutable uint64_t reads_ = 0, readmem_calls_ = 0;
  // readmem() is not thread-safe; PhysicalMemory must be.
  mutable std::mutex mutex_;
};

}  // namespace ramsift::crash
