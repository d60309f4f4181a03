#include "ramsift/kernel/version_facts.h"

#include "ramsift/kernel/kernel.h"

namespace ramsift {

namespace {

constexpr VersionFactEntry kFacts[] = {
    {VersionFact::Arm64SectionSizeBits27, 5, 12, "arm64 SECTION_SIZE_BITS 30 -> 27 (29 with 64K pages)",
     "f0b13ee23241 (\"arm64/sparsemem: reduce SECTION_SIZE_BITS\")",
     "VMCOREINFO SECTION_SIZE_BITS (v5.13+), then the array bound of struct mem_section_usage.subsection_map "
     "(SUBSECTIONS_PER_SECTION bits)"},
    {VersionFact::PageblockOrderThpOnly, 6, 12,
     "pageblock_order = min(HPAGE_PMD_ORDER, MAX_PAGE_ORDER) with CONFIG_TRANSPARENT_HUGEPAGE and no "
     "CONFIG_HUGETLB_PAGE (before: MAX_PAGE_ORDER)",
     "include/linux/pageblock-flags.h's CONFIG_TRANSPARENT_HUGEPAGE branch, in Debian's linux-source-6.12 "
     "(6.12.118) and not in linux-source-6.1",
     "the variable pageblock_order, the symbols hugetlb_report_meminfo and transparent_hugepage_flags"},
    {VersionFact::PageTypeBase80, 6, 11, "PageBuddy(): page_type base 0x80000000, PG_buddy 0x40000000",
     "include/linux/page-flags.h of v6.11 (the enum pagetype of v6.12, 4ffca5a96678, supersedes it)",
     "the enumerator PGTY_buddy (v6.12+)"},
    {VersionFact::PageOwnerPfnHex, 6, 6, "print_page_owner(): \"PFN 0x%lx type %s ...\" (before: \"PFN %lu\")",
     "mm/page_owner.c: 6.4.6 prints the PFN in decimal, 6.6.9 and 6.6.17 in hex",
     "the format string itself in the vmlinux's .rodata"},
    {VersionFact::PageOwnerMemcg, 5, 19, "print_page_owner(): \"Charged %sto %smemcg %s\" after the stack",
     "\"mm/page_owner: print memcg information\" (Waiman Long, v5.19; lore "
     "20220202203036.744010-3-longman@redhat.com); 5.15.135 has struct page memcg_data and no such line",
     "the format string itself in the vmlinux's .rodata"},
    {VersionFact::PageblockBitsFromLsb, 5, 9,
     "__get_pfnblock_flags_mask(): (word >> bitidx) & mask (before: word >> (BITS_PER_LONG - bitidx - "
     "end_bitidx - 1))",
     "\"mm, page_alloc: remove unnecessary end_bitidx for [set|get]_pfnblock_flags_mask()\" (Wei Yang, v5.9); "
     "5.4.286 reads from the top bit, 5.10.233 from the bottom",
     "the parameter end_bitidx of get_pfnblock_flags_mask() in the DWARF of mm/page_alloc.c"},
};

}  // namespace

std::span<const VersionFactEntry> version_facts() {
  return kFacts;
}

const VersionFactEntry& version_fact(VersionFact fact) {
  return kFacts[static_cast<size_t>(fact)];
}

bool version_says(const Kernel& kernel, VersionFact fact) {
  const VersionFactEntry& f = version_fact(fact);
  return kernel.version_at_least(f.major, f.minor);
}

}  // namespace ramsift
