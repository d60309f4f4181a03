// The record filter and category options top, diff and flamegraph share,
// declared once: --module, --function, --gfp, --order, --since, --until,
// --older-than, --pfn-range, --categories (and --pid/--tgid/--name for the
// commands that do not take them as page_owner_sort options).
//
//   FilterOptionsText f;  add_filter_options(*cmd, f, /*process_lists=*/true);
//   auto filter = make_filter(f, records_options, context);   // nullopt: reported, exit 2
//   std::unique_ptr<CategoryRules> rules;                      // stays null: the generic set
//   if (!load_categories(f, rules, context)) return;            // reported, exit 2
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "ramsift/analysis/categories.h"
#include "ramsift/analysis/filter.h"
#include "records.h"

namespace ramsift::cli {

struct FilterOptionsText : FilterText {
  std::string categories;  // a file or a built-in set; empty: generic
};

// categories: --categories too (the commands that classify records).
void add_filter_options(CLI::App& command, FilterOptionsText& options, bool process_lists, bool categories = true);
// --older-than reads the input once more to find its newest record.
std::optional<RecordFilter> make_filter(const FilterOptionsText& options, const RecordsOptions& input,
                                        Context& context);
// The --categories rules into `rules` (left null without --categories: the
// generic set). False when they cannot be read (reported, exit code 2).
bool load_categories(const FilterOptionsText& options, std::unique_ptr<CategoryRules>& rules, Context& context);

}  // namespace ramsift::cli
