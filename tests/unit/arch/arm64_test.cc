// arm64 page-table walks over hand-laid tables, one comment per entry.
// Descriptor bits used below: 1:0 = 0b11 table (levels 0-2) or page (level
// 3), 0b01 block; 0x700 = AF (bit 10) + inner shareable (9:8); upper
// attributes 52 contiguous, 53 PXN, 54 UXN, 55 software (dirty).
#include "ramsift/arch/arm64.h"

#include <doctest/doctest.h>

#include <string>

#include "support/fake_memory.h"

using namespace ramsift;
using ramsift::testing::FakePhysicalMemory;

namespace {

PhysAddr entry(uint64_t table, uint64_t index) {
  return PhysAddr(table + index * 8);
}

Result<Translation> walk(const FakePhysicalMemory& mem, unsigned page_shift, unsigned va_bits, uint64_t root,
                         uint64_t va, unsigned pa_bits = 48) {
  Arm64Paging paging{.page_shift = page_shift, .va_bits = va_bits, .pa_bits = pa_bits};
  return arm64_walk(mem, paging, PhysAddr(root), VirtAddr(va));
}

// 4K granule, VA_BITS 39: three levels, L1 (PGD) -> L2 (PMD) -> L3 (PTE),
// 9 index bits each: VA 0xffffffc008012345 is PGD[0x100] PMD[0x40] PTE[0x12]
// offset 0x345.
constexpr uint64_t k39Pgd = 0x10000, k39Pmd = 0x11000, k39Pte = 0x12000;
FakePhysicalMemory tables_4k_39() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(k39Pgd, 0x100), 0x0000000000011003);  // PGD[0x100]: table -> PMD at 0x11000
  mem.set_u64(entry(k39Pmd, 0x40), 0x0000000000012003);   // PMD[0x40]: table -> PTE at 0x12000
  mem.set_u64(entry(k39Pmd, 0x41), 0x0000000000000000);   // PMD[0x41]: invalid (all zero)
  mem.set_u64(entry(k39Pmd, 0x42), 0x0000000000013003);   // PMD[0x42]: table -> 0x13000, a page never dumped
  mem.set_u64(entry(k39Pmd, 0x43), 0x0000000000014003);   // PMD[0x43]: table -> 0x14000, excluded page
  mem.exclude(PhysAddr(0x14000));
  mem.set_u64(entry(k39Pte, 0x12), 0x00f0000080345f03);  // PTE[0x12]: page 0x80345000; UXN PXN CONT SW nG AF SH
  mem.set_u64(entry(k39Pte, 0x13), 0x0000000080346001);  // PTE[0x13]: 0b01 at level 3: reserved
  mem.set_u64(entry(k39Pte, 0x14), 0x0000000080347002);  // PTE[0x14]: 0b10: invalid
  return mem;
}

}  // namespace

TEST_CASE("arch: arm64 geometry follows ARM64_HW_PGTABLE_LEVELS") {
  struct Case {
    unsigned page_shift, va_bits, levels;
    int start_level;
    uint64_t root_entries;
  };
  for (Case c : {Case{12, 39, 3, 1, 512}, Case{12, 48, 4, 0, 512}, Case{14, 36, 2, 2, 2048}, Case{14, 47, 3, 1, 2048},
                 Case{14, 48, 4, 0, 2}, Case{16, 42, 2, 2, 8192}, Case{16, 48, 3, 1, 64}, Case{16, 52, 3, 1, 1024}}) {
    CAPTURE(c.page_shift);
    CAPTURE(c.va_bits);
    auto g = arm64_geometry({.page_shift = c.page_shift, .va_bits = c.va_bits});
    REQUIRE(g);
    CHECK(g->levels == c.levels);
    CHECK(g->start_level == c.start_level);
    CHECK(g->entries(g->start_level, c.va_bits) == c.root_entries);
    CHECK(g->shift(3) == c.page_shift);
  }
}

