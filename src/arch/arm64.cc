#include "ramsift/arch/arm64.h"

#include <string>

#include "page_table.h"

namespace ramsift {

namespace {

using arch_detail::entry_corrupt;
using arch_detail::entry_not_present;
using arch_detail::read_table_entry;
using arch_detail::va_prefix;

constexpr uint64_t genmask(unsigned high, unsigned low) {
  return (high >= 63 ? ~uint64_t{0} : ((uint64_t{1} << (high + 1)) - 1)) & ~((uint64_t{1} << low) - 1);
}

// Descriptor bits 1:0.
constexpr uint64_t kDescTypeMask = 0x3;
constexpr uint64_t kDescBlock = 0x1;  // block at levels 0-2, reserved at level 3
constexpr uint64_t kDescTableOrPage = 0x3;

std::string granule_name(unsigned page_shift) {
  return std::to_string((uint64_t{1} << page_shift) >> 10) + "K";
}

// The output address of a descriptor whose address field starts at bit
// low_shift (the page shift for tables and pages, the block shift for
// blocks). With FEAT_LPA (64K pages, 52-bit PA) PA bits 51:48 are
// descriptor bits 15:12, which the 64K alignment leaves free.
// With FEAT_LPA2 PA bits 49:low_shift are in place and 51:50 are
// descriptor bits 9:8.
uint64_t output_address(const Arm64Paging& paging, uint64_t entry, unsigned low_shift) {
  if (paging.lpa2) return (entry & genmask(49, low_shift)) | ((entry >> 8) & 0x3) << 50;
  uint64_t pa = entry & genmask(47, low_shift);
  if (paging.pa_bits == 52) pa |= ((entry >> 12) & 0xf) << 48;
  return pa;
}

// Where the architecture allows a block descriptor.
bool block_allowed(const Arm64Paging& paging, int level) {
  switch (paging.page_shift) {
    case 12: return level == 1 || level == 2 || (level == 0 && paging.lpa2);  // 1 GiB, 2 MiB, 512 GiB (LPA2)
    case 14: return level == 2 || (level == 1 && paging.lpa2);                // 32 MiB, 64 GiB (LPA2)
    case 16: return level == 2 || (level == 1 && paging.pa_bits == 52);       // 512 MiB, 4 TiB (LPA)
  }
  return false;
}

}  // namespace

unsigned Arm64Geometry::shift(int level) const {
  return bits_per_level * static_cast<unsigned>(4 - level) + 3;
}

uint64_t Arm64Geometry::entries(int level, unsigned va_bits) const {
  unsigned bits = level == start_level ? va_bits - shift(level) : bits_per_level;
  return uint64_t{1} << bits;
}

Result<Arm64Geometry> arm64_geometry(const Arm64Paging& paging) {
  if (paging.page_shift != 12 && paging.page_shift != 14 && paging.page_shift != 16) {
    return bad_input("arm64: page shift " + std::to_string(paging.page_shift) + " is not 12, 14 or 16");
  }
  std::string granule = granule_name(paging.page_shift);
  if (paging.pa_bits != 48 && paging.pa_bits != 52) {
    return bad_input("arm64: PA bits " + std::to_string(paging.pa_bits) + " is not 48 or 52");
  }
  if (paging.lpa2 && paging.page_shift == 16) return bad_input("arm64: LPA2 is for 4K and 16K pages, not 64K");
  if (paging.page_shift != 16 && !paging.lpa2 && (paging.pa_bits == 52 || paging.va_bits == 52)) {
    return bad_input("arm64: 52-bit " + std::string(paging.pa_bits == 52 ? "PA" : "VA") + " with " + granule +
                     " pages is FEAT_LPA2 (its descriptors and levels differ): walk with lpa2");
  }
  unsigned max_va = paging.page_shift == 16 || paging.lpa2 ? 52 : 48;
  if (paging.va_bits < 36 || paging.va_bits > max_va) {
    return bad_input("arm64: VA_BITS " + std::to_string(paging.va_bits) + " out of range for " + granule +
                     " pages (36-" + std::to_string(max_va) + ")");
  }
  Arm64Geometry g;
  g.bits_per_level = paging.page_shift - 3;
  // ARM64_HW_PGTABLE_LEVELS(va_bits) = ((va_bits) - 4) / (PAGE_SHIFT - 3)
  g.levels = (paging.va_bits - 4) / g.bits_per_level;
  g.start_level = 4 - static_cast<int>(g.levels);
  // For VA_BITS 36..52 the formula gives 2-4 levels and a root indexing
  // 1..bits_per_level bits; check anyway, the tables' shape depends on it.
  unsigned root_bits = paging.va_bits - g.shift(g.start_level);
  if (g.levels < 2 || g.levels > (paging.lpa2 ? 5u : 4u) || root_bits < 1 || root_bits > g.bits_per_level) {
    return bad_input("arm64: VA_BITS " + std::to_string(paging.va_bits) + " with " + granule +
                     " pages gives no valid table layout");
  }
  return g;
}

const char* arm64_level_name(const Arm64Geometry& geometry, int level) {
  if (level == geometry.start_level) return "PGD";
  switch (level) {
    case 0: return "P4D";
    case 1: return "PUD";
    case 2: return "PMD";
    default: return "PTE";
  }
}

VirtAddr arm64_normalize(VirtAddr va, unsigned va_bits) {
  uint64_t high = ~genmask(va_bits - 1, 0);
  bool ttbr1 = (va.value() >> 55) & 1;
  return VirtAddr(ttbr1 ? va.value() | high : va.value() & ~high);
}

Result<Translation> arm64_walk(const PhysicalMemory& memory, const Arm64Paging& paging, PhysAddr root, VirtAddr va,
                               WalkTrace* trace) {
  RAMSIFT_TRY(Arm64Geometry g, arm64_geometry(paging));
  uint64_t index_bits = arm64_normalize(va, paging.va_bits).value() & genmask(paging.va_bits - 1, 0);
  PhysAddr table = root;
  for (int level = g.start_level; level <= 3; ++level) {
    const char* name = arm64_level_name(g, level);
    unsigned shift = g.shift(level);
    uint64_t index = (index_bits >> shift) & (g.entries(level, paging.va_bits) - 1);
    PhysAddr entry_pa = table + index * 8;
    RAMSIFT_TRY(uint64_t entry, read_table_entry(memory, entry_pa, paging.endian, va, name));
    if (trace) trace->push_back({name, table, index, entry_pa, entry});

    uint64_t type = entry & kDescTypeMask;
    if (type != kDescBlock && type != kDescTableOrPage) return entry_not_present(va, name, entry);
    if (type == kDescTableOrPage) {
      uint64_t next = output_address(paging, entry, paging.page_shift);
      if (level < 3) {
        table = PhysAddr(next);
        continue;
      }
      uint64_t size = uint64_t{1} << paging.page_shift;
      return Translation{PhysAddr(next | (index_bits & (size - 1))), size};
    }
    // A block descriptor.
    if (level == 3) return entry_corrupt(va, name, entry, entry_pa, "reserved encoding 0b01 at level 3");
    if (!block_allowed(paging, level)) {
      return entry_corrupt(va, name, entry, entry_pa,
                           "block descriptor not allowed at level " + std::to_string(level) + " with " +
                               granule_name(paging.page_shift) + " pages" +
                               (paging.lpa2            ? " (LPA2)"
                                : paging.pa_bits == 52 ? ""
                                                       : " and 48-bit PA"));
    }
    uint64_t size = uint64_t{1} << shift;
    return Translation{PhysAddr(output_address(paging, entry, shift) | (index_bits & (size - 1))), size};
  }
  // Unreachable: level 3 always returns.
  return corrupt(va_prefix(va) + ": walk ran past level 3");
}

Result<Arm64Translator> Arm64Translator::create(const Arm64Paging& paging, PhysAddr swapper_pg_dir,
                                                const Arm64Layout& layout) {
  RAMSIFT_TRY_STATUS(arm64_geometry(paging));
  Arm64Translator translator(paging, swapper_pg_dir);
  if (layout.linear_size) {
    translator.direct_.push_back({"linear map", layout.page_offset, layout.linear_size, layout.phys_offset});
  }
  if (layout.kimage_size) {
    auto image = [&](VirtAddr start, uint64_t size) {
      if (size)
        translator.direct_.push_back({"kernel image", start, size, PhysAddr(start.value() - layout.kimage_voffset)});
    };
    const uint64_t start = layout.kimage_start.value(), end = start + layout.kimage_size;
    const uint64_t hole = layout.kimage_hole.value(), hole_end = hole + layout.kimage_hole_size;
    if (layout.kimage_hole_size && hole >= start && hole_end <= end) {
      image(layout.kimage_start, hole - start);
      image(VirtAddr(hole_end), end - hole_end);
    } else {
      image(layout.kimage_start, layout.kimage_size);
    }
  }
  return translator;
}

Result<Translation> Arm64Translator::walk(const PhysicalMemory& memory, VirtAddr va) const {
  if (!((va.value() >> 55) & 1)) return fault(va_prefix(va) + ": not a kernel (TTBR1) address");
  return arm64_walk(memory, paging_, root_, va);
}

Result<Translation> Arm64Translator::walk_traced(const PhysicalMemory& memory, VirtAddr va, WalkTrace& trace) const {
  trace.clear();
  if (!((va.value() >> 55) & 1)) return fault(va_prefix(va) + ": not a kernel (TTBR1) address");
  return arm64_walk(memory, paging_, root_, va, &trace);
}

}  // namespace ramsift
