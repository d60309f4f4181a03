// The one opening chain from a kernel to its page_owner records: the memory
// model (mem_section, page_ext), the kernel's name tables, the stack depot
// and the walker, opened in that order and kept together (the walker points
// into the others). DumpRecords (dump_records.h) needs all of it;
// `ramsift page` (analysis/page_story.h) tells a page without page_owner
// too, so the depot and the walker may be missing, no_walker saying why.
//
//   RAMSIFT_TRY(PageOwnerChain chain, PageOwnerChain::open(kernel, {}));
//   if (!chain.walker) ... *chain.no_walker   // NotFound: page_owner off
#pragma once

#include <memory>
#include <optional>

#include "ramsift/decode/kernel_names.h"
#include "ramsift/decode/memory_model.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/stack_depot.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct PageOwnerChain {
  const Kernel* kernel = nullptr;
  std::unique_ptr<MemoryModel> model;
  std::unique_ptr<KernelNames> names;
  std::unique_ptr<StackDepot> depot;        // null: no_walker says why
  std::unique_ptr<PageOwnerWalker> walker;  // null: no_walker says why
  // Why there is no walker: NotFound is the kernel's own state (no
  // page_owner, not booted with page_owner=on); anything else (a member the
  // vmlinux lacks, damaged data) is a problem.
  std::optional<Error> no_walker;

  // The model and the names must open; the depot and the walker may not.
  static Result<PageOwnerChain> open(const Kernel& kernel, const PageOwnerWalkOptions& options);
};

}  // namespace ramsift