TEST_CASE("arch: arm64 geometry: 52 bits with 4K/16K only as LPA2, and nonsense parameters") {
  auto lpa2_va = arm64_geometry({.page_shift = 12, .va_bits = 52});
  REQUIRE_FALSE(lpa2_va);
  CHECK(lpa2_va.error().code() == ErrorCode::BadInput);
  CHECK(lpa2_va.error().message() ==
        "arm64: 52-bit VA with 4K pages is FEAT_LPA2 (its descriptors and levels differ): walk with lpa2");
  auto lpa2_pa = arm64_geometry({.page_shift = 14, .va_bits = 47, .pa_bits = 52});
  REQUIRE_FALSE(lpa2_pa);
  CHECK(lpa2_pa.error().code() == ErrorCode::BadInput);
  auto lpa2_64k = arm64_geometry({.page_shift = 16, .va_bits = 52, .pa_bits = 52, .lpa2 = true});
  REQUIRE_FALSE(lpa2_64k);
  CHECK(lpa2_64k.error().message() == "arm64: LPA2 is for 4K and 16K pages, not 64K");
  // LPA2 geometry: 4K/52 has five levels (root -1 with 16 entries), 16K/52
  // four (root 0 with 32 entries); the fallback VA sizes stay classic.
  struct Case {
    unsigned page_shift, va_bits, levels;
    int start_level;
    uint64_t root_entries;
  };
  for (Case c : {Case{12, 52, 5, -1, 16}, Case{14, 52, 4, 0, 32}, Case{12, 48, 4, 0, 512}, Case{14, 47, 3, 1, 2048}}) {
    CAPTURE(c.page_shift);
    CAPTURE(c.va_bits);
    auto g = arm64_geometry({.page_shift = c.page_shift, .va_bits = c.va_bits, .pa_bits = 52, .lpa2 = true});
    REQUIRE(g);
    CHECK(g->levels == c.levels);
    CHECK(g->start_level == c.start_level);
    CHECK(g->entries(g->start_level, c.va_bits) == c.root_entries);
  }
  auto granule = arm64_geometry({.page_shift = 13, .va_bits = 48});
  REQUIRE_FALSE(granule);
  CHECK(granule.error().code() == ErrorCode::BadInput);
  CHECK(granule.error().message() == "arm64: page shift 13 is not 12, 14 or 16");
  auto va = arm64_geometry({.page_shift = 16, .va_bits = 56});
  REQUIRE_FALSE(va);
  CHECK(va.error().code() == ErrorCode::BadInput);
  CHECK_FALSE(Arm64Translator::create({.page_shift = 12, .va_bits = 30}, PhysAddr(0)));
}

TEST_CASE("arch: arm64 4K/39: a page, with upper attributes and the contiguous bit ignored") {
  FakePhysicalMemory mem = tables_4k_39();
  auto t = walk(mem, 12, 39, k39Pgd, 0xffffffc008012345);
  REQUIRE(t);
  CHECK(t->pa == PhysAddr(0x80345345));
  CHECK(t->page_size == 4096);
  CHECK(t->mapping_start() == PhysAddr(0x80345000));
  CHECK(t->bytes_to_end() == 0xcbb);
}

TEST_CASE("arch: arm64 4K/39 invalid: not present, reserved, missing and excluded table pages") {
  FakePhysicalMemory mem = tables_4k_39();
  auto absent = walk(mem, 12, 39, k39Pgd, 0xffffffc008212345);  // PMD[0x41]
  REQUIRE_FALSE(absent);
  CHECK(absent.error().code() == ErrorCode::Fault);
  CHECK(absent.error().message() == "va 0xffffffc008212345: PMD entry 0x0 not present");

  auto pgd_absent = walk(mem, 12, 39, k39Pgd, 0xffffffc048012345);  // PGD[0x101], never written
  REQUIRE_FALSE(pgd_absent);
  CHECK(pgd_absent.error().code() == ErrorCode::Fault);
  CHECK(pgd_absent.error().message() == "va 0xffffffc048012345: PGD entry 0x0 not present");

  auto invalid = walk(mem, 12, 39, k39Pgd, 0xffffffc008014000);  // PTE[0x14] = 0b10
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().code() == ErrorCode::Fault);
  CHECK(invalid.error().message() == "va 0xffffffc008014000: PTE entry 0x80347002 not present");

  auto reserved = walk(mem, 12, 39, k39Pgd, 0xffffffc008013000);  // PTE[0x13] = 0b01
  REQUIRE_FALSE(reserved);
  CHECK(reserved.error().code() == ErrorCode::Corrupt);
  CHECK(reserved.error().message() ==
        "va 0xffffffc008013000: PTE entry 0x80346001 at pa 0x12098: reserved encoding 0b01 at level 3");

  auto missing = walk(mem, 12, 39, k39Pgd, 0xffffffc008412345);  // PMD[0x42] -> 0x13000, not in the dump
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::NoData);
  CHECK(missing.error().message() ==
        "va 0xffffffc008412345: reading PTE entry at pa 0x13090: table page outside the dump: pa 0x13090 outside "
        "the dump");

  auto excluded = walk(mem, 12, 39, k39Pgd, 0xffffffc008612345);  // PMD[0x43] -> 0x14000, excluded
  REQUIRE_FALSE(excluded);
  CHECK(excluded.error().code() == ErrorCode::NoData);
  CHECK(excluded.error().message() ==
        "va 0xffffffc008612345: reading PTE entry at pa 0x14090: page 0x14000 excluded from the dump");

  auto no_root = walk(mem, 12, 39, 0x900000, 0xffffffc008012345);  // swapper_pg_dir not dumped
  REQUIRE_FALSE(no_root);
  CHECK(no_root.error().code() == ErrorCode::NoData);
}

