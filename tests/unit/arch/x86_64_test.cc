// x86_64 page-table walks over hand-laid tables, one comment per entry.
// Entry bits used below: 0 P, 1 RW, 5 A, 6 D, 7 PS (PAT in a PTE), 8 G,
// 12 PAT of a large page, 62:59 protection key, 63 NX.
#include "ramsift/arch/x86_64.h"

#include <doctest/doctest.h>

#include <string>

#include "support/fake_memory.h"

using namespace ramsift;
using ramsift::testing::FakePhysicalMemory;

namespace {

PhysAddr entry(uint64_t table, uint64_t index) {
  return PhysAddr(table + index * 8);
}

// 4-level paging: PML4 (PGD) -> PDPT (PUD) -> PD (PMD) -> PT (PTE).
// Direct-map VA 0xffff888000123456 is PGD[0x111] PUD[0] PMD[0] PTE[0x123]
// offset 0x456. CR3 carries PCID 5 and the no-flush bit.
constexpr uint64_t kCr3 = 0x8000000000001005;
constexpr uint64_t kPgd = 0x1000, kPud = 0x2000, kPmd = 0x3000, kPte = 0x4000;
FakePhysicalMemory tables_4_level() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(kPgd, 0x111), 0x8000000000002063);  // PGD[0x111]: -> PUD at 0x2000, NX on a table
  mem.set_u64(entry(kPgd, 0x112), 0x0000000000005083);  // PGD[0x112]: PS set in a PML4 entry: reserved
  mem.set_u64(entry(kPgd, 0x113), 0x0000000000009063);  // PGD[0x113]: -> PUD at 0x9000, not in the dump
  mem.set_u64(entry(kPgd, 0x114), 0x000000000000a063);  // PGD[0x114]: -> PUD at 0xa000, excluded
  mem.exclude(PhysAddr(0xa000));
  mem.set_u64(entry(kPud, 0), 0x0000000000003063);      // PUD[0]: -> PMD at 0x3000
  mem.set_u64(entry(kPud, 1), 0xf8000000400011e3);      // PUD[1]: 1 GiB page 0x40000000; NX, pkey 15, PAT, G
  mem.set_u64(entry(kPmd, 0), 0x0000000000004063);      // PMD[0]: -> PTE at 0x4000
  mem.set_u64(entry(kPmd, 2), 0x80000000006000e3);      // PMD[2]: 2 MiB page 0x600000, NX
  mem.set_u64(entry(kPmd, 3), 0x0000000000800062);      // PMD[3]: P clear (a 2 MiB page that was unmapped)
  mem.set_u64(entry(kPte, 0x123), 0x8000000000abc1e3);  // PTE[0x123]: page 0xabc000; NX, G, PAT (bit 7)
  return mem;
}

Result<Translation> walk4(const FakePhysicalMemory& mem, uint64_t va) {
  return x86_64_walk(mem, X86_64Paging{}, PhysAddr(kCr3), VirtAddr(va));
}

}  // namespace

TEST_CASE("arch: x86_64 4-level: 4K, 2M and 1G pages with NX and other high bits masked") {
  FakePhysicalMemory mem = tables_4_level();
  auto page = walk4(mem, 0xffff888000123456);
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0xabc456));
  CHECK(page->page_size == 4096);

  auto large = walk4(mem, 0xffff888000523456);  // PMD[2]
  REQUIRE(large);
  CHECK(large->pa == PhysAddr(0x723456));
  CHECK(large->page_size == (uint64_t{2} << 20));

  auto huge = walk4(mem, 0xffff888040000010);  // PUD[1]
  REQUIRE(huge);
  CHECK(huge->pa == PhysAddr(0x40000010));
  CHECK(huge->page_size == (uint64_t{1} << 30));
}

TEST_CASE("arch: x86_64 4-level invalid: not present, reserved PS, non-canonical, missing tables") {
  FakePhysicalMemory mem = tables_4_level();
  auto absent = walk4(mem, 0xffff888000723456);  // PMD[3]: P clear
  REQUIRE_FALSE(absent);
  CHECK(absent.error().code() == ErrorCode::Fault);
  CHECK(absent.error().message() == "va 0xffff888000723456: PMD entry 0x800062 not present");

  auto zero = walk4(mem, 0xffff888000923456);  // PMD[4]: never written
  REQUIRE_FALSE(zero);
  CHECK(zero.error().message() == "va 0xffff888000923456: PMD entry 0x0 not present");

  auto reserved = walk4(mem, 0xffff890000000000);  // PGD[0x112]
  REQUIRE_FALSE(reserved);
  CHECK(reserved.error().code() == ErrorCode::Corrupt);
  CHECK(reserved.error().message() ==
        "va 0xffff890000000000: PGD entry 0x5083 at pa 0x1890: PS bit set where large pages are reserved");

  auto noncanonical = walk4(mem, 0x0000800000000000);
  REQUIRE_FALSE(noncanonical);
  CHECK(noncanonical.error().code() == ErrorCode::Fault);
  CHECK(noncanonical.error().message() == "va 0x800000000000: not canonical for 4-level paging");
  CHECK_FALSE(walk4(mem, 0xff11000000123456));  // canonical only with 5 levels

  auto missing = walk4(mem, 0xffff898000000000);  // PGD[0x113] -> 0x9000
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::NoData);
  CHECK(missing.error().message() ==
        "va 0xffff898000000000: reading PUD entry at pa 0x9000: table page outside the dump: pa 0x9000 outside "
        "the dump");

  auto excluded = walk4(mem, 0xffff8a0000000000);  // PGD[0x114] -> 0xa000, excluded
  REQUIRE_FALSE(excluded);
  CHECK(excluded.error().code() == ErrorCode::NoData);
  CHECK(excluded.error().message() ==
        "va 0xffff8a0000000000: reading PUD entry at pa 0xa000: page 0xa000 excluded from the dump");
}

