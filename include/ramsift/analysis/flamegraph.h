// Stacks for flame graphs: page_owner records reduced to root-first frame
// paths weighted by pages, one entry per distinct path.
//
//   FlameOptions options;
//   RAMSIFT_TRY(FlameStacks s, collect_flame_stacks(source, options));
//   for (const FlameStack& f : s.stacks) f.frames ... f.pages
//
// A frame is its function name without +offset/size, with the module kept
// as " [mod]" ("ttm_pool_alloc [ttm]"); bare addresses stay as printed.
// Pages of one path may have several categories; each is kept so the
// picture can be coloured by category.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/analysis/categories.h"
#include "ramsift/analysis/filter.h"
#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

struct FlameOptions {
  RecordFilter filter;
  const CategoryRules* categories = nullptr;  // null: CategoryRules::generic()
};

struct FlameStack {
  std::vector<std::string> frames;  // root (outermost) first
  uint64_t pages = 0;
  uint64_t records = 0;
  std::map<std::string, uint64_t, std::less<>> category_pages;  // the pages of this path by category
};

struct FlameStacks {
  uint64_t records = 0, pages = 0;                  // everything read
  uint64_t matched_records = 0, matched_pages = 0;  // after the filter; the graph's total
  std::vector<FlameStack> stacks;                   // sorted by frames
  std::vector<Error> problems;
};

// "func [mod]" from "func+0x1c/0x80 [mod]"; "func" from "func+0x1c/0x80".
std::string flame_frame(std::string_view frame);

Result<FlameStacks> collect_flame_stacks(PageOwnerSource& source, const FlameOptions& options);

}  // namespace ramsift