TEST_CASE("arch: arm64 tagged kernel pointers walk like untagged ones") {
  FakePhysicalMemory mem = tables_4k_39();
  auto tr = Arm64Translator::create({.page_shift = 12, .va_bits = 39}, PhysAddr(k39Pgd));
  REQUIRE(tr);
  // KASAN software tag 0xf2 in the top byte.
  auto kasan = tr->walk(mem, VirtAddr(0xf2ffffc008012345));
  REQUIRE(kasan);
  CHECK(kasan->pa == PhysAddr(0x80345345));
  // A pointer-authentication code in bits 54:39 (bit 55 still set).
  auto pac = tr->walk(mem, VirtAddr(0xffa55fc008012345));
  REQUIRE(pac);
  CHECK(pac->pa == PhysAddr(0x80345345));
  CHECK(tr->normalize(VirtAddr(0xffa55fc008012345)) == VirtAddr(0xffffffc008012345));
  // Bit 55 clear: a user (TTBR0) address, not the kernel's tables.
  auto user = tr->walk(mem, VirtAddr(0x0000004008012345));
  REQUIRE_FALSE(user);
  CHECK(user.error().code() == ErrorCode::Fault);
  CHECK(user.error().message() == "va 0x4008012345: not a kernel (TTBR1) address");
}

// 4K granule, VA_BITS 48: four levels, L0 (PGD) -> L1 (PUD) -> L2 (PMD) -> L3
// (PTE). Linear map VA 0xffff000040123456 is PGD[0] PUD[1]: a 1 GiB block.
// VA 0xffff800008234567 is PGD[0x100] PUD[0] PMD[0x41]: a 2 MiB block;
// VA 0xffff800008401234 is PGD[0x100] PUD[0] PMD[0x42] PTE[0x1]: a page.
TEST_CASE("arch: arm64 4K/48: 1 GiB block at L1, 2 MiB block at L2, page at L3") {
  FakePhysicalMemory mem;
  constexpr uint64_t pgd = 0x20000, pud_lm = 0x21000, pud_k = 0x22000, pmd_k = 0x23000, pte_k = 0x24000;
  mem.set_u64(entry(pgd, 0x000), 0x0000000000021003);   // PGD[0]: table -> PUD at 0x21000 (linear map)
  mem.set_u64(entry(pgd, 0x100), 0x0000000000022003);   // PGD[0x100]: table -> PUD at 0x22000 (kernel)
  mem.set_u64(entry(pud_lm, 1), 0x0060000140000701);    // PUD[1]: 1 GiB block at 0x140000000, XN
  mem.set_u64(entry(pud_k, 0), 0x0000000000023003);     // PUD[0]: table -> PMD at 0x23000
  mem.set_u64(entry(pmd_k, 0x41), 0x0040000048200781);  // PMD[0x41]: 2 MiB block at 0x48200000, RO, UXN
  mem.set_u64(entry(pmd_k, 0x42), 0x0000000000024003);  // PMD[0x42]: table -> PTE at 0x24000
  mem.set_u64(entry(pte_k, 0x1), 0x0000000048401703);   // PTE[1]: page 0x48401000

  auto block1g = walk(mem, 12, 48, pgd, 0xffff000040123456);
  REQUIRE(block1g);
  CHECK(block1g->pa == PhysAddr(0x140123456));
  CHECK(block1g->page_size == (uint64_t{1} << 30));
  CHECK(block1g->mapping_start() == PhysAddr(0x140000000));

  auto block2m = walk(mem, 12, 48, pgd, 0xffff800008234567);
  REQUIRE(block2m);
  CHECK(block2m->pa == PhysAddr(0x48234567));
  CHECK(block2m->page_size == (uint64_t{2} << 20));

  auto page = walk(mem, 12, 48, pgd, 0xffff800008401234);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x48401234));
  CHECK(page->page_size == 4096);
}