TEST_CASE("arch: x86_64 SME: the C-bit is not part of the address") {
  FakePhysicalMemory mem;
  constexpr uint64_t c_bit = uint64_t{1} << 47;
  mem.set_u64(entry(kPgd, 0x111), c_bit | 0x2063);          // PGD[0x111]: -> PUD at 0x2000, encrypted
  mem.set_u64(entry(kPud, 0), c_bit | 0x3063);              // PUD[0]: -> PMD at 0x3000, encrypted
  mem.set_u64(entry(kPmd, 0), c_bit | 0x00000000002000e3);  // PMD[0]: 2 MiB page 0x200000, encrypted
  X86_64Paging paging{.encryption_mask = c_bit};
  auto t = x86_64_walk(mem, paging, PhysAddr(kPgd | c_bit), VirtAddr(0xffff888000012345));
  REQUIRE(t);
  CHECK(t->pa == PhysAddr(0x212345));
  // Without the mask the C-bit is taken for an address bit: the PUD is
  // looked for above 128 TiB, outside the dump.
  auto unmasked = x86_64_walk(mem, X86_64Paging{}, PhysAddr(kPgd), VirtAddr(0xffff888000012345));
  REQUIRE_FALSE(unmasked);
  CHECK(unmasked.error().code() == ErrorCode::NoData);
}

// 5-level paging: PML5 (PGD) -> PML4 (P4D) -> PDPT (PUD) -> PD (PMD) -> PT
// (PTE). Direct-map VA 0xff11000000123456 is PGD[0x111] P4D[0] PUD[0] PMD[0]
// PTE[0x123]; 0xff11000040000010 is PUD[1], a 1 GiB page.
TEST_CASE("arch: x86_64 5-level: 4K page and 1G page") {
  FakePhysicalMemory mem;
  constexpr uint64_t pgd = 0x10000, p4d = 0x11000, pud = 0x12000, pmd = 0x13000, pte = 0x14000;
  mem.set_u64(entry(pgd, 0x111), 0x0000000000011067);  // PGD[0x111]: -> P4D at 0x11000
  mem.set_u64(entry(p4d, 0), 0x0000000000012067);      // P4D[0]: -> PUD at 0x12000
  mem.set_u64(entry(pud, 0), 0x0000000000013067);      // PUD[0]: -> PMD at 0x13000
  mem.set_u64(entry(pud, 1), 0x80000001c00000e3);      // PUD[1]: 1 GiB page 0x1c0000000, NX
  mem.set_u64(entry(pmd, 0), 0x0000000000014067);      // PMD[0]: -> PTE at 0x14000
  mem.set_u64(entry(pte, 0x123), 0x800fedcba9876163);  // PTE[0x123]: page 0xfedcba9876000 (bit 51 set), NX

  X86_64Paging paging{.five_level = true};
  auto page = x86_64_walk(mem, paging, PhysAddr(pgd), VirtAddr(0xff11000000123456));
  REQUIRE(page);
  CHECK(page->pa == PhysAddr(0xfedcba9876456));
  CHECK(page->page_size == 4096);
  auto huge = x86_64_walk(mem, paging, PhysAddr(pgd), VirtAddr(0xff11000040000010));
  REQUIRE(huge);
  CHECK(huge->pa == PhysAddr(0x1c0000010));
  CHECK(huge->page_size == (uint64_t{1} << 30));
}

