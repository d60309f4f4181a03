// Which page_owner records a command looks at: one filter shared by top,
// diff and flamegraph, so `--module`, `--function`, `--gfp`, `--order`,
// `--since/--until`, `--pfn-range` and page_owner_sort's `--pid/--tgid/--name`
// mean the same thing everywhere.
//
//   RecordFilter filter;
//   filter.module = "nvidia";
//   RAMSIFT_TRY(filter.function, FunctionPattern::compile("^ttm_"));
//   if (filter.matches(record)) ...
//
// Every condition that is set must hold (AND). `--older-than` is not a field:
// it needs the newest allocation time of the whole input, so the caller
// finds it (newest_allocation_ts) and turns it into `until`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

// A regular expression (ECMAScript, searched anywhere in the name) over
// frame function names ("kmem_cache_alloc" from "kmem_cache_alloc+0x1c/0x80
// [mod]"); results are memoised per name, since a dump has a few thousand
// distinct functions in millions of frames.
class FunctionPattern {
 public:
  static Result<FunctionPattern> compile(const std::string& regex);
  FunctionPattern(FunctionPattern&&) noexcept;
  FunctionPattern& operator=(FunctionPattern&&) noexcept;
  ~FunctionPattern();
  bool matches_function(std::string_view function) const;
  // Any frame's function matches.
  bool matches_stack(const std::vector<std::string>& stack) const;

  struct State;

 private:
  explicit FunctionPattern(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct PfnRange {
  uint64_t first = 0, last = 0;  // inclusive
};

struct RecordFilter {
  std::optional<std::vector<int32_t>> pids, tgids;  // page_owner_sort --pid/--tgid
  std::optional<std::vector<std::string>> comms;    // --name
  std::optional<std::string> module;                // some frame is in this module ("vmlinux": no frame is)
  std::optional<FunctionPattern> function;          // some frame's function matches
  std::optional<std::string> gfp_flag;              // one of the '|'-separated names of the gfp text
  std::optional<unsigned> order;
  std::optional<uint64_t> since_ns, until_ns;  // allocation time window, inclusive
  std::optional<PfnRange> pfns;                // the block [pfn, pfn + pages) overlaps the range

  bool matches(const PageOwnerRecord& record) const;
  bool empty() const;
};

// "A-B" (decimal or 0x hex, both ends included) or "A" (A-A) -> PfnRange;
// BadInput names the problem (an end before the start included). The one
// meaning of --pfn-range in every command: records whose block overlaps it.
Result<PfnRange> parse_pfn_range(std::string_view text);
// The filters as typed, the same options in every command (and in crash):
// parsed here, once. Empty strings and lists: not given.
struct FilterText {
  std::string module, function, gfp, since, until, older_than, pfn_range;
  std::optional<unsigned> order;
  std::vector<std::string> pids, tgids, names;  // comma lists, each option possibly repeated
  bool empty() const {
    return module.empty() && function.empty() && gfp.empty() && since.empty() && until.empty() && older_than.empty() &&
           pfn_range.empty() && !order && pids.empty() && tgids.empty() && names.empty();
  }
};
// Every filter but --older-than (which needs the input's newest record:
// apply_older_than()); BadInput names the option and what is wrong.
Result<RecordFilter> parse_filter(const FilterText& text);
// --older-than AGE: only records allocated at least `age_ns` before `newest_ts`.
void apply_older_than(RecordFilter& filter, uint64_t newest_ts, uint64_t age_ns);
// "812,1500" -> ids; BadInput names the option.
Result<std::vector<int32_t>> parse_ids(const std::string& option, const std::string& list);
std::vector<std::string> split_commas(const std::string& list);
// "1500000", "1.5s", "20ms", "300us", "7ns" -> nanoseconds.
Result<uint64_t> parse_duration_ns(const std::string& option, const std::string& text);

// The largest ts of any record (0 when no record has one), reading `source` to its end.
uint64_t newest_allocation_ts(PageOwnerSource& source);

}  // namespace ramsift