TEST_CASE("arch: arm64 4K/48 invalid: block at L0, invalid PGD entry") {
  FakePhysicalMemory mem;
  constexpr uint64_t pgd = 0x20000;
  mem.set_u64(entry(pgd, 0x000), 0x0000008000000701);  // PGD[0]: 0b01 at L0: a block only LPA2 allows
  mem.set_u64(entry(pgd, 0x100), 0x0000000000022002);  // PGD[0x100]: 0b10: invalid
  auto block = walk(mem, 12, 48, pgd, 0xffff000040123456);
  REQUIRE_FALSE(block);
  CHECK(block.error().code() == ErrorCode::Corrupt);
  CHECK(block.error().message() ==
        "va 0xffff000040123456: PGD entry 0x8000000701 at pa 0x20000: block descriptor not allowed at level 0 "
        "with 4K pages and 48-bit PA");
  auto invalid = walk(mem, 12, 48, pgd, 0xffff800008234567);
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().code() == ErrorCode::Fault);
  CHECK(invalid.error().message() == "va 0xffff800008234567: PGD entry 0x22002 not present");
}

// 16K granule, VA_BITS 47: three levels, L1 (PGD, 11 bits) -> L2 (PMD, 11
// bits, 32 MiB blocks) -> L3 (PTE). VA 0xffffc00010004567 is PGD[0x400]
// PMD[0x8] PTE[0x1] offset 0x567; VA 0xffffc00012345678 is PMD[0x9], a block.
constexpr uint64_t k16Pgd = 0x40000, k16Pmd = 0x44000, k16Pte = 0x48000;
FakePhysicalMemory tables_16k_47() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(k16Pgd, 0x400), 0x0000000000044003);  // PGD[0x400]: table -> PMD at 0x44000
  mem.set_u64(entry(k16Pgd, 0x401), 0x0000000080000701);  // PGD[0x401]: 0b01 at L1: no L1 blocks with 16K
  mem.set_u64(entry(k16Pmd, 0x8), 0x0000000000048003);    // PMD[0x8]: table -> PTE at 0x48000
  mem.set_u64(entry(k16Pmd, 0x9), 0x0000000102000701);    // PMD[0x9]: 32 MiB block at 0x102000000
  mem.set_u64(entry(k16Pte, 0x1), 0x0000000090004703);    // PTE[0x1]: 16K page at 0x90004000
  return mem;
}

TEST_CASE("arch: arm64 16K/47: a page and a 32 MiB block at L2") {
  FakePhysicalMemory mem = tables_16k_47();
  auto page = walk(mem, 14, 47, k16Pgd, 0xffffc00010004567);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x90004567));
  CHECK(page->page_size == 16384);
  auto block = walk(mem, 14, 47, k16Pgd, 0xffffc00012345678);
  REQUIRE(block);
  CHECK(block->pa == PhysAddr(0x102345678));
  CHECK(block->page_size == (uint64_t{32} << 20));
}

TEST_CASE("arch: arm64 16K/47 invalid: L1 block, unmapped PTE") {
  FakePhysicalMemory mem = tables_16k_47();
  auto block = walk(mem, 14, 47, k16Pgd, 0xffffc01000000000);  // PGD[0x401]
  REQUIRE_FALSE(block);
  CHECK(block.error().code() == ErrorCode::Corrupt);
  CHECK(block.error().message() ==
        "va 0xffffc01000000000: PGD entry 0x80000701 at pa 0x42008: block descriptor not allowed at level 1 with "
        "16K pages and 48-bit PA");
  auto absent = walk(mem, 14, 47, k16Pgd, 0xffffc00010008000);  // PTE[0x2] on the PTE page: zero
  REQUIRE_FALSE(absent);
  CHECK(absent.error().code() == ErrorCode::Fault);
  CHECK(absent.error().message() == "va 0xffffc00010008000: PTE entry 0x0 not present");
}

