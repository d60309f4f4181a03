// arm64 (AArch64) stage-1 translation for kernel (TTBR1) addresses.
//
//   Arm64Paging paging{.page_shift = 12, .va_bits = 48};
//   RAMSIFT_TRY(Translation t, arm64_walk(memory, paging, swapper_pg_dir_pa, va));
//
//   Arm64Layout layout{.page_offset = VirtAddr{0xffff000000000000}, .linear_size = 1ull << 47,
//                      .phys_offset = PhysAddr{memstart_addr}, .kimage_voffset = kimage_voffset,
//                      .kimage_start = VirtAddr{_text}, .kimage_size = _end - _text};
//   RAMSIFT_TRY(auto tr, Arm64Translator::create(paging, swapper_pg_dir_pa, layout));
//
// Supported: 4K, 16K and 64K granules with any VA_BITS whose level count the
// kernel's ARM64_HW_PGTABLE_LEVELS gives 2 to 4 levels (36, 39, 42, 47, 48),
// VA_BITS 52 with 64K pages, and VA_BITS 52 with 4K (five levels) or 16K
// pages as FEAT_LPA2 (below). PA bits 52 with 64K pages is FEAT_LPA: PA
// bits 51:48 sit in descriptor bits 15:12. Block descriptors are accepted
// wherever the architecture allows them (4K: L1 1 GiB, L2 2 MiB; 16K: L2
// 32 MiB; 64K: L2 512 MiB, L1 4 TiB with LPA). The contiguous bit (52) is
// ignored: every entry of a contiguous run carries its own output address,
// so one entry alone translates correctly (the reported page size is the
// single entry's).
//
// FEAT_LPA2 (Arm64Paging::lpa2; TCR_EL1.DS; kernel v6.9+ with
// CONFIG_ARM64_VA_BITS_52 and 4K or 16K pages, added by Linux kernel commit
// 352b0395b505 "arm64: Enable 52-bit virtual addressing for 4k and 16k
// granule configs"): descriptors carry PA bits 49:PAGE_SHIFT in place and
// PA bits 51:50 in bits 9:8 (the kernel's PTE_ADDR_HIGH, shift 42); 4K/52
// has a fifth level (-1, 16 entries) and 16K/52 a level 0 of 32 entries;
// blocks are also allowed at 4K level 0 (512 GiB) and 16K level 1 (64 GiB).
// On hardware without LPA2 the same kernel runs with 48 (4K) or 47 (16K)
// VA bits and classic descriptors, folding the extra level away: the caller
// passes the VA bits the kernel ran with (64 - TCR_EL1.T1SZ), not the
// config's.
//
// Tagged pointers: with KASAN software tags the top byte of a kernel pointer
// carries a tag, and pointer authentication puts a PAC in the bits above
// VA_BITS. Bit 55 picks the translation table (TTBR1 when set) whatever the
// top byte holds, so normalize() treats every address with bit 55 set as a
// kernel address and sets bits 63:VA_BITS, the form the page tables index.
#pragma once

#include <cstdint>

#include "ramsift/arch/translate.h"
#include "ramsift/base/bytes.h"

namespace ramsift {

struct Arm64Paging {
  // 12, 14 or 16 (4K, 16K, 64K granule); vmcoreinfo PAGESIZE.
  unsigned page_shift = 12;
  // The kernel's configured VA_BITS (vmcoreinfo NUMBER(VA_BITS)). With a
  // 52-bit config on 48-bit hardware swapper_pg_dir is still laid out for 52
  // bits (TTBR1 points into it at an offset), so the config value is right.
  unsigned va_bits = 48;
  // 48, or 52 with 64K pages (CONFIG_ARM64_PA_BITS_52; vmcoreinfo
  // NUMBER(MAX_PHYSMEM_BITS)). With lpa2 the PA is always 52 bits.
  unsigned pa_bits = 48;
  // FEAT_LPA2 descriptors and geometry (4K and 16K pages only).
  bool lpa2 = false;
  // Descriptors are read in the kernel's endianness (CONFIG_CPU_BIG_ENDIAN).
  Endian endian = Endian::Little;
};

// The shape of the tables, derived as the kernel derives it
// (arch/arm64/include/asm/pgtable-hwdef.h).
struct Arm64Geometry {
  unsigned levels = 0;          // ARM64_HW_PGTABLE_LEVELS(VA_BITS); 5 only with LPA2
  int start_level = 0;          // hardware level of the root table: 4 - levels (-1 with 5)
  unsigned bits_per_level = 0;  // PAGE_SHIFT - 3

