#include "filter_options.h"

#include <algorithm>

namespace ramsift::cli {

void add_filter_options(CLI::App& cmd, FilterOptionsText& o, bool process_lists, bool categories) {
  const char* group = "Record filters (all must hold)";
  cmd.add_option("--module", o.module, "Keep records with a frame in this module (vmlinux: no module frame)")
      ->group(group);
  cmd.add_option("--function", o.function,
                 "Keep records where some frame's function matches this regular expression (searched, ECMAScript)")
      ->group(group);
  cmd.add_option("--gfp", o.gfp, "Keep records whose gfp flags name this flag (GFP_KERNEL, __GFP_COMP, ...)")
      ->group(group);
  cmd.add_option("--order", o.order, "Keep records of this allocation order")->group(group);
  cmd.add_option("--since", o.since, "Keep records allocated at or after this time (ns since boot; or 1.5s, 20ms)")
      ->group(group);
  cmd.add_option("--until", o.until, "Keep records allocated at or before this time")->group(group);
  cmd.add_option("--older-than", o.older_than,
                 "Keep records allocated at least this long before the newest record of the input")
      ->group(group);
  cmd.add_option("--pfn-range", o.pfn_range, "Keep blocks overlapping PFNs FIRST-LAST (inclusive; decimal or 0x hex)")
      ->group(group);
  if (process_lists) {
    cmd.add_option("--pid", o.pids, "Keep records of these pids (comma separated)")->group(group);
    cmd.add_option("--tgid", o.tgids, "Keep records of these thread group ids (comma separated)")->group(group);
    cmd.add_option("--name", o.names, "Keep records of these command names (comma separated)")->group(group);
  }
  if (categories)
    cmd.add_option("--categories", o.categories,
                   "Category rules: a file (docs/categories.md) or a built-in set: generic (default), android");
}

std::optional<RecordFilter> make_filter(const FilterOptionsText& o, const RecordsOptions& input, Context& context) {
  auto filter = parse_filter(o);
  if (!filter) {
    report(filter.error());
    context.exit_code = kFailed;
    return std::nullopt;
  }
  if (!o.older_than.empty()) {
    auto age = parse_duration_ns("older-than", o.older_than);
    if (!age) {
      report(age.error());
      context.exit_code = kFailed;
      return std::nullopt;
    }
    // A first pass for the newest allocation; its problems are reported by the real pass.
    auto records = open_records(input, context);
    if (!records) return std::nullopt;
    apply_older_than(*filter, newest_allocation_ts(records->source()), *age);
  }
  return std::move(*filter);
}

bool load_categories(const FilterOptionsText& o, std::unique_ptr<CategoryRules>& rules, Context& context) {
  if (o.categories.empty()) return true;
  auto loaded = CategoryRules::load(o.categories);
  if (!loaded) {
    report(loaded.error());
    context.exit_code = kFailed;
    return false;
  }
  rules = std::make_unique<CategoryRules>(std::move(*loaded));
  return true;
}

}  // namespace ramsift::cli
