#include "ramsift/arch/x86_64.h"

#include "page_table.h"

namespace ramsift {

namespace {

using arch_detail::entry_corrupt;
using arch_detail::entry_not_present;
using arch_detail::read_table_entry;
using arch_detail::va_prefix;

constexpr uint64_t kPresent = uint64_t{1} << 0;
constexpr uint64_t kPageSize = uint64_t{1} << 7;  // PS: a large page (PAT at the PTE level)
// Physical address bits 51:12 (__PHYSICAL_MASK_SHIFT 52, PAGE_MASK).
constexpr uint64_t kPhysMask = 0x000ffffffffff000;

struct Level {
  const char* name;
  unsigned shift;           // lowest VA bit this level indexes
  bool large_page_allowed;  // PS may be set: the entry maps 1 << shift bytes
};

// Kernel names: with 4 levels the P4D is folded and the PML4 is the PGD.
constexpr Level kLevels5[] = {
    {"PGD", 48, false}, {"P4D", 39, false}, {"PUD", 30, true}, {"PMD", 21, true}, {"PTE", 12, false}};
constexpr Level kLevels4[] = {{"PGD", 39, false}, {"PUD", 30, true}, {"PMD", 21, true}, {"PTE", 12, false}};

}  // namespace

bool x86_64_canonical(VirtAddr va, bool five_level) {
  unsigned top = five_level ? 56 : 47;  // bits 63:top must all be equal
  uint64_t high = va.value() >> top;
  return high == 0 || high == (~uint64_t{0} >> top);
}

Result<Translation> x86_64_walk(const PhysicalMemory& memory, const X86_64Paging& paging, PhysAddr cr3, VirtAddr va,
                                WalkTrace* trace) {
  if (!x86_64_canonical(va, paging.five_level)) {
    return fault(va_prefix(va) + ": not canonical for " + (paging.five_level ? "5" : "4") + "-level paging");
  }
  std::span<const Level> levels =
      paging.five_level ? std::span<const Level>(kLevels5) : std::span<const Level>(kLevels4);
  uint64_t address_mask = kPhysMask & ~paging.encryption_mask;
  PhysAddr table(cr3.value() & address_mask);
  for (size_t i = 0; i < levels.size(); ++i) {
    const Level& level = levels[i];
    uint64_t index = (va.value() >> level.shift) & 0x1ff;
    PhysAddr entry_pa = table + index * 8;
    RAMSIFT_TRY(uint64_t entry, read_table_entry(memory, entry_pa, Endian::Little, va, level.name));
    if (trace) trace->push_back({level.name, table, index, entry_pa, entry});
    if (!(entry & kPresent)) return entry_not_present(va, level.name, entry);
    bool last = i + 1 == levels.size();
    if (!last && (entry & kPageSize)) {
      if (!level.large_page_allowed) {
        return entry_corrupt(va, level.name, entry, entry_pa, "PS bit set where large pages are reserved");
      }
      // The large page's address is bits 51:shift; bit 12 is its PAT bit.
      uint64_t size = uint64_t{1} << level.shift;
      uint64_t base = entry & address_mask & ~(size - 1);
      return Translation{PhysAddr(base | (va.value() & (size - 1))), size};
    }
    if (last) return Translation{PhysAddr((entry & address_mask) | (va.value() & 0xfff)), 4096};
    table = PhysAddr(entry & address_mask);
  }
  return corrupt(va_prefix(va) + ": walk ran past the PTE level");  // unreachable
}

Result<X86_64Translator> X86_64Translator::create(const X86_64Paging& paging, PhysAddr root,
                                                  const X86_64Layout& layout) {
  X86_64Translator translator(paging, root);
  if (layout.direct_map_size) {
    translator.direct_.push_back({"direct map", layout.page_offset_base, layout.direct_map_size, PhysAddr(0)});
  }
  if (layout.kernel_image_size) {
    translator.direct_.push_back({"kernel image", layout.kernel_image_start, layout.kernel_image_size,
                                  layout.phys_base + (layout.kernel_image_start.value() - kX86_64StartKernelMap)});
  }
  for (const DirectMapping& m : translator.direct_) {
    if (!x86_64_canonical(m.start, paging.five_level) || !x86_64_canonical(m.start + (m.size - 1), paging.five_level)) {
      return bad_input("x86_64: " + m.name + " [" + hex(m.start.value()) + ", +" + hex(m.size) + ") is not canonical");
    }
  }
  return translator;
}

}  // namespace ramsift
