// ramsift diff BEFORE AFTER
#include "ramsift/analysis/diff.h"

#include <iostream>
#include <memory>

#include "filter_options.h"
#include "ramsift/output/diff.h"
#include "records.h"
#include "report_commands.h"

namespace ramsift::cli {

namespace {

struct DiffCommand {
  std::string before_input, after_input;
  RecordsOptions before, after;
  FilterOptionsText filters;
  std::string by = "stack";
  std::string format = "text";
  size_t top = 0;
  std::optional<uint64_t> page_size;
};

}  // namespace

void add_diff(CLI::App& app, Context& context) {
  auto c = std::make_shared<DiffCommand>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "What changed between two captures: pages per stack, process, module or category, new and vanished");
  cmd->add_option("before", c->before_input, "The earlier capture: page_owner text or a dump")->required();
  cmd->add_option("after", c->after_input, "The later capture")->required();
  add_kernel_options(*cmd, c->before.kernel);
  cmd->add_option("--by", c->by,
                  "Compare by one of top's keys: stack (frames, bare addresses as ?), tgid, pid, comm, module, "
                  "allocator, category");
  cmd->add_option("--top", c->top, "Show the N biggest changes only")->check(whole_number_at_least(1));
  cmd->add_option("--format", c->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  add_page_size_option(*cmd, c->page_size);
  add_filter_options(*cmd, c->filters, /*process_lists=*/true);
  cmd->callback([c, &context] {
    // One kernel: the same options describe both captures.
    c->before.inputs = {c->before_input};
    c->after.inputs = {c->after_input};
    c->after.kernel = c->before.kernel;
    DiffOptions options;
    auto key = parse_diff_key(c->by);
    if (!key) return fail(context, key.error());
    options.by = *key;
    options.top = c->top;
    std::unique_ptr<CategoryRules> rules;
    if (!load_categories(c->filters, rules, context)) return;
    options.categories = rules.get();
    // --older-than is relative to each capture's own newest record; the
    // filter is built per side, so only that differs.
    auto before_filter = make_filter(c->filters, c->before, context);
    if (!before_filter) return;
    auto after_filter = make_filter(c->filters, c->after, context);
    if (!after_filter) return;
    auto before = open_records(c->before, context);
    if (!before) return;
    auto after = open_records(c->after, context);
    if (!after) return;
    // Both captures' pages are one size: a dump's own, or --page-size for texts.
    OpenedRecords& first = dump_records_of(*before) || !dump_records_of(*after) ? *before : *after;
    OpenedRecords& second = &first == before.get() ? *after : *before;
    auto page_size = page_size_for(first, c->page_size, context);
    if (!page_size) return;
    if (dump_records_of(second) && !page_size_for(second, *page_size, context)) return;
    options.filter = std::move(*before_filter);
    if (!c->filters.older_than.empty()) options.after_filter = std::move(*after_filter);
    auto result = compute_diff(before->source(), after->source(), options);
    if (!result) return fail(context, result.error());
    print_diff(*result, parse_format(c->format), *page_size, std::cout);
    finish_records(*before, context);
    finish_records(*after, context);
  });
}

}  // namespace ramsift::cli
