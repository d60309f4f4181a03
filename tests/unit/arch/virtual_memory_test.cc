// VirtualMemory reads and fast paths over hand-laid tables.
#include "ramsift/arch/virtual_memory.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "ramsift/arch/arm64.h"
#include "ramsift/arch/x86_64.h"
#include "support/fake_memory.h"

using namespace ramsift;
using ramsift::testing::FakePhysicalMemory;

namespace {

PhysAddr entry(uint64_t table, uint64_t index) {
  return PhysAddr(table + index * 8);
}

constexpr uint64_t kDirectMap = 0xffff888000000000;  // page_offset_base
constexpr uint64_t kPhysBase = 0x1000000;
constexpr uint8_t kSeed = 0x5a;

// x86_64 4-level tables for direct-map VAs 0xffff888000010000-0x16fff
// (PGD[0x111] PUD[0] PMD[0] PTE[0x10-0x16]) and the kernel image at
// 0xffffffff81000000 (PGD[0x1ff] PUD[0x1fe] PMD[8]).
FakePhysicalMemory x86_tables() {
  FakePhysicalMemory mem;
  mem.set_u64(entry(0x1000, 0x111), 0x0000000000002063);  // PGD[0x111]: -> PUD at 0x2000 (direct map)
  mem.set_u64(entry(0x2000, 0), 0x0000000000003063);      // PUD[0]: -> PMD at 0x3000
  mem.set_u64(entry(0x3000, 0), 0x0000000000004063);      // PMD[0]: -> PTE at 0x4000
  mem.set_u64(entry(0x4000, 0x10), 0x8000000000010163);   // PTE[0x10]: 0x10000, as the direct map says
  mem.set_u64(entry(0x4000, 0x11), 0x8000000000011163);   // PTE[0x11]: 0x11000, as the direct map says
  mem.set_u64(entry(0x4000, 0x12), 0x8000000000030163);   // PTE[0x12]: 0x30000, the direct map says 0x12000
  mem.set_u64(entry(0x4000, 0x13), 0x8000000000013163);   // PTE[0x13]: 0x13000, whose data is excluded
  mem.set_u64(entry(0x4000, 0x14), 0x0000000000014000);   // PTE[0x14]: not present (a hole in the map)
  mem.set_u64(entry(0x4000, 0x15), 0x8000000000015163);   // PTE[0x15]: 0x15000; PTE[0x16] stays 0
  mem.set_u64(entry(0x1000, 0x1ff), 0x0000000000005063);  // PGD[0x1ff]: -> PUD at 0x5000 (kernel image)
  mem.set_u64(entry(0x5000, 0x1fe), 0x0000000000006063);  // PUD[0x1fe]: -> PMD at 0x6000
  mem.set_u64(entry(0x6000, 8), 0x00000000020001e3);      // PMD[8]: 2 MiB page 0x2000000 = phys_base + 16 MiB
  mem.set_u64(entry(0x6000, 9), 0x00000000050001e3);      // PMD[9]: 2 MiB page 0x5000000, image says 0x2200000
  for (uint64_t pa : {0x10000, 0x11000, 0x12000, 0x14000, 0x15000, 0x16000, 0x30000, 0x2000000, 0x2001000}) {
    mem.fill(PhysAddr(pa), 4096, kSeed);
  }
  mem.exclude(PhysAddr(0x13000));
  return mem;
}

X86_64Translator x86_translator() {
  auto tr = X86_64Translator::create({}, PhysAddr(0x1000),
                                     {.page_offset_base = VirtAddr(kDirectMap),
                                      .direct_map_size = uint64_t{1} << 46,
                                      .phys_base = PhysAddr(kPhysBase),
                                      .kernel_image_size = uint64_t{1} << 30});
  REQUIRE(tr);
  return std::move(tr).value();
}

bool matches_pattern(std::span<const std::byte> bytes, uint64_t pa) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != FakePhysicalMemory::pattern(PhysAddr(pa + i), kSeed)) return false;
  }
  return true;
}

VirtAddr dm(uint64_t offset) {
  return VirtAddr(kDirectMap + offset);
}

}  // namespace

