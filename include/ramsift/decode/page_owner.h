// One page_owner record: what the kernel knows about one allocated block of
// pages, as plain data. Filled by the debugfs text reader
// (page_owner_text.h) today and by the dump decoder later; everything above
// the decode layer sees only this struct, never where it came from.
//
//   PageOwnerRecord r;
//   while (source.next(r)) total_pages += r.pages();
//
// Field availability depends on the kernel (see PageOwnerTextFormat): a field
// that a kernel does not have is left at its "absent" value (nullopt, empty).
// The text fields (gfp_flags, page_flags_text, stack frames) hold exactly what
// the kernel prints, so a record can be printed back byte for byte.
//
// How to add a kernel version whose debugfs text changes:
//   1. Read print_page_owner() in mm/page_owner.c of that version and compare
//      each format string with docs/top.md ("Record format by kernel").
//   2. Add a PageOwnerLine1 value (or a new flag in PageOwnerTextFormat) and
//      teach src/decode/page_owner_text.cc to parse and print it.
//   3. Add a synthetic sample under tests/data/page_owner/ and a round-trip
//      test in tests/unit/decode/page_owner_text_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ramsift {

// The "Charged ... memcg NAME" line (5.18+ with CONFIG_MEMCG).
struct MemcgCharge {
  bool via_objcg = false;  // "(via objcg) ": charged through an obj_cgroup (kmem)
  bool online = true;      // false prints "offline "
  std::string name;        // cgroup_name(): "/" for the root, else the last path component
};

struct PageOwnerRecord {
  uint64_t pfn = 0;
  unsigned order = 0;
  uint32_t gfp_mask = 0;
  std::string gfp_flags;                 // %pGg: "GFP_KERNEL|__GFP_COMP", "" when the mask is 0
  std::optional<int32_t> pid;            // 5.11+
  std::optional<int32_t> tgid;           // 5.18+
  std::string comm;                      // 5.18+ (empty before), at most TASK_COMM_LEN-1 bytes from a kernel
  std::optional<uint64_t> ts_nsec;       // 5.11+
  std::optional<uint64_t> free_ts_nsec;  // 5.11+ in struct page_owner; printed 5.11-6.7 only

  // The PFN line: migratetype names as the kernel's migratetype_names[] spells them.
  std::string page_migratetype;       // of the gfp mask: "Unmovable", "Movable", ...
  uint64_t pageblock = 0;             // pfn >> pageblock_order
  std::string pageblock_migratetype;  // of the pageblock: "Movable", "CMA", ...
  uint64_t page_flags = 0;            // page->flags
  std::string page_flags_text;        // %pGp between the parentheses: "uptodate|lru|node=0|zone=2"

  // The allocation stack, innermost frame first, each exactly as %pS prints it:
  // "func+0x1c/0x80", "func+0x1c/0x80 [module]", or a bare "0xffffffffc0a01234".
  std::vector<std::string> stack;
  std::optional<uint32_t> stack_handle;  // depot_stack_handle_t; unknown for text input

  // The last free (dumps only): what __dump_page_owner() prints after "page
  // last free ... stack trace:". `freed` marks a record whose pages are not
  // allocated now (ramsift page-owner --freed).
  bool freed = false;
  std::optional<uint32_t> free_stack_handle;
  std::optional<int32_t> free_pid, free_tgid;  // 6.8+
  std::vector<std::string> free_stack;

  std::optional<std::string> last_migrate_reason;  // migrate_reason_names[]: "compaction", ...
  bool slab_cache_page = false;                    // the "Slab cache page" line (memcg_data has OBJCGS/OBJEXTS)
  std::optional<MemcgCharge> memcg;

  uint64_t pages() const { return order < 64 ? uint64_t{1} << order : 0; }

  // Member by member (strings and vectors trade their buffers): how the
  // walk's threads hand records to the reader without copying them.
  friend void swap(PageOwnerRecord& a, PageOwnerRecord& b) noexcept {
    using std::swap;
    swap(a.pfn, b.pfn);
    swap(a.order, b.order);
    swap(a.gfp_mask, b.gfp_mask);
    a.gfp_flags.swap(b.gfp_flags);
    swap(a.pid, b.pid);
    swap(a.tgid, b.tgid);
    a.comm.swap(b.comm);
    swap(a.ts_nsec, b.ts_nsec);
    swap(a.free_ts_nsec, b.free_ts_nsec);
    a.page_migratetype.swap(b.page_migratetype);
    swap(a.pageblock, b.pageblock);
    a.pageblock_migratetype.swap(b.pageblock_migratetype);
    swap(a.page_flags, b.page_flags);
    a.page_flags_text.swap(b.page_flags_text);
    a.stack.swap(b.stack);
    swap(a.stack_handle, b.stack_handle);
    swap(a.freed, b.freed);
    swap(a.free_stack_handle, b.free_stack_handle);
    swap(a.free_pid, b.free_pid);
    swap(a.free_tgid, b.free_tgid);
    a.free_stack.swap(b.free_stack);
    swap(a.last_migrate_reason, b.last_migrate_reason);
    swap(a.slab_cache_page, b.slab_cache_page);
    swap(a.memcg, b.memcg);
  }
};

// How a kernel prints the first line of a record.
enum class PageOwnerLine1 {
  Order,       // 5.4-5.10:  "Page allocated via order %u, mask %#x(%pGg)"
  PidFreeTs,   // 5.11-5.17: "..., pid %d, ts %llu ns, free_ts %llu ns"
  TgidFreeTs,  // 5.18-6.7:  "..., pid %d, tgid %d (%s), ts %llu ns, free_ts %llu ns"
  Tgid,        // 6.8+:      "..., pid %d, tgid %d (%s), ts %llu ns"
};

// The text variant of /sys/kernel/debug/page_owner one kernel prints, so the
// same records can be printed again exactly as that kernel would.
struct PageOwnerTextFormat {
  PageOwnerLine1 line1 = PageOwnerLine1::Tgid;
  bool pfn_hex = true;  // "PFN 0x%lx" (6.6+) instead of "PFN %lu"

  bool has_pid() const { return line1 != PageOwnerLine1::Order; }
  bool has_tgid() const { return line1 == PageOwnerLine1::TgidFreeTs || line1 == PageOwnerLine1::Tgid; }
  bool has_free_ts() const { return line1 == PageOwnerLine1::PidFreeTs || line1 == PageOwnerLine1::TgidFreeTs; }
  bool operator==(const PageOwnerTextFormat&) const = default;
};

// The format of a named mainline release series, for tests (the dump decoder
// decides by evidence, version_facts.h):
// "6.1" -> TgidFreeTs + decimal PFN, "6.12" -> Tgid + hex PFN.
PageOwnerTextFormat page_owner_text_format_of(unsigned major, unsigned minor);

}  // namespace ramsift
