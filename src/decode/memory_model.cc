#include "ramsift/decode/memory_model.h"

#include <algorithm>
#include <bit>
#include <map>

#include "ramsift/kernel/version_facts.h"

namespace ramsift {

namespace {

// Section flag bits in section_mem_map (include/linux/mmzone.h), stable since v5.4.
constexpr uint64_t kSectionMarkedPresent = 1 << 0;
constexpr uint64_t kSectionHasMemMap = 1 << 1;
constexpr uint64_t kSectionIsOnline = 1 << 2;
constexpr uint64_t kSectionIsEarly = 1 << 3;
// Subsections are 2 MiB (SUBSECTION_SHIFT 21), since Linux kernel commit
// f1eca35a0dc7 ("mm/sparsemem: introduce struct mem_section_usage") (in v5.3).
constexpr unsigned kSubsectionShift = 21;

Result<uint64_t> member_offset(const TypeLayout& layout, std::string_view path) {
  RAMSIFT_TRY(Member m, layout.require(path));
  return m.offset;
}

}  // namespace

std::string MemoryModel::memory_model_name() const {
  return vmemmap_ ? "SPARSEMEM_VMEMMAP" : "SPARSEMEM";
}

Result<MemoryModel> MemoryModel::open(const Kernel& kernel) {
  MemoryModel mm;
  mm.kernel_ = &kernel;
  DwarfTypes& dwarf = kernel.dwarf();
  const std::optional<Vmcoreinfo>& vi = kernel.vmcoreinfo();
  const unsigned page_shift = kernel.layout().page_shift;

  RAMSIFT_TRY(mm.max_pfn_, kernel.read_variable("max_pfn", "mm/memblock.c"));
  RAMSIFT_TRY(mm.min_low_pfn_, kernel.read_variable("min_low_pfn", "mm/memblock.c"));

  // struct page.
  RAMSIFT_TRY(auto page, dwarf.layout("struct page", "mm/page_alloc.c"));
  mm.page_.size = page->size;
  RAMSIFT_TRY(mm.page_.flags, member_offset(*page, "flags"));
  RAMSIFT_TRY(mm.page_.mapcount, member_offset(*page, "_mapcount"));
  RAMSIFT_TRY(mm.page_.private_, member_offset(*page, "private"));
  RAMSIFT_TRY(mm.page_.compound_head, member_offset(*page, "compound_head"));
  RAMSIFT_TRY(mm.page_.refcount, member_offset(*page, "_refcount"));
  RAMSIFT_TRY(mm.page_.mapping, member_offset(*page, "mapping"));
  // page->index is __folio_index in newer kernels (6.19's mm_types.h:
  // FOLIO_MATCH(__folio_index, index)): whichever struct page has.
  RAMSIFT_TRY(mm.page_.index, member_offset(*page, page->member("__folio_index") ? "__folio_index" : "index"));
  if (auto m = page->member("memcg_data")) mm.page_.memcg_data = m->offset;

  // SECTION_SIZE_BITS is a macro: VMCOREINFO exports it since Linux kernel
  // commit 4f5aecdff25f ("crash_core, vmcoreinfo: append 'SECTION_SIZE_BITS' to
  // vmcoreinfo") (in v5.13). Else the DWARF tells it: struct
  // mem_section_usage.subsection_map is DECLARE_BITMAP(subsection_map,
  // SUBSECTIONS_PER_SECTION), 1 << (SECTION_SIZE_BITS - SUBSECTION_SHIFT)
  // bits with SUBSECTION_SHIFT 21 on every architecture: an array of more
  // than one long gives the bits exactly; one long, 64 subsections or fewer,
  // is 27 (the smallest SECTION_SIZE_BITS of x86_64 and arm64). Only without
  // either, the architecture's value by version.
  RAMSIFT_TRY(auto usage, dwarf.layout("struct mem_section_usage", "mm/sparse.c"));
  std::optional<unsigned> bits_from_dwarf;
  if (auto map = usage->member("subsection_map"); map && map->type.count && *map->type.count > 0) {
    uint64_t subsections = *map->type.count * 64;
    if (std::has_single_bit(subsections) && subsections <= (uint64_t{1} << 19))
      bits_from_dwarf = *map->type.count == 1 ? 27u : 21u + static_cast<unsigned>(std::countr_zero(subsections));
  }
  if (vi && vi->number("SECTION_SIZE_BITS")) {
    mm.section_size_bits_ = static_cast<unsigned>(*vi->number("SECTION_SIZE_BITS"));
    if (bits_from_dwarf && *bits_from_dwarf > 27 && *bits_from_dwarf != mm.section_size_bits_)
      return corrupt("VMCOREINFO says SECTION_SIZE_BITS " + std::to_string(mm.section_size_bits_) +
                     ", the DWARF's subsection_map " + std::to_string(*bits_from_dwarf));
  } else if (bits_from_dwarf) {
    mm.section_size_bits_ = *bits_from_dwarf;
  } else {
    mm.section_size_bits_ = kernel.arch().default_section_size_bits(kernel, page_shift);
  }
  if (mm.section_size_bits_ <= page_shift || mm.section_size_bits_ > 40)
    return corrupt("SECTION_SIZE_BITS " + std::to_string(mm.section_size_bits_) + " does not fit page size");
  mm.pfn_section_shift_ = mm.section_size_bits_ - page_shift;

  // Buddy orders: LENGTH(zone.free_area), else struct zone's array bound.
  if (vi && vi->length("zone.free_area")) {
    mm.nr_orders_ = static_cast<unsigned>(*vi->length("zone.free_area"));
  } else {
    RAMSIFT_TRY(auto zone, dwarf.layout("struct zone", "mm/page_alloc.c"));
    RAMSIFT_TRY(Member fa, zone->require("free_area"));
    if (!fa.type.count) return corrupt("struct zone.free_area has no array bound in DWARF");
    mm.nr_orders_ = static_cast<unsigned>(*fa.type.count);
  }
  if (mm.nr_orders_ < 1 || mm.nr_orders_ > 20)
    return corrupt("zone.free_area has " + std::to_string(mm.nr_orders_) + " orders");
  const unsigned max_order = mm.nr_orders_ - 1;  // MAX_PAGE_ORDER (MAX_ORDER - 1 before v6.4)

  // pageblock_order (include/linux/pageblock-flags.h) is a macro unless
  // CONFIG_HUGETLB_PAGE_SIZE_VARIABLE makes it a variable. With
  // CONFIG_HUGETLB_PAGE it is the huge page order (a PMD), capped at the
  // maximum order; 6.12 also uses the PMD order with transparent huge pages
  // alone; otherwise the maximum order.
  const unsigned pmd_order = page_shift - 3;  // PMD_SHIFT - PAGE_SHIFT on x86_64 and arm64
  if (kernel.symbol("pageblock_order")) {
    RAMSIFT_TRY(uint64_t v, kernel.read_variable("pageblock_order"));
    mm.pageblock_order_ = static_cast<unsigned>(v);
  } else if (kernel.symbol("hugetlb_report_meminfo")) {
    mm.pageblock_order_ = std::min(pmd_order, max_order);
  } else if (kernel.symbol("transparent_hugepage_flags") && version_says(kernel, VersionFact::PageblockOrderThpOnly)) {
    mm.pageblock_order_ = std::min(pmd_order, max_order);
  } else {
    mm.pageblock_order_ = max_order;
  }
  if (auto bits = dwarf.enumerator("NR_PAGEBLOCK_BITS", "mm/page_alloc.c"))
    mm.nr_pageblock_bits_ = static_cast<unsigned>(*bits);
  if (auto end = dwarf.enumerator("PB_migrate_end", "mm/page_alloc.c"))
    mm.migratetype_mask_ = (uint64_t{1} << (*end + 1)) - 1;
  // The bit order within a word: before 5.9 __get_pfnblock_flags_mask()
  // read (word >> (BITS_PER_LONG - bitidx - end_bitidx - 1)), its callers
  // passing end_bitidx; since, (word >> bitidx). The exported
  // get_pfnblock_flags_mask() keeps the parameter exactly as long.
  if (auto has = dwarf.function_has_local("get_pfnblock_flags_mask", "end_bitidx", "mm/page_alloc.c"))
    mm.pageblock_msb_first_ = *has;
  else
    mm.pageblock_msb_first_ = !version_says(kernel, VersionFact::PageblockBitsFromLsb);

  // PageBuddy(): by evidence where the kernel left some.
  // (mm/page_alloc.c's PageBuddy() uses enum pagetype where it exists.)
  if (auto pgty = dwarf.enumerator("PGTY_buddy", "mm/page_alloc.c", DwarfTypes::Scope::HintedUnits)) {
    // enum pagetype, Linux kernel commit 4ffca5a96678 ("mm: support only one page_type per page") (in v6.12).
    mm.page_type_rule_ = PageTypeRule::TopByte;
    mm.pgty_buddy_ = static_cast<uint32_t>(*pgty);
  } else if (version_says(kernel, VersionFact::PageTypeBase80)) {
    mm.page_type_rule_ = PageTypeRule::Base80;
  }

  // mem_section.
  mm.vmemmap_ = kernel.symbol("vmemmap_populate").has_value();
  if (auto last = dwarf.enumerator("SECTION_MAP_LAST_BIT", "mm/sparse.c"))
    mm.section_map_mask_ = ~((uint64_t{1} << *last) - 1);
  else  // 5.12-6.0: a macro, 1 << 5 (TAINT_ZONE_DEVICE); before: 1 << 4, and
        // bit 4 is then always clear: sparse_encode_mem_map()'s value is
        // mem_map - section_start_pfn, a multiple of sizeof(struct page)
        // (64) from a mem_map at least that aligned. One mask serves both.
    mm.section_map_mask_ = ~uint64_t{0x1f};
  RAMSIFT_TRY(auto ms, dwarf.layout("struct mem_section", "mm/sparse.c"));
  RAMSIFT_TRY(uint64_t map_off, member_offset(*ms, "section_mem_map"));
  RAMSIFT_TRY(uint64_t usage_off, member_offset(*ms, "usage"));
  if (auto m = ms->member("page_ext")) mm.page_ext_member_ = m->offset;
  RAMSIFT_TRY(mm.usage_subsection_map_, member_offset(*usage, "subsection_map"));
  mm.usage_size_ = usage->size;
  RAMSIFT_TRY(mm.usage_pageblock_flags_, member_offset(*usage, "pageblock_flags"));

  auto var = kernel.variable("mem_section", "mm/sparse.c");
  if (!var) return std::move(var).error().with_context("FLATMEM kernels are not supported (no mem_section)");
  const uint64_t ms_size = ms->size;
  // SPARSEMEM_EXTREME: struct mem_section **mem_section, roots of a page each.
  // Static SPARSEMEM: struct mem_section mem_section[ROOTS][SECTIONS_PER_ROOT].
  bool extreme = var->type.kind == TypeKind::Pointer;
  uint64_t sections_per_root = extreme ? kernel.page_size() / ms_size : 0;
  VirtAddr roots;
  uint64_t nr_roots = 0;
  if (extreme) {
    RAMSIFT_TRY(uint64_t p, kernel.read_u64(var->address));
    if (!p) return corrupt("mem_section is NULL");
    roots = VirtAddr(p);
    nr_roots = vi && vi->length("mem_section") ? *vi->length("mem_section") : UINT64_MAX;
  } else {
    if (!var->type.target || var->type.target->kind != TypeKind::Array || !var->type.target->count)
      return corrupt("mem_section has an unexpected type: " + var->type.to_string());
    sections_per_root = *var->type.target->count;
    nr_roots = var->type.count.value_or(0);
    roots = var->address;
  }
  if (!sections_per_root) return corrupt("mem_section: no sections per root");
  const uint64_t nr_sections = mm.max_pfn_ ? ((mm.max_pfn_ - 1) >> mm.pfn_section_shift_) + 1 : 0;
  if (nr_sections > (uint64_t{1} << 24)) return corrupt("max_pfn " + hex(mm.max_pfn_) + " is implausible");
  mm.sections_.resize(nr_sections);
  std::vector<std::byte> block(sections_per_root * ms_size);
  std::vector<VirtAddr> section_at(nr_sections);
  for (uint64_t root = 0; root * sections_per_root < nr_sections && root < nr_roots; ++root) {
    VirtAddr base;
    if (extreme) {
      RAMSIFT_TRY(uint64_t p, kernel.read_u64(roots + root * 8));
      // sparse_index_init() allocates the root of every section memblock
      // has memory in: those of min_low_pfn and max_pfn - 1 exist.
      const uint64_t first_root = (mm.min_low_pfn_ >> mm.pfn_section_shift_) / sections_per_root;
      if (!p && (root == first_root || root == (nr_sections - 1) / sections_per_root))
        mm.problems_.push_back(corrupt("mem_section root " + std::to_string(root) + " is NULL, but pfn " +
                                       hex(root == first_root ? mm.min_low_pfn_ : mm.max_pfn_ - 1) + " lies in it")
                                   .at_address(roots + root * 8));
      if (!p) continue;
      base = VirtAddr(p);
    } else {
      base = roots + root * sections_per_root * ms_size;
    }
    RAMSIFT_TRY_STATUS(kernel.read(base, block));
    ByteReader r(block, "mem_section");
    for (uint64_t i = 0; i < sections_per_root; ++i) {
      uint64_t nr = root * sections_per_root + i;
      if (nr >= nr_sections) break;
      MemSection s;
      RAMSIFT_TRY(s.section_mem_map, r.u64(i * ms_size + map_off));
      RAMSIFT_TRY(uint64_t u, r.u64(i * ms_size + usage_off));
      s.usage = VirtAddr(u);
      if (mm.page_ext_member_) {
        RAMSIFT_TRY(uint64_t e, r.u64(i * ms_size + *mm.page_ext_member_));
        s.page_ext = VirtAddr(e);
      }
      if (s.section_mem_map || s.usage.value()) mm.sections_[nr] = s;
      section_at[nr] = base + i * ms_size;
    }
  }

  // page_ext.
  if (mm.page_ext_member_) {
    // Tagged invalid (bit 0) while memory goes offline since Linux kernel
    // commit b1d5488a252d ("mm/page_ext: introduce page_ext_get/page_ext_put") (in v6.1)
    // and its follow-up; page_ext_get() appeared with it.
    mm.page_ext_invalid_bit_ = kernel.symbol("page_ext_get").has_value();
    RAMSIFT_TRY(mm.page_ext_size_, kernel.read_variable("page_ext_size", "mm/page_ext.c"));
    if (mm.page_ext_size_ > 4096)
      return corrupt("page_ext_size " + std::to_string(mm.page_ext_size_) + " is implausible");
  }
  mm.check_sections(section_at);
  return mm;
}

void MemoryModel::check_sections(std::span<const VirtAddr> section_at) {
  // With SPARSEMEM_VMEMMAP every section's encoded mem_map is
  // pfn_to_page(start) - start = vmemmap itself (mm/sparse.c
  // sparse_encode_mem_map): the value most sections hold.
  std::map<uint64_t, unsigned> maps;
  for (const auto& s : sections_)
    if (s && (s->section_mem_map & kSectionHasMemMap)) ++maps[s->section_mem_map & section_map_mask_];
  uint64_t vmemmap = 0;
  unsigned most = 0;
  for (const auto& [map, n] : maps)
    if (n > most) vmemmap = map, most = n;
  for (uint64_t nr = 0; nr < sections_.size(); ++nr) {
    auto& s = sections_[nr];
    if (!s) continue;
    std::string why;
    const uint64_t flags = s->section_mem_map & ~section_map_mask_;
    if (!s->section_mem_map)
      why = "no section_mem_map, but a mem_section_usage at " + hex(s->usage.value());
    else if (!(flags & kSectionMarkedPresent) || !(flags & kSectionHasMemMap))
      why = "section_mem_map " + hex(s->section_mem_map) + " has a mem_map without the present flags";
    else if (!s->usage.value())
      why = "a present section without a mem_section_usage";
    else if (vmemmap_ && maps.size() > 1 && (s->section_mem_map & section_map_mask_) != vmemmap)
      why = "section_mem_map " + hex(s->section_mem_map) + " does not encode the vmemmap " + hex(vmemmap) +
            " the other sections do";
    else if (page_ext_member_ && s->page_ext.value() && page_ext_invalid_bit_ && (s->page_ext.value() & 1) &&
             (flags & kSectionIsOnline))
      why = "page_ext " + hex(s->page_ext.value()) + " is marked invalid (offline memory) in an online section";
    else if (page_ext_member_ && s->page_ext.value() && !(s->page_ext.value() & 1) &&
             ((s->page_ext.value() + page_ext_size_ * (nr << pfn_section_shift_)) & (kernel_->page_size() - 1)))
      // alloc_page_ext() gives each section a page-aligned table; the
      // pointer stored is biased by the section's first pfn.
      why = "page_ext " + hex(s->page_ext.value()) + " does not point to a page-aligned table";
    if (why.empty()) continue;
    bad_section(nr, section_at[nr], why);
  }
  // sparse_init_nid() hands the early sections of a node consecutive
  // mem_section_usage blocks of mem_section_usage_size() bytes (the struct,
  // then usemap_size()): a usage pointer no neighbour agrees with is damage.
  const uint64_t blockflags_bits = (uint64_t{1} << (pfn_section_shift_ - pageblock_order_)) * nr_pageblock_bits_;
  const uint64_t stride = usage_size_ + (blockflags_bits + 63) / 64 * 8;
  std::vector<uint64_t> early;
  for (uint64_t nr = 0; nr < sections_.size(); ++nr)
    if (sections_[nr] && (sections_[nr]->section_mem_map & kSectionIsEarly)) early.push_back(nr);
  auto agrees = [&](uint64_t a, uint64_t b) {
    return sections_[b]->usage.value() - sections_[a]->usage.value() == stride;
  };
  std::vector<uint64_t> off;
  for (size_t i = 0; i < early.size() && early.size() > 2; ++i) {
    bool left = i > 0 && agrees(early[i - 1], early[i]);
    bool right = i + 1 < early.size() && agrees(early[i], early[i + 1]);
    if (!left && !right) off.push_back(early[i]);
  }
  // A node boundary breaks the chain for one pair, never for a whole run.
  if (off.size() < early.size() / 2)
    for (uint64_t nr : off)
      bad_section(nr, section_at[nr],
                  "mem_section_usage " + hex(sections_[nr]->usage.value()) + " is not " + std::to_string(stride) +
                      " bytes from its neighbours'");
  // min_low_pfn and max_pfn - 1 are memory: their sections are present.
  for (uint64_t pfn : {min_low_pfn_, max_pfn_ ? max_pfn_ - 1 : 0}) {
    const uint64_t nr = pfn >> pfn_section_shift_;
    if (nr < sections_.size() && !sections_[nr] &&
        !std::any_of(problems_.begin(), problems_.end(),
                     [&](const Error& e) { return e.address() == section_at[nr].value(); }))
      problems_.push_back(corrupt("mem_section " + std::to_string(nr) + " holds pfn " + hex(pfn) +
                                  " (min_low_pfn or max_pfn - 1) but is not present")
                              .at_address(section_at[nr]));
  }
}

void MemoryModel::bad_section(uint64_t nr, VirtAddr at, const std::string& why) {
  {
    auto& s = sections_[nr];
    problems_.push_back(corrupt("mem_section " + std::to_string(nr) + " (pfn " + hex(nr << pfn_section_shift_) +
                                "): " + why + "; its pages are left out")
                            .at_address(at));
    s.reset();
  }
}

std::optional<MemSection> MemoryModel::section(uint64_t section_nr) const {
  if (section_nr >= sections_.size()) return std::nullopt;
  return sections_[section_nr];
}

bool MemoryModel::pfn_valid(uint64_t pfn) const {
  auto s = section_of_pfn(pfn);
  if (!s || !(s->section_mem_map & kSectionHasMemMap)) return false;
  if ((s->section_mem_map & kSectionIsEarly) || !vmemmap_) return true;
  // pfn_section_valid(): the subsection bit in ms->usage->subsection_map.
  const unsigned page_shift = kernel_->layout().page_shift;
  uint64_t idx = (pfn & (pages_per_section() - 1)) >> (kSubsectionShift - page_shift);
  auto word = kernel_->read_u64(s->usage + usage_subsection_map_ + (idx / 64) * 8);
  return word && ((*word >> (idx % 64)) & 1);
}

Result<VirtAddr> MemoryModel::page_address(uint64_t pfn) const {
  auto s = section_of_pfn(pfn);
  if (!s || !(s->section_mem_map & kSectionHasMemMap))
    return fault("pfn " + hex(pfn) + " has no struct page (no memory section with a mem_map)");
  return VirtAddr((s->section_mem_map & section_map_mask_) + pfn * page_.size);
}

std::optional<uint64_t> MemoryModel::pfn_of_page(VirtAddr page) const {
  for (uint64_t nr = 0; nr < sections_.size(); ++nr) {
    const auto& s = sections_[nr];
    if (!s || !(s->section_mem_map & kSectionHasMemMap)) continue;
    uint64_t first = nr << pfn_section_shift_;
    uint64_t start = (s->section_mem_map & section_map_mask_) + first * page_.size;
    if (page.value() >= start && page.value() < start + pages_per_section() * page_.size &&
        (page.value() - start) % page_.size == 0)
      return first + (page.value() - start) / page_.size;
  }
  return std::nullopt;
}

Result<unsigned> MemoryModel::pageblock_migratetype(uint64_t pfn) const {
  auto s = section_of_pfn(pfn);
  if (!s || !s->usage.value()) return fault("pfn " + hex(pfn) + ": no mem_section_usage");
  uint64_t bitidx = ((pfn & (pages_per_section() - 1)) >> pageblock_order_) * nr_pageblock_bits_;
  RAMSIFT_TRY(uint64_t word, kernel_->read_u64(s->usage + usage_pageblock_flags_ + (bitidx / 64) * 8));
  if (pageblock_msb_first_) {
    const unsigned end_bitidx = static_cast<unsigned>(std::popcount(migratetype_mask_)) - 1;  // PB_migrate_end
    return static_cast<unsigned>((word >> (63 - (bitidx % 64) - end_bitidx)) & migratetype_mask_);
  }
  return static_cast<unsigned>((word >> (bitidx % 64)) & migratetype_mask_);
}

bool MemoryModel::is_buddy(uint32_t page_type) const {
  switch (page_type_rule_) {
    case PageTypeRule::InvertedBit: return (page_type & (0xf0000000u | 0x80u)) == 0xf0000000u;
    case PageTypeRule::Base80: return (page_type & (0x80000000u | 0x40000000u)) == 0x80000000u;
    case PageTypeRule::TopByte: return (page_type >> 24) == pgty_buddy_;
  }
  return false;
}

Result<std::optional<VirtAddr>> MemoryModel::page_ext_address(uint64_t pfn) const {
  if (!page_ext_member_) return std::optional<VirtAddr>();
  auto s = section_of_pfn(pfn);
  if (!s) return std::optional<VirtAddr>();
  uint64_t raw = s->page_ext.value();
  if (!raw || (page_ext_invalid_bit_ && (raw & 1))) return std::optional<VirtAddr>();
  // The pointer is biased by the section's first pfn: entry = base + size * pfn (mod 2^64).
  return std::optional<VirtAddr>(VirtAddr(raw + page_ext_size_ * pfn));
}

}  // namespace ramsift