TEST_CASE("arch: VirtualMemory reads across a page boundary") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  std::vector<std::byte> buf(32);
  auto n = vm.read(dm(0x10ff0), buf);  // PTE[0x10] -> PTE[0x11]
  REQUIRE(n);
  CHECK(*n == 32);
  CHECK(matches_pattern(buf, 0x10ff0));
  // PTE[0x11] -> PTE[0x12]: physically apart (0x11fff, then 0x30000).
  REQUIRE(vm.read_exact(dm(0x11ff8), buf));
  CHECK(matches_pattern(std::span(buf).first(8), 0x11ff8));
  CHECK(matches_pattern(std::span(buf).subspan(8), 0x30000));
  mem.set_u64(PhysAddr(0x11ff8), 0x4433221188776655);  // the last 8 bytes of pa 0x11000
  // va 0x11ffc: 4 bytes at pa 0x11ffc, then 4 at pa 0x30000 (PTE[0x12]).
  auto word = vm.read_u64(dm(0x11ffc));
  REQUIRE(word);
  uint64_t high = 0;
  for (int i = 0; i < 4; ++i) high |= uint64_t(FakePhysicalMemory::pattern(PhysAddr(0x30000 + i), kSeed)) << (8 * i);
  CHECK(*word == ((high << 32) | 0x44332211));
}

TEST_CASE("arch: VirtualMemory stops at an unmapped or excluded page and returns the prefix") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  std::vector<std::byte> buf(16);

  auto into_hole = vm.read(dm(0x15ff8), buf);  // PTE[0x16] is not present
  REQUIRE(into_hole);
  CHECK(*into_hole == 8);
  CHECK(matches_pattern(std::span(buf).first(8), 0x15ff8));

  auto into_excluded = vm.read(dm(0x12ff8), buf);  // PTE[0x13] -> 0x13000, excluded
  REQUIRE(into_excluded);
  CHECK(*into_excluded == 8);
  CHECK(matches_pattern(std::span(buf).first(8), 0x30ff8));
}

TEST_CASE("arch: VirtualMemory invalid: the first byte's error is the read's error") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  std::vector<std::byte> buf(16);

  auto unmapped = vm.read(dm(0x14010), buf);
  REQUIRE_FALSE(unmapped);
  CHECK(unmapped.error().code() == ErrorCode::Fault);
  CHECK(unmapped.error().message() == "va 0xffff888000014010: PTE entry 0x14000 not present");

  auto excluded = vm.read(dm(0x13010), buf);
  REQUIRE_FALSE(excluded);
  CHECK(excluded.error().code() == ErrorCode::NoData);
  // Both addresses, typed and apart (no longer "va ...: pa ..." in the text).
  CHECK(excluded.error().message() == "page 0x13000 excluded from the dump");
  REQUIRE(excluded.error().virtual_address());
  CHECK(excluded.error().virtual_address()->value() == 0xffff888000013010);
  REQUIRE(excluded.error().physical());
  CHECK(excluded.error().physical()->value() == 0x13010);

  auto noncanonical = vm.read(VirtAddr(0x0000900000000000), buf);
  REQUIRE_FALSE(noncanonical);
  CHECK(noncanonical.error().code() == ErrorCode::Fault);

  auto word = vm.read_u64(dm(0x15ffc));  // 4 bytes, then PTE[0x16]
  REQUIRE_FALSE(word);
  CHECK(word.error().message() == "va 0xffff888000016000: PTE entry 0x0 not present");

  auto exact = vm.read_exact(dm(0x15ff8), buf);  // 8 bytes, then PTE[0x16]
  REQUIRE_FALSE(exact);
  CHECK(exact.error().code() == ErrorCode::Fault);
  CHECK(exact.error().message() == "va 0xffff888000016000: PTE entry 0x0 not present");
}

TEST_CASE("arch: VirtualMemory reads a large page in one physical read") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  std::vector<std::byte> buf(0x1800);
  uint64_t before = mem.reads();
  REQUIRE(vm.read_exact(VirtAddr(0xffffffff81000800), buf));  // PMD[8]: 2 MiB page
  CHECK(mem.reads() - before == 4);                           // PGD, PUD, PMD entries, then the data at once
  CHECK(matches_pattern(buf, 0x2000800));
}

TEST_CASE("arch: VirtualMemory caches translations per page") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  auto first = vm.translate(dm(0x10010));
  auto second = vm.translate(dm(0x10ff0));
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->pa == PhysAddr(0x10010));
  CHECK(second->pa == PhysAddr(0x10ff0));
  CHECK(vm.cache_stats().hits == 1);
  CHECK(vm.cache_stats().misses == 1);
  CHECK_FALSE(vm.translate(dm(0x14000)));  // failures are not cached
  CHECK_FALSE(vm.translate(dm(0x14000)));
  CHECK(vm.cache_stats().misses == 3);
}

