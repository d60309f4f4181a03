// Per-stack page counts in the kernel's page_owner_stacks/show_stacks
// wording (6.9+): " %pS" per frame, "nr_base_pages: N", a blank line.
#pragma once

#include <cstdint>
#include <ostream>

#include "commands.h"
#include "ramsift/analysis/top.h"
#include "ramsift/decode/page_owner_stacks.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift::cli {

// The kernel's own counters (stack_list, refcounts, the pages threshold)
// as read_page_owner_stacks() read them from the dump, in the kernel's
// order: what show_stacks printed. Problems go to stderr (exit 1).
void print_kernel_show_stacks(DumpRecords& dump, const OwnerStacks& stacks, Context& context);

// The same wording for groups computed from records (top --by stack):
// for page_owner texts, pre-6.9 dumps and filtered views.
void print_show_stacks(const TopResult& result, std::ostream& out);

}  // namespace ramsift::cli