// 64K granule, VA_BITS 42: two levels, L2 (PGD, 13 bits, 512 MiB blocks) ->
// L3 (PTE, 13 bits). VA 0xfffffe0012345678 is PGD[0x1000] PTE[0x1234] offset
// 0x5678; VA 0xfffffe0032345678 is PGD[0x1001], a block.
constexpr uint64_t k64Pgd = 0x100000, k64Pte = 0x200000;
FakePhysicalMemory tables_64k_42() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(k64Pgd, 0x1000), 0x0000000000200003);  // PGD[0x1000]: table -> PTE at 0x200000
  mem.set_u64(entry(k64Pgd, 0x1001), 0x0000000060000701);  // PGD[0x1001]: 512 MiB block at 0x60000000
  mem.set_u64(entry(k64Pgd, 0x1002), 0x0000000000300003);  // PGD[0x1002]: table -> 0x300000, not dumped
  mem.set_u64(entry(k64Pte, 0x1234), 0x0000000987650703);  // PTE[0x1234]: 64K page at 0x987650000
  mem.set_u64(entry(k64Pte, 0x1235), 0x0000000987660701);  // PTE[0x1235]: 0b01 at level 3: reserved
  return mem;
}

TEST_CASE("arch: arm64 64K/42: a page and a 512 MiB block at L2") {
  FakePhysicalMemory mem = tables_64k_42();
  auto page = walk(mem, 16, 42, k64Pgd, 0xfffffe0012345678);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x987655678));
  CHECK(page->page_size == 65536);
  auto block = walk(mem, 16, 42, k64Pgd, 0xfffffe0032345678);
  REQUIRE(block);
  CHECK(block->pa == PhysAddr(0x72345678));
  CHECK(block->page_size == (uint64_t{512} << 20));
}

TEST_CASE("arch: arm64 64K/42 invalid: reserved PTE, missing PTE table") {
  FakePhysicalMemory mem = tables_64k_42();
  auto reserved = walk(mem, 16, 42, k64Pgd, 0xfffffe0012350000);  // PTE[0x1235]
  REQUIRE_FALSE(reserved);
  CHECK(reserved.error().code() == ErrorCode::Corrupt);
  CHECK(reserved.error().message() ==
        "va 0xfffffe0012350000: PTE entry 0x987660701 at pa 0x2091a8: reserved encoding 0b01 at level 3");
  auto missing = walk(mem, 16, 42, k64Pgd, 0xfffffe0040000000);  // PGD[0x1002] -> 0x300000
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::NoData);
}

// 64K granule, VA_BITS 52, PA bits 52 (FEAT_LPA): three levels, L1 (PGD, 10
// bits, 4 TiB blocks with LPA) -> L2 (PMD) -> L3 (PTE). PA bits 51:48 sit in
// descriptor bits 15:12. VA 0xfff8040012345678 is PGD[0x201] PMD[0]
// PTE[0x1234] offset 0x5678; VA 0xfff00c0123456789 is PGD[0x3], a 4 TiB block.
constexpr uint64_t kLpaPgd = 0x400000;
constexpr uint64_t kLpaPmd = 0x000a000000030000;  // above 48 bits
constexpr uint64_t kLpaPte = 0x000b000000050000;
FakePhysicalMemory tables_64k_52() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(kLpaPgd, 0x201), 0x000000000003a003);   // PGD[0x201]: table -> 0x30000 | 0xa << 48
  mem.set_u64(entry(kLpaPgd, 0x3), 0x0000000000004701);     // PGD[3]: 4 TiB block at 0x4 << 48
  mem.set_u64(entry(kLpaPmd, 0x0), 0x000000000005b003);     // PMD[0]: table -> 0x50000 | 0xb << 48
  mem.set_u64(entry(kLpaPte, 0x1234), 0x000012345678f703);  // PTE[0x1234]: page 0x123456780000 | 0xf << 48
  return mem;
}

TEST_CASE("arch: arm64 64K/52 LPA: PA bits 51:48 from descriptor bits 15:12, 4 TiB block at L1") {
  FakePhysicalMemory mem = tables_64k_52();
  auto page = walk(mem, 16, 52, kLpaPgd, 0xfff8040012345678, 52);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x000f123456785678));
  CHECK(page->page_size == 65536);
  auto block = walk(mem, 16, 52, kLpaPgd, 0xfff00c0123456789, 52);
  REQUIRE(block);
  CHECK(block->pa == PhysAddr(0x0004000123456789));
  CHECK(block->page_size == (uint64_t{1} << 42));
}