TEST_CASE("arch: VirtualMemory is safe to share between threads") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  VirtualMemory vm(mem, tr);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> buf(64);
      for (int i = 0; i < 500; ++i) {
        uint64_t offset = (i + t) % 2 ? 0x10f00 : 0x15100;
        if (vm.read_exact(dm(offset), buf) && matches_pattern(buf, offset)) ++ok[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int count : ok) CHECK(count == 500);
}

TEST_CASE("arch: x86_64 fast paths agree with the walk where the tables say so") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  REQUIRE(tr.direct_mappings().size() == 2);
  FastPathCheck direct = check_fast_path(mem, tr, dm(0x10123));
  CHECK(direct.agree());
  CHECK(direct.mapping->name == "direct map");
  CHECK(direct.describe() == "va 0xffff888000010123: direct map gives pa 0x10123, page tables give pa 0x10123");
  FastPathCheck image = check_fast_path(mem, tr, VirtAddr(0xffffffff81012345));
  CHECK(image.agree());
  CHECK(image.mapping->name == "kernel image");
  CHECK(*image.fast == PhysAddr(0x2012345));
  FastPathCheck vmalloc = check_fast_path(mem, tr, VirtAddr(0xffffc90000000000));
  CHECK(vmalloc.mapping == nullptr);
  CHECK_FALSE(vmalloc.agree());
}

TEST_CASE("arch: x86_64 fast paths invalid: disagreement and a hole are detected") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  FastPathCheck moved = check_fast_path(mem, tr, dm(0x12000));
  CHECK_FALSE(moved.agree());
  CHECK(moved.describe() == "va 0xffff888000012000: direct map gives pa 0x12000, page tables give pa 0x30000");
  FastPathCheck hole = check_fast_path(mem, tr, dm(0x14000));
  CHECK_FALSE(hole.agree());
  CHECK(hole.describe() ==
        "va 0xffff888000014000: direct map gives pa 0x14000, page tables: va 0xffff888000014000: PTE entry "
        "0x14000 not present");
  FastPathCheck image = check_fast_path(mem, tr, VirtAddr(0xffffffff81200000));  // PMD[9]
  CHECK_FALSE(image.agree());
  CHECK(image.describe() == "va 0xffffffff81200000: kernel image gives pa 0x2200000, page tables give pa 0x5000000");
  auto bad = X86_64Translator::create({}, PhysAddr(0x1000),
                                      {.page_offset_base = VirtAddr(0x00007fffffff0000), .direct_map_size = 1 << 20});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::BadInput);
}

TEST_CASE("arch: VirtualMemory fast-path and checked modes") {
  FakePhysicalMemory mem = x86_tables();
  X86_64Translator tr = x86_translator();
  std::vector<std::byte> buf(16);

  VirtualMemory fast(mem, tr, TranslationMode::FastPath);
  REQUIRE(fast.read_exact(dm(0x12000), buf));  // the direct map's answer, not the tables'
  CHECK(matches_pattern(buf, 0x12000));
  std::vector<std::byte> big(0x2000);
  uint64_t before = mem.reads();
  REQUIRE(fast.read_exact(dm(0x10000), big));  // 0x10000-0x11fff in one physical read, no walk
  CHECK(mem.reads() - before == 1);
  CHECK(matches_pattern(big, 0x10000));
  auto walked = fast.translate(VirtAddr(0xffffc90000000000));  // no fast path: walked
  REQUIRE_FALSE(walked);
  CHECK(walked.error().message() == "va 0xffffc90000000000: PGD entry 0x0 not present");

  VirtualMemory checked(mem, tr, TranslationMode::Checked);
  REQUIRE(checked.read_exact(dm(0x10ff8), buf));
  auto disagree = checked.read(dm(0x12000), buf);
  REQUIRE_FALSE(disagree);
  CHECK(disagree.error().code() == ErrorCode::Corrupt);
  CHECK(disagree.error().message() ==
        "va 0xffff888000012000: direct map gives pa 0x12000, page tables give pa 0x30000");
  auto prefix = checked.read(dm(0x11ff8), buf);  // stops where they disagree
  REQUIRE(prefix);
  CHECK(*prefix == 8);
}

