// `ramsift top`: who holds memory. Groups page_owner records by any
// combination of keys, sums pages, filters and sorts, from any
// PageOwnerSource (debugfs text today, a dump later).
//
//   TopOptions options;
//   options.by = {GroupKey::Comm, GroupKey::Stack};
//   options.sort = {{SortField::Pages, true}};   // descending
//   RAMSIFT_TRY(TopResult result, compute_top(source, options));
//
// Groups tie on every sort key are kept in order of first appearance. A sort
// key that is not a grouping key (say --sort pid with --by stack) uses the
// group's first record, as page_owner_sort does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ramsift/analysis/categories.h"
#include "ramsift/analysis/filter.h"
#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

enum class GroupKey { Stack, Tgid, Pid, Comm, Module, Allocator, Category };
enum class SortField { Pages, Times, Pid, Tgid, Comm, Stack, Txt, AllocTs, Allocator, Module, Category };

struct SortKey {
  SortField field;
  bool descending = false;
};

// "stack" -> GroupKey::Stack ...; also page_owner_sort's --cull names (st, p, tg, n, ator).
Result<GroupKey> parse_group_key(std::string_view name);
std::string_view group_key_name(GroupKey key);
// "[+|-]key[,...]" with page_owner_sort's keys (pid|p tgid|tg name|n stacktrace|st txt|T
// alloc_ts|at allocator|ator) and ramsift's (pages|m times|t module category).
Result<std::vector<SortKey>> parse_sort_keys(std::string_view spec);

struct TopOptions {
  std::vector<GroupKey> by = {GroupKey::Stack};
  std::vector<SortKey> sort = {{SortField::Pages, true}};
  RecordFilter filter;                        // keep only these records
  const CategoryRules* categories = nullptr;  // null: CategoryRules::generic()
  size_t top = 0;                             // 0: every group
  uint64_t min_pages = 0;                     // drop smaller groups
};

struct TopGroup {
  uint64_t records = 0;
  uint64_t pages = 0;
  uint64_t first_record = 0;   // index of its first record, for ties
  uint64_t first_ts_nsec = 0;  // earliest allocation time in the group
  // The keys (only those in TopOptions::by are meaningful), from the first record.
  std::optional<int32_t> pid, tgid;
  std::string comm;
  std::string process;  // the tgid's name: its leader's comm (pid == tgid), else the first comm seen
  std::vector<std::string> stack;
  std::string module, allocator, category;
  std::string txt;  // the first record's debugfs text, for --sort txt
};

struct TopResult {
  std::vector<GroupKey> by;
  uint64_t records = 0, pages = 0;                  // everything read
  uint64_t matched_records = 0, matched_pages = 0;  // after the filter
  uint64_t groups_total = 0;                        // before --top/--min-pages
  std::vector<TopGroup> groups;
  std::vector<Error> problems;  // the source's unreadable records
};

Result<TopResult> compute_top(PageOwnerSource& source, const TopOptions& options);

// page_owner_sort's options, in the order given, folded into `options`
// (which holds the other filters): a sort letter (-a -m -n -p -P -s -t) or
// --sort, --cull keys added to `by_keys` (comma separated group keys),
// --pid/--tgid/--name as filters, the last of each winning as in the tool.
Result<TopOptions> apply_page_owner_sort_args(std::span<const PageOwnerSortArg> args, const std::string& by_keys,
                                              TopOptions options);
// A dump knows each process's current name (its task list, decode/tasks.h):
// a tgid whose first record predates an exec is shown by what it is now.
void name_processes(TopResult& result, const std::unordered_map<int32_t, std::string>& names);

}  // namespace ramsift
