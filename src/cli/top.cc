// ramsift top: who holds memory (analysis/top_report.h run_top()).
#include "ramsift/output/top.h"

#include <iostream>
#include <map>
#include <memory>

#include "ramsift/analysis/page_owner_sort.h"
#include "shared_commands.h"

namespace ramsift::cli {

namespace {

// The page_owner_sort options in the order they were given.
std::vector<PageOwnerSortArg> ordered_args(const CLI::App& cmd) {
  static const std::map<std::string, char> kLong = {
      {"--pid", kPosPid}, {"--tgid", kPosTgid}, {"--name", kPosName}, {"--cull", kPosCull}, {"--sort", kPosSort}};
  std::vector<PageOwnerSortArg> args;
  std::map<const CLI::Option*, size_t> used;
  for (const CLI::Option* opt : cmd.parse_order()) {
    std::string name = opt->get_name();
    size_t i = used[opt]++;
    if (auto it = kLong.find(name); it != kLong.end())
      args.push_back({it->second, i < opt->results().size() ? opt->results()[i] : std::string()});
    else if (name.size() == 2 && name[0] == '-')
      args.push_back({name[1], {}});
  }
  return args;
}

}  // namespace

CLI::App* declare_top(CLI::App& app, TopCommand& c, bool input) {
  CLI::App* cmd = app.add_subcommand(
      "top", "Who holds memory: page_owner records grouped, summed and sorted (page_owner_sort and more)");
  add_records_options(*cmd, c.input, input ? "input" : nullptr);
  cmd->add_option("--compat", c.compat,
                  "Print exactly what the kernel's page_owner_sort prints: page_owner_sort (6.8+ tool), "
                  "page_owner_sort-6.12, or page_owner_sort-6.1 (5.19-6.7 tool)")
      ->check(CLI::IsMember({"page_owner_sort", "page_owner_sort-6.12", "page_owner_sort-6.1"}));
  cmd->add_option("--by", c.by, "Group by keys, comma separated: stack, tgid, pid, comm, module, allocator, category");
  cmd->add_option("--format", c.format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->add_option("--top", c.top, "Show the first N groups only")->check(whole_number_at_least(1));
  cmd->add_option("--min-pages", c.min_pages, "Hide groups with fewer pages")->check(whole_number_at_least(0));
  add_page_size_option(*cmd, c.page_size);
  cmd->add_flag("--stacks", c.stacks,
                "Per-stack pages as the kernel's page_owner_stacks/show_stacks prints them (6.9+): a dump's own "
                "counters when nothing filters them, else the records by stack");
  for (const PageOwnerSortLetter& l : kPageOwnerSortLetters) cmd->add_flag(std::string("-") + l.flag, c.flag, l.help);
  auto multi = [&](const char* name, std::vector<std::string>& v, const char* help) {
    cmd->add_option(name, v, help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->expected(1)
        ->allow_extra_args(false);
  };
  multi("--pid", c.pids, "Keep records of these pids (comma separated)");
  multi("--tgid", c.tgids, "Keep records of these thread group ids (comma separated)");
  multi("--name", c.names, "Keep records of these command names (comma separated)");
  multi("--cull", c.culls, "page_owner_sort's culling: pid|p, tgid|tg, name|n, stacktrace|st, allocator|ator");
  add_filter_options(*cmd, c.filters, /*process_lists=*/false);
  multi("--sort", c.sorts,
        "Sort keys [+|-]key[,...]: page_owner_sort's pid tgid name stacktrace txt alloc_ts "
        "allocator, and pages times module category");
  return cmd;
}

std::optional<TopRequest> top_request(TopCommand& c, const CLI::App& cmd, Context& context) {
  auto refuse = [&](const Error& e) -> std::optional<TopRequest> { return fail(context, e), std::nullopt; };
  std::vector<PageOwnerSortArg> args = ordered_args(cmd);
  const bool filtered = !c.filters.empty() || !c.filters.categories.empty();
  if (!c.compat.empty() && (!c.by.empty() || c.top || c.min_pages || c.format != "text" || filtered))
    return refuse(
        bad_input("--compat prints page_owner_sort's output only: no --by, --top, --min-pages, "
                  "--format, filters or --categories"));
  if (c.stacks && (!c.compat.empty() || (!c.by.empty() && c.by != "stack") || c.format != "text"))
    return refuse(bad_input("--stacks prints show_stacks' text by stack: no --compat, other --by keys or --format"));
  TopRequest request;
  request.stacks = c.stacks;
  request.page_size = c.page_size;
  if (!c.compat.empty()) {
    auto version = c.compat == "page_owner_sort-6.1" ? PageOwnerSortVersion::V6_1 : PageOwnerSortVersion::V6_12;
    auto configured = PageOwnerSort::configure(version, args);
    if (!configured) return refuse(configured.error());
    request.compat = std::move(*configured);
    return request;
  }
  auto filter = make_filter(c.filters, c.input, context);
  if (!filter || !load_categories(c.filters, c.rules, context)) return std::nullopt;
  TopOptions options;
  options.filter = std::move(*filter);
  options.categories = c.rules.get();
  options.top = c.top;
  options.min_pages = c.min_pages;
  auto native = apply_page_owner_sort_args(args, c.by, std::move(options));
  if (!native) return refuse(native.error());
  request.options = std::move(*native);
  const RecordFilter& f = request.options.filter;
  request.narrowed = filtered || c.top || c.min_pages || f.pids || f.tgids || f.comms;
  return request;
}

void print_top_command(const TopReport& r, const TopCommand& c, Context& context) {
  if (r.page_size_assumed) note_page_size_assumed(context);
  print_top_report(r, parse_format(c.format), std::cout);
  if (r.kernel_stacks) report_problems(r.kernel_stacks->problems, context);
}

void add_top(CLI::App& app, Context& context) {
  auto c = std::make_shared<TopCommand>();
  CLI::App* cmd = declare_top(app, *c);
  cmd->callback([c, cmd, &context] {
    auto request = top_request(*c, *cmd, context);
    if (!request) return;
    auto records = open_records(c->input, context);
    if (!records) return;
    auto report = run_top(*records, std::move(*request));
    if (!report) return fail(context, report.error());
    print_top_command(*report, *c, context);
    finish_records(*records, context);
  });
}

}  // namespace ramsift::cli
