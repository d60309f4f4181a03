// Per-stack page counts in the kernel's page_owner_stacks/show_stacks
// wording (6.9+): " %pS" per frame, "nr_base_pages: N", a blank line.
#pragma once

#include <ostream>

#include "ramsift/analysis/show_stacks.h"
#include "ramsift/analysis/top.h"

namespace ramsift {

// The kernel's own counters, in the kernel's order: what show_stacks printed.
void print_show_stacks(const ShownStacks& stacks, std::ostream& out);
// The same wording for groups computed from records (top --by stack): for
// page_owner texts, pre-6.9 dumps and filtered views.
void print_show_stacks(const TopResult& result, std::ostream& out);

}  // namespace ramsift
