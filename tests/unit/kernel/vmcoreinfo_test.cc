#include "ramsift/kernel/vmcoreinfo.h"

#include <doctest/doctest.h>

using namespace ramsift;

// Lines as x86_64 6.1 and arm64 kernels print them (kernel/crash_core.c,
// arch/*/kernel/*crash*.c).
static const char kX86[] =
    "OSRELEASE=6.1.0-test\n"
    "BUILD-ID=4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff82a13480\n"
    "SYMBOL(mem_section)=ffff88803ffd4000\n"
    "LENGTH(mem_section)=2048\n"
    "SIZE(page)=64\n"
    "OFFSET(page.flags)=0\n"
    "OFFSET(mem_section.section_mem_map)=0\n"
    "NUMBER(PG_buddy)=-129\n"
    "NUMBER(pgtable_l5_enabled)=0\n"
    "KERNELOFFSET=1a000000\n"
    "CRASHTIME=1732320000\n";

TEST_CASE("vmcoreinfo: typed lookups of every line kind") {
  auto info = Vmcoreinfo::parse(kX86);
  REQUIRE(info);
  CHECK(info->os_release() == "6.1.0-test");
  CHECK(info->build_id() == "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c");
  CHECK(info->page_size() == 4096u);
  CHECK(info->symbol("mem_section") == 0xffff88803ffd4000ull);
  CHECK(info->length("mem_section") == 2048u);
  CHECK(info->size("page") == 64u);
  CHECK(info->offset("page", "flags") == 0u);
  CHECK(info->number("PG_buddy") == -129);
  CHECK(info->kernel_offset() == 0x1a000000u);
  CHECK_FALSE(info->symbol("page_owner_ops"));  // absent: no default invented
}

TEST_CASE("vmcoreinfo: arm64 hex NUMBERs and NUL padding") {
  std::string text = "NUMBER(VA_BITS)=39\nNUMBER(kimage_voffset)=0xffffffbf70000000\nNUMBER(PHYS_OFFSET)=0x40000000\n";
  text.append(12, '\0');
  auto info = Vmcoreinfo::parse(text);
  REQUIRE(info);
  CHECK(info->number("VA_BITS") == 39);
  CHECK(static_cast<uint64_t>(*info->number("kimage_voffset")) == 0xffffffbf70000000ull);
  CHECK(info->number("PHYS_OFFSET") == 0x40000000);
  CHECK(info->entries().size() == 3);
}

TEST_CASE("vmcoreinfo: garbage is rejected, malformed values are absent") {
  CHECK_FALSE(Vmcoreinfo::parse("no equals sign here\n\n"));
  CHECK_FALSE(Vmcoreinfo::parse(""));
  auto info = Vmcoreinfo::parse("SYMBOL(x)=zz\nPAGESIZE=4k\nSIZE(page)=\n");
  REQUIRE(info);
  CHECK_FALSE(info->symbol("x"));
  CHECK_FALSE(info->page_size());
  CHECK_FALSE(info->size("page"));
}

TEST_CASE("vmcoreinfo: drop_derived() removes the keys RAMSIFT_DERIVED lists, and the list") {
  auto info = Vmcoreinfo::parse(
      "OSRELEASE=6.12.0\nPAGESIZE=4096\nKERNELOFFSET=1f00000\nNUMBER(VA_BITS)=39\n"
      "RAMSIFT_DERIVED=PAGESIZE,KERNELOFFSET,NUMBER(VA_BITS)\n");
  REQUIRE(info);
  info->drop_derived();
  CHECK(info->os_release() == "6.12.0");
  CHECK(!info->page_size());
  CHECK(!info->kernel_offset());
  CHECK(!info->number("VA_BITS"));
  CHECK(!info->raw("RAMSIFT_DERIVED"));
  auto plain = Vmcoreinfo::parse("PAGESIZE=4096\n");
  REQUIRE(plain);
  plain->drop_derived();
  CHECK(plain->page_size() == 4096u);
}
