// `ramsift diff`: what changed in page_owner between two captures (two
// boots of one build, or two moments of one boot), per stack, process
// (comm), module or category.
//
//   DiffOptions options;
//   options.by = DiffKey::Stack;
//   RAMSIFT_TRY(DiffResult d, compute_diff(before, after, options));
//   for (const DiffEntry& e : d.entries) e.delta_pages() ...
//
// Matching across captures uses only what is stable across boots of one
// build: a stack is its symbolized frames, "func+0x1c/0x80 [mod]", verbatim
// (the offsets are stable, the addresses are not); a frame that is a bare
// address ("0xffffffffc010e01e": a module's freed init code, an unknown
// symbol) becomes "?", so it matches any bare address at that place. A
// process is its comm, never its pid. Records pass `filter` on both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/analysis/categories.h"
#include "ramsift/analysis/filter.h"
#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

// The keys of `top --by` (GroupKey), one at a time.
enum class DiffKey { Stack, Tgid, Pid, Comm, Module, Allocator, Category };

Result<DiffKey> parse_diff_key(std::string_view name);
std::string_view diff_key_name(DiffKey key);
// A frame as diff matches it: bare addresses become "?", the rest is kept.
std::string diff_frame(std::string_view frame);

struct DiffOptions {
  DiffKey by = DiffKey::Stack;
  RecordFilter filter;
  // The after side's filter when it differs (--older-than is relative to
  // each capture's own newest record); unset: `filter` on both sides.
  std::optional<RecordFilter> after_filter;
  const CategoryRules* categories = nullptr;  // null: CategoryRules::generic()
  size_t top = 0;                             // 0: every changed entry
};

enum class DiffChange { New, Vanished, Grew, Shrank, Same };
std::string_view diff_change_name(DiffChange change);

struct DiffEntry {
  std::string key;                 // the tgid or pid (decimal; "" when unknown), comm, module, allocator or category;
                                   // for stacks the frames joined by '\n'
  std::vector<std::string> stack;  // by stack: the frames as matched (diff_frame), innermost first
  uint64_t before_pages = 0, after_pages = 0;
  uint64_t before_records = 0, after_records = 0;

  int64_t delta_pages() const { return static_cast<int64_t>(after_pages) - static_cast<int64_t>(before_pages); }
  DiffChange change() const;
};

struct DiffSide {
  uint64_t records = 0, pages = 0;                  // everything read
  uint64_t matched_records = 0, matched_pages = 0;  // after the filter
  std::vector<Error> problems;
};

struct DiffResult {
  DiffKey by = DiffKey::Stack;
  DiffSide before, after;
  // Over every key seen on either side, before --top.
  uint64_t new_count = 0, vanished_count = 0, grew_count = 0, shrank_count = 0, same_count = 0;
  uint64_t grew_pages = 0, shrank_pages = 0;  // sums of the positive / negative deltas
  // The changed entries, biggest change first (by |delta|, then growth
  // before shrinkage, then key); unchanged ones are only counted.
  std::vector<DiffEntry> entries;
};

Result<DiffResult> compute_diff(PageOwnerSource& before, PageOwnerSource& after, const DiffOptions& options);

}  // namespace ramsift