  // ARM64_HW_PGTABLE_LEVEL_SHIFT(level): the lowest VA bit a level indexes.
  unsigned shift(int level) const;
  // Entries in the table at that level (the root may be smaller).
  uint64_t entries(int level, unsigned va_bits) const;
};

Result<Arm64Geometry> arm64_geometry(const Arm64Paging& paging);

// Kernel names of the hardware levels: top level "PGD", then P4D, PUD,
// PMD, PTE (the kernel folds the upper ones when there are fewer levels).
const char* arm64_level_name(const Arm64Geometry& geometry, int level);

// Bit 55 set: bits 63:va_bits set (strips a tag / PAC). Bit 55 clear (a user
// address): bits 63:va_bits cleared.
VirtAddr arm64_normalize(VirtAddr va, unsigned va_bits);

// Walks the table at root (swapper_pg_dir's physical address for kernel
// addresses, or any TTBR0-style root) for va; only bits va_bits-1:0 of the
// normalized address index the tables. trace, when given, receives every
// entry read (translate.h's WalkTrace).
Result<Translation> arm64_walk(const PhysicalMemory& memory, const Arm64Paging& paging, PhysAddr root, VirtAddr va,
                               WalkTrace* trace = nullptr);

// The fast paths. A size of 0 leaves that path out.
struct Arm64Layout {
  // The linear map: PA = VA - PAGE_OFFSET + PHYS_OFFSET. Since v5.4 it is
  // [-(1 << VA_BITS), -(1 << (VA_BITS_MIN - 1))). Flipped in Linux kernel
  // commit 14c127c957c1 ("arm64: mm: Flip kernel VA space") (in v5.4).
  VirtAddr page_offset;
  uint64_t linear_size = 0;
  PhysAddr phys_offset;  // memstart_addr (vmcoreinfo NUMBER(PHYS_OFFSET))
  // The kernel image: PA = VA - kimage_voffset, for [_text, _end).
  uint64_t kimage_voffset = 0;  // vmcoreinfo NUMBER(kimage_voffset)
  VirtAddr kimage_start;
  uint64_t kimage_size = 0;
  // A part of the image the kernel unmaps after boot ([__init_begin,
  // __init_end), free_initmem()): left to the walk, which says it is not
  // mapped, instead of reading the reused RAM below it.
  VirtAddr kimage_hole;
  uint64_t kimage_hole_size = 0;
};

class Arm64Translator : public Translator {
 public:
  // Validates the paging parameters; swapper_pg_dir is a physical address.
  static Result<Arm64Translator> create(const Arm64Paging& paging, PhysAddr swapper_pg_dir,
                                        const Arm64Layout& layout = {});

  Arch arch() const override { return Arch::Arm64; }
  uint64_t page_size() const override { return uint64_t{1} << paging_.page_shift; }
  VirtAddr normalize(VirtAddr va) const override { return arm64_normalize(va, paging_.va_bits); }
  // Kernel (TTBR1) addresses only: a user address is a Fault.
  Result<Translation> walk(const PhysicalMemory& memory, VirtAddr va) const override;
  Result<Translation> walk_traced(const PhysicalMemory& memory, VirtAddr va, WalkTrace& trace) const override;

  const Arm64Paging& paging() const { return paging_; }
  PhysAddr root() const { return root_; }

 private:
  Arm64Translator(const Arm64Paging& paging, PhysAddr root) : paging_(paging), root_(root) {}
  Arm64Paging paging_;
  PhysAddr root_;
};

}  // namespace ramsift
