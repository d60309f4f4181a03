// The kernel's memory model in a dump: mem_section (SPARSEMEM, EXTREME or
// static), struct page for any pfn, pfn_valid() as the kernel computes it,
// pageblock migratetypes, buddy pages, and page_ext entries.
//
//   RAMSIFT_TRY(MemoryModel mm, MemoryModel::open(kernel));
//   if (mm.pfn_valid(pfn)) {
//     RAMSIFT_TRY(VirtAddr page, mm.page_address(pfn));        // the struct page
//     RAMSIFT_TRY(auto ext, mm.page_ext_address(pfn));           // nullopt: no page_ext
//   }
//
// Layouts come from DWARF (struct mem_section, struct page,
// mem_section_usage, page_ext_operations) and VMCOREINFO where the dump has
// it; constants the compiler folded away (SECTION_SIZE_BITS,
// pageblock_order) are derived from evidence, each noted where it is
// computed. All sections up to max_pfn are read once at open(): a few
// hundred small reads even for a 24 GB dump.
//
// FLATMEM kernels are refused (NotImplemented): none of our users' kernels
// use it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

// Offsets in struct page that the decoders read.
struct PageLayout {
  uint64_t size = 64;
  uint64_t flags = 0;
  uint64_t mapcount = 24;  // _mapcount / page_type (a union)
  uint64_t private_ = 40;
  uint64_t compound_head = 8;
  uint64_t refcount = 52;
  uint64_t mapping = 24;
  uint64_t index = 32;
  std::optional<uint64_t> memcg_data;  // CONFIG_MEMCG
};

struct MemSection {
  uint64_t section_mem_map = 0;  // raw: the encoded mem_map pointer and flag bits
  VirtAddr usage;                // struct mem_section_usage *
  VirtAddr page_ext;             // raw (biased by the section's first pfn; bit 0 invalid on 6.1+)
  bool present() const { return section_mem_map & 1; }
};

// How PageBuddy() reads page_type (it moved twice).
enum class PageTypeRule {
  InvertedBit,  // <= 6.10: (page_type & (0xf0000000 | bit)) == 0xf0000000, PG_buddy 0x80
  Base80,       // 6.11: base 0x80000000, PG_buddy 0x40000000 (cleared bit means set)
  TopByte,      // 6.12+: (page_type >> 24) == PGTY_buddy
};

class MemoryModel {
 public:
  static Result<MemoryModel> open(const Kernel& kernel);

  const Kernel& kernel() const { return *kernel_; }
  uint64_t min_low_pfn() const { return min_low_pfn_; }
  uint64_t max_pfn() const { return max_pfn_; }
  unsigned section_size_bits() const { return section_size_bits_; }
  uint64_t pages_per_section() const { return uint64_t{1} << pfn_section_shift_; }
  // Buddy orders: LENGTH(zone.free_area) (MAX_ORDER, then NR_PAGE_ORDERS).
  unsigned nr_orders() const { return nr_orders_; }
  uint64_t max_order_nr_pages() const { return uint64_t{1} << (nr_orders_ - 1); }
  unsigned pageblock_order() const { return pageblock_order_; }
  const PageLayout& page_layout() const { return page_; }
  PageTypeRule page_type_rule() const { return page_type_rule_; }
  std::string memory_model_name() const;

  // nullopt when the section does not exist (no root, out of range).
  std::optional<MemSection> section(uint64_t section_nr) const;
  std::optional<MemSection> section_of_pfn(uint64_t pfn) const { return section(pfn >> pfn_section_shift_); }
  // The kernel's pfn_valid() (generic SPARSEMEM, subsections with VMEMMAP).
  bool pfn_valid(uint64_t pfn) const;
  // The struct page of pfn: the section's mem_map + pfn.
  Result<VirtAddr> page_address(uint64_t pfn) const;
  // The inverse, for `ramsift page page:0x...`: nullopt if no section maps it.
  std::optional<uint64_t> pfn_of_page(VirtAddr page) const;
  // get_pageblock_migratetype(): an index into migratetype_names.
  Result<unsigned> pageblock_migratetype(uint64_t pfn) const;
  // PageBuddy() from the page_type word (page->_mapcount).
  bool is_buddy(uint32_t page_type) const;
  // node=/zone= from page->flags need the field widths: see kernel_names.h.

  // page_ext: nullopt when the kernel has no page_ext for this pfn (no
  // section, NULL or invalid pointer).
  bool has_page_ext() const { return page_ext_member_.has_value(); }
  uint64_t page_ext_size() const { return page_ext_size_; }
  Result<std::optional<VirtAddr>> page_ext_address(uint64_t pfn) const;
  // Sections that read inconsistent (a mem_map that is not the vmemmap, flags
  // without a mem_map, a usage without a section...): each left out of the
  // model, named here with its address. The walk reports them.
  const std::vector<Error>& problems() const { return problems_; }

 private:
  void check_sections(std::span<const VirtAddr> section_at);
  void bad_section(uint64_t nr, VirtAddr at, const std::string& why);

  const Kernel* kernel_ = nullptr;
  uint64_t min_low_pfn_ = 0, max_pfn_ = 0;
  unsigned section_size_bits_ = 27, pfn_section_shift_ = 15;
  unsigned nr_orders_ = 11, pageblock_order_ = 9;
  PageLayout page_;
  PageTypeRule page_type_rule_ = PageTypeRule::InvertedBit;
  uint32_t pgty_buddy_ = 0xf0;
  bool vmemmap_ = true;
  uint64_t section_map_mask_ = ~uint64_t{0x3f};
  bool page_ext_invalid_bit_ = false;
  bool pageblock_msb_first_ = false;         // pageblock flags from the word's top bit (before 5.9)
  std::optional<uint64_t> page_ext_member_;  // offsetof(struct mem_section, page_ext)
  uint64_t page_ext_size_ = 0;
  uint64_t usage_subsection_map_ = 0, usage_pageblock_flags_ = 0, usage_size_ = 0;
  unsigned nr_pageblock_bits_ = 4;
  uint64_t migratetype_mask_ = 7;
  std::vector<std::optional<MemSection>> sections_;  // by section number, up to max_pfn's
  std::vector<Error> problems_;
};

}  // namespace ramsift