// arm64 4K/39 tables for the linear map at PAGE_OFFSET 0xffffff8000000000
// (PHYS_OFFSET 0x80000000) and the kernel image at 0xffffffc008000000
// (loaded at 0x80200000: kimage_voffset 0xffffffbf87e00000).
TEST_CASE("arch: arm64 fast paths: linear map and kernel image, agreeing and not") {
  FakePhysicalMemory mem;
  constexpr uint64_t pgd = 0x10000, pmd = 0x11000;
  mem.set_u64(entry(pgd, 0x000), 0x0060000080000701);  // PGD[0]: 1 GiB block 0x80000000 (linear map, agrees)
  mem.set_u64(entry(pgd, 0x001), 0x0060000100000701);  // PGD[1]: 1 GiB block 0x100000000 (linear says 0xc0000000)
  mem.set_u64(entry(pgd, 0x100), 0x0000000000011003);  // PGD[0x100]: table -> PMD at 0x11000 (kernel image)
  mem.set_u64(entry(pmd, 0x40), 0x0040000080200781);   // PMD[0x40]: 2 MiB block 0x80200000 (image, agrees)
  mem.set_u64(entry(pmd, 0x41), 0x0040000090000781);   // PMD[0x41]: 2 MiB block 0x90000000 (image says 0x80400000)
  constexpr uint64_t kimage_voffset = 0xffffffc008000000 - 0x80200000;
  auto tr = Arm64Translator::create({.page_shift = 12, .va_bits = 39}, PhysAddr(pgd),
                                    {.page_offset = VirtAddr(0xffffff8000000000),
                                     .linear_size = uint64_t{1} << 38,
                                     .phys_offset = PhysAddr(0x80000000),
                                     .kimage_voffset = kimage_voffset,
                                     .kimage_start = VirtAddr(0xffffffc008000000),
                                     .kimage_size = 0x1000000});
  REQUIRE(tr);
  FastPathCheck linear = check_fast_path(mem, *tr, VirtAddr(0xffffff8000001000));
  CHECK(linear.agree());
  CHECK(linear.walk->page_size == (uint64_t{1} << 30));
  FastPathCheck tagged = check_fast_path(mem, *tr, VirtAddr(0xf4ffff8000001000));  // KASAN tag 0xf4
  CHECK(tagged.agree());
  CHECK(tagged.va == VirtAddr(0xffffff8000001000));
  FastPathCheck image = check_fast_path(mem, *tr, VirtAddr(0xffffffc008012345));
  CHECK(image.agree());
  CHECK(*image.fast == PhysAddr(0x80212345));

  FastPathCheck linear_moved = check_fast_path(mem, *tr, VirtAddr(0xffffff8040000000));
  CHECK_FALSE(linear_moved.agree());
  CHECK(linear_moved.describe() ==
        "va 0xffffff8040000000: linear map gives pa 0xc0000000, page tables give pa 0x100000000");
  FastPathCheck image_moved = check_fast_path(mem, *tr, VirtAddr(0xffffffc008200000));
  CHECK_FALSE(image_moved.agree());
  CHECK(image_moved.describe() ==
        "va 0xffffffc008200000: kernel image gives pa 0x80400000, page tables give pa 0x90000000");

  VirtualMemory checked(mem, *tr, TranslationMode::Checked);
  auto t = checked.translate(VirtAddr(0xf4ffff8000001000));
  REQUIRE(t);
  CHECK(t->pa == PhysAddr(0x80001000));
  auto bad = checked.translate(VirtAddr(0xffffff8040000000));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::Corrupt);
}

TEST_CASE("arch: VirtualMemory stops at the top of the address space") {
  FakePhysicalMemory mem = x86_tables();
  // A kernel image fast path of 2 GiB ends at 2^64: its last page is
  // phys_base + 0x7ffff000.
  mem.fill(PhysAddr(kPhysBase + 0x7ffff000), 4096, kSeed);
  auto tr = X86_64Translator::create({}, PhysAddr(0x1000),
                                     {.phys_base = PhysAddr(kPhysBase), .kernel_image_size = uint64_t{2} << 30});
  REQUIRE(tr);
  VirtualMemory vm(mem, *tr, TranslationMode::FastPath);
  std::vector<std::byte> buf(16);
  auto n = vm.read(VirtAddr(0xfffffffffffffff8), buf);
  REQUIRE(n);
  CHECK(*n == 8);  // never wraps around to va 0
  CHECK(matches_pattern(std::span(buf).first(8), kPhysBase + 0x7ffffff8));
}