TEST_CASE("arch: arm64 64K/52 invalid: without LPA the same tables are wrong") {
  FakePhysicalMemory mem = tables_64k_52();
  // PA bits 48: bits 15:12 are not address bits, the PMD is looked for at
  // 0x30000, which is not in the dump.
  auto pmd = walk(mem, 16, 52, kLpaPgd, 0xfff8040012345678, 48);
  REQUIRE_FALSE(pmd);
  CHECK(pmd.error().code() == ErrorCode::NoData);
  CHECK(pmd.error().message().starts_with("va 0xfff8040012345678: reading PMD entry at pa 0x30000: "));
  // And an L1 block is reserved without LPA.
  auto block = walk(mem, 16, 52, kLpaPgd, 0xfff00c0123456789, 48);
  REQUIRE_FALSE(block);
  CHECK(block.error().code() == ErrorCode::Corrupt);
  CHECK(block.error().message() ==
        "va 0xfff00c0123456789: PGD entry 0x4701 at pa 0x400018: block descriptor not allowed at level 1 with "
        "64K pages and 48-bit PA");
}

// FEAT_LPA2, 4K granule, VA_BITS 52: five levels, -1 (PGD, 4 bits) -> 0
// (P4D) -> 1 (PUD) -> 2 (PMD) -> 3 (PTE), 9 bits each below the root.
// Descriptor bits 49:12 hold PA bits 49:12, bits 9:8 PA bits 51:50 (where
// classic descriptors keep the shareability). VA 0xfff8008040201345 is
// PGD[8] P4D[1] PUD[1] PMD[1] PTE[1] offset 0x345; VA 0xfff801123456789a is
// PGD[8] P4D[2], a 512 GiB block (allowed at level 0 only with LPA2).
constexpr uint64_t kLpa2Pgd = 0x10000, kLpa2P4d = 0x11000, kLpa2Pud = 0x12000, kLpa2Pmd = 0x13000;
constexpr uint64_t kLpa2Pte = 0x000c000000014000;  // PA bits 51:50 = 0b11
FakePhysicalMemory tables_4k_52_lpa2() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(kLpa2Pgd, 8), 0x0000000000011003);  // PGD[8]: table -> P4D at 0x11000
  mem.set_u64(entry(kLpa2P4d, 1), 0x0000000000012003);  // P4D[1]: table -> PUD at 0x12000
  mem.set_u64(entry(kLpa2P4d, 2), 0x0000028000000601);  // P4D[2]: 512 GiB block at 0x28000000000 | 0b10 << 50
  mem.set_u64(entry(kLpa2Pud, 1), 0x0000000000013003);  // PUD[1]: table -> PMD at 0x13000
  mem.set_u64(entry(kLpa2Pmd, 1), 0x0000000000014303);  // PMD[1]: table -> 0x14000 | 0b11 << 50 (bits 9:8)
  mem.set_u64(entry(kLpa2Pte, 1), 0x0000123456789503);  // PTE[1]: page 0x123456789000 | 0b01 << 50; AF
  mem.set_u64(entry(kLpa2Pte, 2), 0x0000123456789500);  // PTE[2]: 0b00: invalid
  return mem;
}

Result<Translation> walk_lpa2(const FakePhysicalMemory& mem, unsigned page_shift, uint64_t root, uint64_t va) {
  Arm64Paging paging{.page_shift = page_shift, .va_bits = 52, .pa_bits = 52, .lpa2 = true};
  return arm64_walk(mem, paging, PhysAddr(root), VirtAddr(va));
}

TEST_CASE("arch: arm64 4K/52 LPA2: five levels, PA bits 51:50 from descriptor bits 9:8, 512 GiB block at L0") {
  FakePhysicalMemory mem = tables_4k_52_lpa2();
  auto page = walk_lpa2(mem, 12, kLpa2Pgd, 0xfff8008040201345);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x0004123456789345));
  CHECK(page->page_size == 4096);
  auto block = walk_lpa2(mem, 12, kLpa2Pgd, 0xfff801123456789a);
  REQUIRE(block);
  CHECK(block->pa == PhysAddr(0x000802923456789a));
  CHECK(block->page_size == (uint64_t{1} << 39));
}

