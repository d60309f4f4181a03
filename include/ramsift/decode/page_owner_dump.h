// page_owner records from a dump, found exactly as the kernel's own reader
// of /sys/kernel/debug/page_owner finds them (mm/page_owner.c
// read_page_owner()):
//   - pfns from min_low_pfn (or a --pfn-range start, as the file's lseek)
//     to max_pfn; a MAX_ORDER-aligned block that is not pfn_valid() is
//     skipped whole, and after each record the next read starts at pfn + 1
//     with the same "find a valid pfn or an aligned one" prologue;
//   - free buddy blocks are jumped over by their order (page->private);
//   - a record needs page_ext with PAGE_EXT_OWNER and
//     PAGE_EXT_OWNER_ALLOCATED, a pfn aligned to its order (tail pages of
//     a high-order block are skipped), and a non-zero handle.
// Then the fields print_page_owner() prints: line 1 from struct page_owner
// (whose members, from DWARF, say which format the kernel prints), the PFN
// line's migratetypes and page flags (names from the dump's tables), the
// last migrate reason and the memcg lines.
//
//   RAMSIFT_TRY(auto walker, PageOwnerWalker::open(kernel, model, names, depot, {}));
//   PageOwnerRecord r;  PageOwnerFrames frames;
//   while (walker.next(r, frames)) ...   // frames.alloc: addresses, innermost first
//
// next() sets every field of the record but the two text stacks (stack,
// free_stack), which stay as they were for the symbolizer to overwrite
// (DumpRecords::symbolize) without allocating: the frames are the stacks.
//
// With `freed`, pages whose last owner freed them are also returned
// (PageOwnerRecord::freed set): what __dump_page_owner() would tell about
// them. Buddy pages are then not skipped.
//
// Unreadable pieces (a struct page or page_ext entry not in the dump, a bad
// stack handle) skip that pfn and are counted in stats() and named in
// problems() (the first 100; the count is exact).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramsift/decode/kernel_names.h"
#include "ramsift/decode/memory_model.h"
#include "ramsift/decode/page_owner.h"
#include "ramsift/decode/stack_depot.h"

namespace ramsift {

struct PageOwnerWalkOptions {
  // The records whose block [pfn, pfn + 2^order) overlaps [first_pfn,
  // end_pfn), as --pfn-range A-B (A..B inclusive: end_pfn = B + 1) means in
  // every command (analysis/filter.h PfnRange).
  uint64_t first_pfn = 0;           // 0: min_low_pfn, as reading from offset 0
  std::optional<uint64_t> end_pfn;  // exclusive; default max_pfn
  bool freed = false;
};

struct PageOwnerFrames {
  std::span<const uint64_t> alloc;  // empty when the handle could not be decoded
  std::span<const uint64_t> free;   // the last free stack (free_handle), when asked for
};

struct PageOwnerWalkStats {
  uint64_t pfns_visited = 0;
  uint64_t records = 0;
  uint64_t pages = 0;
  uint64_t unreadable_pages = 0;     // struct page not in the dump
  uint64_t unreadable_page_ext = 0;  // page_ext entry not in the dump
  uint64_t bad_handles = 0;          // stack depot handles that did not decode
  uint64_t problems = 0;
};

// Where the fields are in struct page_owner (from DWARF).
struct PageOwnerLayout {
  uint64_t size = 0;
  uint64_t order = 0, last_migrate_reason = 0, gfp_mask = 0, handle = 0, free_handle = 0;
  std::optional<uint64_t> ts_nsec, free_ts_nsec, comm, pid, tgid, free_pid, free_tgid;
  uint64_t comm_size = 16;
};

class PageOwnerWalker {
 public:
  // NotFound with a clear message when the kernel has no page_owner or it
  // was not enabled at boot (page_owner=on).
  static Result<PageOwnerWalker> open(const Kernel& kernel, const MemoryModel& model, const KernelNames& names,
                                      const StackDepot& depot, const PageOwnerWalkOptions& options);

