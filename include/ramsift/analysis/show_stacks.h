// The kernel's own per-stack page counters (page_owner_stacks/show_stacks,
// 6.9+: stack_list, each stack_record's refcount, the pages threshold), read
// from a dump with their frames symbolized as %pS prints them: what
// show_stacks printed, in its order. Used by `page-owner --stacks` and
// `top --stacks`.
//
//   RAMSIFT_TRY(ShownStacks s, kernel_show_stacks(*input.dump()));
//   print_show_stacks(s, std::cout);   // output/show_stacks.h
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

struct ShownStack {
  std::vector<std::string> frames;  // %pS of each frame
  int64_t base_pages = 0;           // refcount - 1
};

struct ShownStacks {
  std::vector<ShownStack> stacks;  // those stack_print() shows: at least the threshold and 1 page
  std::vector<Error> problems;     // parts of the list that could not be read: exit 1
};

// NotFound before 6.9 (no stack_list).
Result<ShownStacks> kernel_show_stacks(const DumpRecords& dump);

}  // namespace ramsift
