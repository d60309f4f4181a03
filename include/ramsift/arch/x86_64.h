// x86_64 4- and 5-level paging.
//
//   X86_64Paging paging{.five_level = false};
//   RAMSIFT_TRY(Translation t, x86_64_walk(memory, paging, PhysAddr{cr3}, va));
//
//   X86_64Layout layout{.page_offset_base = VirtAddr{page_offset_base},
//                       .direct_map_size = uint64_t{1} << 46, .phys_base = PhysAddr{phys_base},
//                       .kernel_image_size = uint64_t{1} << 30};
//   RAMSIFT_TRY(auto tr, X86_64Translator::create(paging, init_top_pgt_pa, layout));
//
// The root is CR3-style: bits 11:0 (PCID or PWT/PCD) and bit 63 (no-flush)
// are ignored. Entries: bit 0 present, bit 7 PS makes a PDPT entry a 1 GiB
// page and a PD entry a 2 MiB page (PS in a PML4/PML5 entry is reserved:
// Corrupt); the physical address is bits 51:12 (51:21 and 51:30 for large
// pages, which keeps the PAT bit 12 out), so NX (63), protection keys
// (62:59) and software bits never leak into it. With AMD SME/SEV the C-bit
// (encryption_mask, vmcoreinfo NUMBER(sme_mask)) is cleared as well.
//
// Not-present entries are not translated even when the kernel would call
// them present (_PAGE_PROTNONE, NUMA balancing): that only happens in user
// page tables, and the walk is for the kernel's.
//
// An address must be canonical (bits 63:47, or 63:56 with 5 levels, all
// equal): anything else is a Fault before any table is read.
#pragma once

#include <cstdint>

#include "ramsift/arch/translate.h"

namespace ramsift {

struct X86_64Paging {
  // CR4.LA57 (vmcoreinfo NUMBER(pgtable_l5_enabled)).
  bool five_level = false;
  // Extra bits to clear from every entry's address (the SME C-bit).
  uint64_t encryption_mask = 0;
};

// __START_KERNEL_map: where the kernel image is mapped.
inline constexpr uint64_t kX86_64StartKernelMap = 0xffffffff80000000;

bool x86_64_canonical(VirtAddr va, bool five_level);

// trace, when given, receives every entry read (translate.h's WalkTrace).
Result<Translation> x86_64_walk(const PhysicalMemory& memory, const X86_64Paging& paging, PhysAddr cr3, VirtAddr va,
                                WalkTrace* trace = nullptr);

// The fast paths. A size of 0 leaves that path out.
struct X86_64Layout {
  // Direct map: PA = VA - page_offset_base (randomized by KASLR; the symbol
  // page_offset_base holds it).
  VirtAddr page_offset_base;
  uint64_t direct_map_size = 0;
  // Kernel image: PA = VA - __START_KERNEL_map + phys_base, for
  // [kernel_image_start, + kernel_image_size). The kernel's __pa() takes the
  // whole [__START_KERNEL_map, + KERNEL_IMAGE_SIZE) (1 GiB with
  // CONFIG_RANDOMIZE_BASE, else 512 MiB), but the page tables map only the
  // image in it: a caller that knows [_text, _end) passes that, so that a
  // stray pointer past the image is walked (and not mapped) rather than
  // read from whatever RAM the formula lands on.
  PhysAddr phys_base;  // vmcoreinfo NUMBER(phys_base)
  uint64_t kernel_image_size = 0;
  VirtAddr kernel_image_start{kX86_64StartKernelMap};
};

class X86_64Translator : public Translator {
 public:
  static Result<X86_64Translator> create(const X86_64Paging& paging, PhysAddr root, const X86_64Layout& layout = {});

  Arch arch() const override { return Arch::Amd64; }
  uint64_t page_size() const override { return 4096; }
  Result<Translation> walk(const PhysicalMemory& memory, VirtAddr va) const override {
    return x86_64_walk(memory, paging_, root_, va);
  }
  Result<Translation> walk_traced(const PhysicalMemory& memory, VirtAddr va, WalkTrace& trace) const override {
    trace.clear();
    return x86_64_walk(memory, paging_, root_, va, &trace);
  }

  const X86_64Paging& paging() const { return paging_; }
  PhysAddr root() const { return root_; }

 private:
  X86_64Translator(const X86_64Paging& paging, PhysAddr root) : paging_(paging), root_(root) {}
  X86_64Paging paging_;
  PhysAddr root_;
};

}  // namespace ramsift