  bool next(PageOwnerRecord& record, PageOwnerFrames& frames);
  // The format the dump's kernel prints its debugfs file in.
  PageOwnerTextFormat text_format() const { return format_; }
  const PageOwnerLayout& layout() const { return layout_; }
  uint64_t page_owner_offset() const { return owner_offset_; }
  const PageOwnerWalkStats& stats() const { return stats_; }
  const std::vector<Error>& problems() const { return problems_; }
  // The pfn the walk is at (for progress).
  uint64_t position() const { return pfn_; }
  uint64_t begin() const { return begin_; }
  uint64_t end() const { return end_; }

  // A walker over [first, end) of this walk's pfns, with its own position,
  // stats and problems: one per thread (symbolize/chunked_walk.h). first
  // and end lie on max_order_nr_pages() boundaries (no block spans two
  // parts), or are this walk's own begin and end. The records it finds are
  // the ones this walker finds there, in the same order.
  PageOwnerWalker part(uint64_t first, uint64_t end) const;
  // Adds a finished part's counts and problems, as one walk would have them
  // when the parts are absorbed in pfn order.
  void absorb(const PageOwnerWalker& part);

  // One pfn's page_owner data regardless of the walk's rules (`ramsift
  // page`): nullopt when it has no page_ext or no OWNER bit.
  struct PageOwnerState {
    bool owner = false, allocated = false;
    uint64_t ext_flags = 0;
  };
  Result<std::optional<PageOwnerState>> read_one(uint64_t pfn, PageOwnerRecord& record, PageOwnerFrames& frames);

 private:
  PageOwnerWalker() = default;
  void problem(Error e);
  Result<bool> fill(uint64_t pfn, std::span<const std::byte> page, std::span<const std::byte> owner,
                    PageOwnerRecord& record, PageOwnerFrames& frames, bool allocated);
  void memcg_lines(std::span<const std::byte> page, PageOwnerRecord& record);
  // gfp and page-flags texts by value: a walk sees few distinct ones.
  using TextCache = std::unordered_map<uint64_t, std::string>;
  static const std::string& cached_text(TextCache& cache, uint64_t key, const std::function<std::string()>& make);
  TextCache gfp_texts_, page_flags_texts_;
  // What one memcg_data value prints (the "Slab cache page" or "Charged" line).
  struct MemcgOf {
    bool slab = false;
    std::optional<MemcgCharge> charge;
    std::optional<Error> error;
  };
  MemcgOf resolve_memcg(uint64_t data) const;
  std::unordered_map<uint64_t, MemcgOf> memcg_by_data_;

  const Kernel* kernel_ = nullptr;
  const MemoryModel* model_ = nullptr;
  const KernelNames* names_ = nullptr;
  const StackDepot* depot_ = nullptr;
  PageOwnerWalkOptions options_;
  PageOwnerTextFormat format_;
  PageOwnerLayout layout_;
  uint64_t owner_offset_ = 0;  // page_owner_ops.offset
  uint64_t ext_owner_bit_ = 0, ext_allocated_bit_ = 1;
  uint64_t pfn_ = 0, begin_ = 0, end_ = 0;
  PageOwnerWalkStats stats_;
  std::vector<Error> problems_;

  // memcg (CONFIG_MEMCG), by evidence.
  struct Memcg {
    bool enabled = false;
    bool objexts = false;    // 6.10+: bit 0 is MEMCG_DATA_OBJEXTS
    bool all_objcg = false;  // print_page_owner_memcg() reads every value as an objcg (6.10-6.12)
    uint64_t flags_mask = 3;
    uint64_t css_flags = 0, css_cgroup = 0, cgroup_kn = 0, kn_parent = 0, kn_name = 0, objcg_memcg = 0;
    uint64_t css_online = 2;
  } memcg_;
  std::vector<std::byte> page_buf_, ext_buf_;
};

}  // namespace ramsift
