#include "ramsift/analysis/show_stacks.h"

#include "ramsift/decode/page_owner_stacks.h"

namespace ramsift {

Result<ShownStacks> kernel_show_stacks(const DumpRecords& dump) {
  RAMSIFT_TRY(OwnerStacks stacks, read_page_owner_stacks(dump.kernel(), dump.depot()));
  ShownStacks shown;
  for (const OwnerStack& s : stacks.stacks) {
    // stack_print(): stacks under the threshold (page_owner_stacks/count_threshold) are not shown.
    if (s.base_pages < 1 || static_cast<uint64_t>(s.base_pages) < stacks.threshold) continue;
    ShownStack out;
    out.base_pages = s.base_pages;
    for (uint64_t a : s.frames) out.frames.push_back(dump.symbolizer().format(a));
    shown.stacks.push_back(std::move(out));
  }
  shown.problems = std::move(stacks.problems);
  return shown;
}

}  // namespace ramsift
