// Kernel virtual memory: a Translator over a PhysicalMemory.
//
//   VirtualMemory vm(memory, translator, TranslationMode::FastPath);
//   std::byte buf[256];
//   Result<size_t> n = vm.read(VirtAddr{0xffff888012345678}, buf);
//   RAMSIFT_TRY_STATUS(vm.read_exact(va, buf));
//
// read() follows PhysicalMemory's contract (ramsift/dump/memory.h): it
// returns how many bytes it read from va on, stops at the first byte that
// cannot be read (unmapped, excluded, outside the dump), and fails only when
// the very first byte cannot be read: Fault for an unmapped address, NoData
// for a page (or a page-table page) not in the dump, Corrupt for a bad table.
// A read crosses page boundaries; each mapping (page, block, fast-path
// range) is read from physical memory in one call.
//
// Modes:
//   - Walk:     every translation walks the page tables (cached).
//   - FastPath: addresses in a fast path (linear / direct map, kernel image)
//               are translated by subtraction; the rest are walked.
//   - Checked:  both; a fast path that disagrees with the walk makes the
//               read fail with Corrupt naming both answers. For tests and
//               for --paranoid runs.
//
// Successful walks are kept in a small direct-mapped cache keyed by page.
// A VirtualMemory is safe to use from several threads (the cache is behind
// a mutex); one per thread avoids the contention.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

#include "ramsift/arch/translate.h"
#include "ramsift/base/bytes.h"

namespace ramsift {

enum class TranslationMode { Walk, FastPath, Checked };

class VirtualMemory {
 public:
  // Both must outlive the VirtualMemory.
  VirtualMemory(const PhysicalMemory& physical, const Translator& translator,
                TranslationMode mode = TranslationMode::Walk)
      : physical_(physical), translator_(translator), mode_(mode) {}
  VirtualMemory(const VirtualMemory&) = delete;
  VirtualMemory& operator=(const VirtualMemory&) = delete;

  const PhysicalMemory& physical() const { return physical_; }
  const Translator& translator() const { return translator_; }
  TranslationMode mode() const { return mode_; }

  // One address, by the mode's rules. A fast-path answer reports the base
  // page size.
  Result<Translation> translate(VirtAddr va) const;

  // See the file comment for the contract.
  Result<size_t> read(VirtAddr va, std::span<std::byte> out) const;
  // Exactly out.size() bytes, or the error of the first unreadable byte.
  Status read_exact(VirtAddr va, std::span<std::byte> out) const;
  // A kernel word (a pointer, an unsigned long) in the given byte order.
  Result<uint64_t> read_u64(VirtAddr va, Endian endian = Endian::Little) const;

  struct CacheStats {
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  CacheStats cache_stats() const;

 private:
  static constexpr size_t kCacheSize = 64;
  struct CacheEntry {
    bool valid = false;
    VirtAddr va_start;  // start of the mapping
    Translation translation;
  };

  // One contiguous physical piece at va: its address and how far it goes.
  struct Piece {
    PhysAddr pa;
    uint64_t length = 0;
  };
  Result<Piece> piece_at(VirtAddr va) const;
  Result<Translation> walk_cached(VirtAddr normalized) const;
  Result<Translation> walk_checked(VirtAddr normalized) const;

  const PhysicalMemory& physical_;
  const Translator& translator_;
  TranslationMode mode_;

  mutable std::array<std::mutex, kCacheSize> slot_mutex_;
  mutable std::array<CacheEntry, kCacheSize> cache_{};
  mutable std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace ramsift