TEST_CASE("arch: arm64 4K/52 LPA2 invalid: unmapped entries, and the same tables read as classic descriptors") {
  FakePhysicalMemory mem = tables_4k_52_lpa2();
  auto pte = walk_lpa2(mem, 12, kLpa2Pgd, 0xfff8008040202000);  // PTE[2]
  REQUIRE_FALSE(pte);
  CHECK(pte.error().code() == ErrorCode::Fault);
  CHECK(pte.error().message().starts_with("va 0xfff8008040202000: PTE entry 0x123456789500"));
  auto pgd = walk_lpa2(mem, 12, kLpa2Pgd, 0xfff7008040201345);  // PGD[7]: zero
  REQUIRE_FALSE(pgd);
  CHECK(pgd.error().code() == ErrorCode::Fault);
  CHECK(pgd.error().message().starts_with("va 0xfff7008040201345: PGD entry 0x0"));
  // Classic 4K/48 from the P4D: bits 9:8 are shareability, so the PTE
  // table is looked for at 0x14000, which the dump does not have; and a
  // level-0 block is not allowed.
  auto classic = walk(mem, 12, 48, kLpa2P4d, 0xffff008040201345);
  REQUIRE_FALSE(classic);
  CHECK(classic.error().code() == ErrorCode::NoData);
  CHECK(classic.error().message().starts_with("va 0xffff008040201345: reading PTE entry at pa 0x14008: "));
  auto block = walk(mem, 12, 48, kLpa2P4d, 0xffff01123456789a);
  REQUIRE_FALSE(block);
  CHECK(block.error().code() == ErrorCode::Corrupt);
  CHECK(block.error().message() ==
        "va 0xffff01123456789a: PGD entry 0x28000000601 at pa 0x11010: block descriptor not allowed at level 0 "
        "with 4K pages and 48-bit PA");
}

// FEAT_LPA2, 16K granule, VA_BITS 52: four levels, 0 (PGD, 5 bits) -> 1
// (PUD) -> 2 (PMD) -> 3 (PTE), 11 bits each. VA 0xfff880300a01d234 is
// PGD[0x11] PUD[3] PMD[5] PTE[7] offset 0x1234; VA 0xfff8804123456789 is
// PGD[0x11] PUD[4], a 64 GiB block (level 1: LPA2 only).
constexpr uint64_t k16Lpa2Pgd = 0x100000, k16Lpa2Pud = 0x104000, k16Lpa2Pmd = 0x108000;
constexpr uint64_t k16Lpa2Pte = 0x000400000010c000;  // PA bits 51:50 = 0b01
FakePhysicalMemory tables_16k_52_lpa2() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(k16Lpa2Pgd, 0x11), 0x0000000000104003);  // PGD[0x11]: table -> PUD at 0x104000
  mem.set_u64(entry(k16Lpa2Pud, 3), 0x0000000000108003);     // PUD[3]: table -> PMD at 0x108000
  mem.set_u64(entry(k16Lpa2Pud, 4), 0x0000002000000401);     // PUD[4]: 64 GiB block at 0x2000000000
  mem.set_u64(entry(k16Lpa2Pmd, 5), 0x000000000010c103);     // PMD[5]: table -> 0x10c000 | 0b01 << 50
  mem.set_u64(entry(k16Lpa2Pte, 7), 0x0000000123458703);     // PTE[7]: page 0x123458000 | 0b11 << 50; AF
  return mem;
}

TEST_CASE("arch: arm64 16K/52 LPA2: four levels, 64 GiB block at L1") {
  FakePhysicalMemory mem = tables_16k_52_lpa2();
  auto page = walk_lpa2(mem, 14, k16Lpa2Pgd, 0xfff880300a01d234);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0x000c000123459234));
  CHECK(page->page_size == 16384);
  auto block = walk_lpa2(mem, 14, k16Lpa2Pgd, 0xfff8804123456789);
  REQUIRE(block);
  CHECK(block->pa == PhysAddr(0x0000002123456789));
  CHECK(block->page_size == (uint64_t{1} << 36));
}

TEST_CASE("arch: arm64 16K/52 LPA2 invalid: a missing table and a block where none is allowed") {
  FakePhysicalMemory mem = tables_16k_52_lpa2();
  auto missing = walk_lpa2(mem, 14, k16Lpa2Pgd, 0xfff880300a01d234 + (uint64_t{1} << 25));  // PMD[6]: zero
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::Fault);
  // Classic 16K/47 from the PUD: a level-1 block is not allowed.
  auto block = walk(mem, 14, 47, k16Lpa2Pud, 0xffff804123456789);
  REQUIRE_FALSE(block);
  CHECK(block.error().code() == ErrorCode::Corrupt);
  CHECK(block.error().message().ends_with("block descriptor not allowed at level 1 with 16K pages and 48-bit PA"));
}