TEST_CASE("arch: x86_64 5-level invalid: P4D not present, PS in a P4D entry, non-canonical") {
  FakePhysicalMemory mem;
  constexpr uint64_t pgd = 0x10000, p4d = 0x11000;
  mem.set_u64(entry(pgd, 0x111), 0x0000000000011067);  // PGD[0x111]: -> P4D at 0x11000
  mem.set_u64(entry(p4d, 1), 0x00000000400000e3);      // P4D[1]: PS set in a PML4 entry: reserved
  X86_64Paging paging{.five_level = true};
  auto absent = x86_64_walk(mem, paging, PhysAddr(pgd), VirtAddr(0xff11000000123456));  // P4D[0]
  REQUIRE_FALSE(absent);
  CHECK(absent.error().code() == ErrorCode::Fault);
  CHECK(absent.error().message() == "va 0xff11000000123456: P4D entry 0x0 not present");
  auto reserved = x86_64_walk(mem, paging, PhysAddr(pgd), VirtAddr(0xff11008000000000));  // P4D[1]
  REQUIRE_FALSE(reserved);
  CHECK(reserved.error().code() == ErrorCode::Corrupt);
  CHECK(reserved.error().message() ==
        "va 0xff11008000000000: P4D entry 0x400000e3 at pa 0x11008: PS bit set where large pages are reserved");
  auto noncanonical = x86_64_walk(mem, paging, PhysAddr(pgd), VirtAddr(0x0100000000000000));
  REQUIRE_FALSE(noncanonical);
  CHECK(noncanonical.error().message() == "va 0x100000000000000: not canonical for 5-level paging");
  CHECK(x86_64_canonical(VirtAddr(0x00ffffffffffffff), true));
  CHECK(x86_64_canonical(VirtAddr(0xffff800000000000), false));
  CHECK_FALSE(x86_64_canonical(VirtAddr(0xffff7fffffffffff), false));
}

TEST_CASE("arch: x86_64 traced walk records each level's table, index and entry, and stops where it failed") {
  FakePhysicalMemory mem = tables_4_level();
  WalkTrace trace;
  auto page = x86_64_walk(mem, X86_64Paging{}, PhysAddr(kCr3), VirtAddr(0xffff888000123456), &trace);
  REQUIRE(page);
  REQUIRE(trace.size() == 4);
  CHECK(std::string(trace[0].level) == "PGD");
  CHECK(trace[0].table == PhysAddr(kPgd));  // CR3's PCID and no-flush bit are not part of the table address
  CHECK(trace[0].index == 0x111);
  CHECK(trace[0].entry_address == PhysAddr(0x1888));
  CHECK(trace[0].entry == 0x8000000000002063);
  CHECK(std::string(trace[3].level) == "PTE");
  CHECK(trace[3].table == PhysAddr(kPte));
  CHECK(trace[3].index == 0x123);
  CHECK(trace[3].entry == 0x8000000000abc1e3);

  trace.clear();
  auto large = x86_64_walk(mem, X86_64Paging{}, PhysAddr(kCr3), VirtAddr(0xffff888000523456), &trace);
  REQUIRE(large);
  REQUIRE(trace.size() == 3);  // the walk ends at the PMD's 2 MiB page
  CHECK(std::string(trace[2].level) == "PMD");
  CHECK(trace[2].entry == 0x80000000006000e3);

  // Invalid twins: the not-present entry is the last step; an unreadable
  // table page leaves only the steps before it.
  trace.clear();
  REQUIRE_FALSE(x86_64_walk(mem, X86_64Paging{}, PhysAddr(kCr3), VirtAddr(0xffff888000723456), &trace));
  REQUIRE(trace.size() == 3);
  CHECK(std::string(trace[2].level) == "PMD");
  CHECK(trace[2].entry == 0x800062);
  trace.clear();
  REQUIRE_FALSE(x86_64_walk(mem, X86_64Paging{}, PhysAddr(kCr3), VirtAddr(0xffff898000000000), &trace));
  REQUIRE(trace.size() == 1);
  CHECK(trace[0].entry == 0x9063);

  // The translator's walk_traced is the same walk, and clears the trace first.
  auto tr = X86_64Translator::create(X86_64Paging{}, PhysAddr(kCr3));
  REQUIRE(tr);
  auto again = tr->walk_traced(mem, VirtAddr(0xffff888000123456), trace);
  REQUIRE(again);
  CHECK(*again == *page);
  CHECK(trace.size() == 4);
}

TEST_CASE("arch: x86_64 kernel-image fast path covers _text to _end only, with the phys_base arithmetic of __pa()") {
  X86_64Layout layout{.phys_base = PhysAddr(0x1ae00000),
                      .kernel_image_size = 0x2800000,
                      .kernel_image_start = VirtAddr(0xffffffff8bc00000)};
  auto tr = X86_64Translator::create(X86_64Paging{}, PhysAddr(kCr3), layout);
  REQUIRE(tr);
  const DirectMapping* image = tr->fast_path_for(VirtAddr(0xffffffff8bc00000));
  REQUIRE(image);
  // __pa(va) = va - __START_KERNEL_map + phys_base.
  CHECK(image->phys_start == PhysAddr(0xffffffff8bc00000 - kX86_64StartKernelMap + 0x1ae00000));
  CHECK(tr->fast_path_for(VirtAddr(0xffffffff8bbff000)) == nullptr);  // below _text
  CHECK(tr->fast_path_for(VirtAddr(0xffffffff8e400000)) == nullptr);  // _end: walked, not guessed
}
