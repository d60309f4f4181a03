// The kernel's own per-stack page counts (page_owner_stacks/show_stacks,
// 6.9+): mm/page_owner.c keeps every allocation stack it has seen in
// `stack_list` (newest first), with refcount(stack_record->count) - 1 base
// pages currently allocated from it.
//
//   RAMSIFT_TRY(auto stacks, read_page_owner_stacks(kernel, depot));
//   for (const OwnerStack& s : stacks.stacks) s.frames, s.base_pages;
//
// show_stacks prints a stack when base_pages >= 1 and >= the threshold
// (count_threshold, `page_owner_pages_threshold`).
#pragma once

#include <cstdint>
#include <vector>

#include "ramsift/decode/stack_depot.h"

namespace ramsift {

struct OwnerStack {
  VirtAddr record;
  int64_t base_pages = 0;  // refcount - 1
  std::vector<uint64_t> frames;
};

struct OwnerStacks {
  std::vector<OwnerStack> stacks;  // stack_list order
  uint64_t threshold = 0;          // page_owner_pages_threshold
  std::vector<Error> problems;
};

// NotFound for kernels without page_owner_stacks (before 6.9: no stack_list).
Result<OwnerStacks> read_page_owner_stacks(const Kernel& kernel, const StackDepot& depot, size_t limit = 1 << 20);

}  // namespace ramsift