TEST_CASE("arch: arm64 big-endian descriptors") {
  FakePhysicalMemory mem;
  mem.set_u64(entry(k39Pgd, 0x100), 0x0000000000011003, true);  // PGD[0x100]: table -> PMD at 0x11000
  mem.set_u64(entry(k39Pmd, 0x40), 0x0000000080200701, true);   // PMD[0x40]: 2 MiB block at 0x80200000
  Arm64Paging paging{.page_shift = 12, .va_bits = 39, .endian = Endian::Big};
  auto t = arm64_walk(mem, paging, PhysAddr(k39Pgd), VirtAddr(0xffffffc008012345));
  REQUIRE(t);
  CHECK(t->pa == PhysAddr(0x80212345));
}

TEST_CASE("arch: arm64 traced walk records each level, and the not-present entry of a failed walk") {
  FakePhysicalMemory mem = tables_4k_39();
  Arm64Paging paging{.page_shift = 12, .va_bits = 39};
  WalkTrace trace;
  auto t = arm64_walk(mem, paging, PhysAddr(k39Pgd), VirtAddr(0xffffffc008012345), &trace);
  REQUIRE(t);
  REQUIRE(trace.size() == 3);
  CHECK(std::string(trace[0].level) == "PGD");
  CHECK(trace[0].table == PhysAddr(k39Pgd));
  CHECK(trace[0].index == 0x100);
  CHECK(trace[0].entry_address == PhysAddr(0x10800));
  CHECK(trace[0].entry == 0x0000000000011003);
  CHECK(std::string(trace[1].level) == "PMD");
  CHECK(trace[1].index == 0x40);
  CHECK(std::string(trace[2].level) == "PTE");
  CHECK(trace[2].table == PhysAddr(k39Pte));
  CHECK(trace[2].entry == 0x00f0000080345f03);

  trace.clear();
  REQUIRE_FALSE(arm64_walk(mem, paging, PhysAddr(k39Pgd), VirtAddr(0xffffffc008212345), &trace));  // PMD[0x41]
  REQUIRE(trace.size() == 2);
  CHECK(std::string(trace[1].level) == "PMD");
  CHECK(trace[1].entry == 0);

  auto tr = Arm64Translator::create(paging, PhysAddr(k39Pgd));
  REQUIRE(tr);
  auto tagged = tr->walk_traced(mem, VirtAddr(0xf2ffffc008012345), trace);  // a KASAN tag: same walk
  REQUIRE(tagged);
  CHECK(*tagged == *t);
  CHECK(trace.size() == 3);
  auto user = tr->walk_traced(mem, VirtAddr(0x0000004008012345), trace);
  REQUIRE_FALSE(user);
  CHECK(trace.empty());
}

TEST_CASE("arch: arm64 fast paths leave the image's hole (freed __init) to the walk") {
  Arm64Layout layout{.kimage_voffset = 0xffffffbf80000000,
                     .kimage_start = VirtAddr(0xffffffc080000000),
                     .kimage_size = 0x1000000,
                     .kimage_hole = VirtAddr(0xffffffc080800000),
                     .kimage_hole_size = 0x200000};
  auto tr = Arm64Translator::create({.page_shift = 12, .va_bits = 39}, PhysAddr(k39Pgd), layout);
  REQUIRE(tr);
  REQUIRE(tr->direct_mappings().size() == 2);
  const DirectMapping* before = tr->fast_path_for(VirtAddr(0xffffffc0807ff000));
  REQUIRE(before);
  CHECK(before->phys_start == PhysAddr(0x100000000));
  CHECK(tr->fast_path_for(VirtAddr(0xffffffc080800000)) == nullptr);  // the hole's first page
  CHECK(tr->fast_path_for(VirtAddr(0xffffffc0809ff000)) == nullptr);  // and its last
  const DirectMapping* after = tr->fast_path_for(VirtAddr(0xffffffc080a00000));
  REQUIRE(after);
  CHECK(after->phys_start == PhysAddr(0x100a00000));
  CHECK(tr->fast_path_for(VirtAddr(0xffffffc081000000)) == nullptr);  // _end
}
