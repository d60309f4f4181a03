// What a kernel does that neither the dump nor its vmlinux tells apart:
// each such behaviour is decided by the kernel's version, from this one
// table, citing the commit that changed it. Every caller tries evidence
// first (a DWARF member or array bound, an enumerator, a symbol, a
// VMCOREINFO key, a format string in the kernel's own .rodata) and asks the
// table only when there is none; `ramsift info` and docs/kernel-matrix.md
// list what was decided which way.
//
//   if (auto bits = evidence()) use(*bits);
//   else if (version_says(kernel, VersionFact::Arm64SectionSizeBits27)) ...
//
// Vendor kernels backport: a version decision is wrong on a kernel that
// took the change earlier, which is why evidence comes first.
#pragma once

#include <span>
#include <string_view>

namespace ramsift {

class Kernel;

enum class VersionFact {
  Arm64SectionSizeBits27,  // arm64 SECTION_SIZE_BITS 27 (29 with 64K pages) instead of 30
  PageblockOrderThpOnly,   // pageblock_order is the PMD order with THP and no hugetlb
  PageTypeBase80,          // page_type as 6.11 encodes it (base 0x80000000, PG_buddy 0x40000000)
  PageOwnerPfnHex,         // page_owner's second line prints "PFN 0x%lx" instead of "PFN %lu"
  PageOwnerMemcg,          // page_owner prints "Charged ... to memcg" lines
  PageblockBitsFromLsb,    // pageblock flags read from a word's low bits (before: from its top bit)
};

struct VersionFactEntry {
  VersionFact fact;
  unsigned major, minor;      // from this release on
  std::string_view what;      // what changed
  std::string_view change;    // the kernel change (commit and title, or where it is seen)
  std::string_view evidence;  // what ramsift looks at first
};

// The table, in the order of the enum.
std::span<const VersionFactEntry> version_facts();
const VersionFactEntry& version_fact(VersionFact fact);
// Whether the kernel's release is at or past the fact's version.
bool version_says(const Kernel& kernel, VersionFact fact);

}  // namespace ramsift
