// `ramsift top` as one library operation on opened records: the CLI and the
// crash extension's pagetop parse their flags into a TopRequest, call
// run_top() and print the report (output/top.h print_top_report).
//
//   TopRequest req;  req.options.by = {GroupKey::Comm};
//   RAMSIFT_TRY(TopReport r, run_top(input, req));
//   print_top_report(r, OutputFormat::Text, std::cout);
//
// One of three answers: page_owner_sort's own text (--compat), the kernel's
// per-stack counters (--stacks on a 6.9+ dump with nothing narrowing the
// records), or groups computed from the records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/analysis/show_stacks.h"
#include "ramsift/analysis/top.h"
#include "ramsift/symbolize/records_input.h"

namespace ramsift {

struct TopRequest {
  std::optional<PageOwnerSort> compat;  // --compat: page_owner_sort's output, nothing else
  TopOptions options;                   // the groups, sort, filter, --top, --min-pages
  bool stacks = false;                  // --stacks: show_stacks' wording by stack
  // A filter or a page_owner_sort list narrows the records: the kernel's own
  // counters (which count everything) no longer answer --stacks.
  bool narrowed = false;
  std::optional<uint64_t> page_size;  // --page-size (texts; a dump's own must agree)
};

struct TopReport {
  std::optional<std::string> compat_text;    // --compat
  std::optional<ShownStacks> kernel_stacks;  // --stacks answered by the kernel's counters
  TopResult result;                          // otherwise: the groups (stacks: per stack)
  bool stacks = false;
  uint64_t page_size = 0;          // bytes per page for sizes (0 with --stacks: none printed)
  bool page_size_assumed = false;  // a text without --page-size: 4096
};

// The source is read once; its problems stay in the input (RecordsInput::verdict).
Result<TopReport> run_top(RecordsInput& input, TopRequest request);

}  // namespace ramsift
