#include "ramsift/analysis/top.h"

#include <iostream>
#include <map>
#include <memory>

#include "commands.h"
#include "filter_options.h"
#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/decode/page_owner_stacks.h"
#include "ramsift/decode/tasks.h"
#include "ramsift/output/top.h"
#include "ramsift/symbolize/dump_records.h"
#include "records.h"
#include "show_stacks.h"

namespace ramsift::cli {

namespace {

struct TopCommand {
  RecordsOptions input;
  FilterOptionsText filters;
  std::string compat;
  std::string by;
  std::string format = "text";
  size_t top = 0;
  uint64_t min_pages = 0;
  std::optional<uint64_t> page_size;
  bool stacks = false;
  // page_owner_sort's options; their order matters to it, so they are read
  // back from CLI11's parse order, not from these variables.
  std::vector<std::string> pids, tgids, names, culls, sorts;
  bool flag = false;
};

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

void add_top(CLI::App& app, Context& context) {
  auto c = std::make_shared<TopCommand>();
  CLI::App* cmd = app.add_subcommand(
      "top", "Who holds memory: page_owner records grouped, summed and sorted (page_owner_sort and more)");
  add_records_options(*cmd, c->input);
  cmd->add_option("--compat", c->compat,
                  "Print exactly what the kernel's page_owner_sort prints: page_owner_sort (6.8+ tool), "
                  "page_owner_sort-6.12, or page_owner_sort-6.1 (5.19-6.7 tool)")
      ->check(CLI::IsMember({"page_owner_sort", "page_owner_sort-6.12", "page_owner_sort-6.1"}));
  cmd->add_option("--by", c->by, "Group by keys, comma separated: stack, tgid, pid, comm, module, allocator, category");
  cmd->add_option("--format", c->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->add_option("--top", c->top, "Show the first N groups only")->check(whole_number_at_least(1));
  cmd->add_option("--min-pages", c->min_pages, "Hide groups with fewer pages")->check(whole_number_at_least(0));
  add_page_size_option(*cmd, c->page_size);
  cmd->add_flag("--stacks", c->stacks,
                "Per-stack pages as the kernel's page_owner_stacks/show_stacks prints them (6.9+): a dump's own "
                "counters when nothing filters them, else the records by stack");
  for (const PageOwnerSortLetter& l : kPageOwnerSortLetters) cmd->add_flag(std::string("-") + l.flag, c->flag, l.help);
  auto multi = [&](const char* name, std::vector<std::string>& v, const char* help) {
    cmd->add_option(name, v, help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->expected(1)
        ->allow_extra_args(false);
  };
  multi("--pid", c->pids, "Keep records of these pids (comma separated)");
  multi("--tgid", c->tgids, "Keep records of these thread group ids (comma separated)");
  multi("--name", c->names, "Keep records of these command names (comma separated)");
  multi("--cull", c->culls, "page_owner_sort's culling: pid|p, tgid|tg, name|n, stacktrace|st, allocator|ator");
  add_filter_options(*cmd, c->filters, /*process_lists=*/false);
  multi("--sort", c->sorts,
        "Sort keys [+|-]key[,...]: page_owner_sort's pid tgid name stacktrace txt alloc_ts "
        "allocator, and pages times module category");
  cmd->callback([c, cmd, &context] {
    std::vector<PageOwnerSortArg> args = ordered_args(*cmd);
    const bool filtered = !c->filters.empty() || !c->filters.categories.empty();
    if (!c->compat.empty() && (!c->by.empty() || c->top || c->min_pages || c->format != "text" || filtered))
      return fail(context, bad_input("--compat prints page_owner_sort's output only: no --by, --top, --min-pages, "
                                     "--format, filters or --categories"));
    if (c->stacks && (!c->compat.empty() || (!c->by.empty() && c->by != "stack") || c->format != "text"))
      return fail(context,
                  bad_input("--stacks prints show_stacks' text by stack: no --compat, other --by keys or --format"));
    std::optional<PageOwnerSort> sorter;
    TopOptions options;
    std::unique_ptr<CategoryRules> rules;
    if (!c->compat.empty()) {
      auto version = c->compat == "page_owner_sort-6.1" ? PageOwnerSortVersion::V6_1 : PageOwnerSortVersion::V6_12;
      auto configured = PageOwnerSort::configure(version, args);
      if (!configured) return fail(context, configured.error());
      sorter = std::move(*configured);
    } else {
      auto filter = make_filter(c->filters, c->input, context);
      if (!filter || !load_categories(c->filters, rules, context)) return;
      options.filter = std::move(*filter);
      options.categories = rules.get();
      options.top = c->top;
      options.min_pages = c->min_pages;
      auto native = apply_page_owner_sort_args(args, c->by, std::move(options));
      if (!native) return fail(context, native.error());
      options = std::move(*native);
    }
    if (c->stacks) options.by = {GroupKey::Stack};
    auto records = open_records(c->input, context);
    if (!records) return;
    DumpRecords* dump = dump_records_of(*records);
    // The kernel's counters, as show_stacks printed them, when nothing narrows
    // them (a filter or a page_owner_sort list); before 6.9 there are none.
    const bool narrowed =
        filtered || c->top || c->min_pages || options.filter.pids || options.filter.tgids || options.filter.comms;
    std::optional<OwnerStacks> kernel_stacks;
    if (c->stacks && dump && !narrowed)
      if (auto stacks = read_page_owner_stacks(dump->kernel(), dump->depot())) kernel_stacks = std::move(*stacks);
    if (kernel_stacks) {
      print_kernel_show_stacks(*dump, *kernel_stacks, context);
    } else if (sorter) {
      std::string out;
      sorter->run(records->source(), out);
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    } else {
      auto result = compute_top(records->source(), options);
      if (!result) return fail(context, result.error());
      if (dump && !c->stacks) name_processes(*result, process_names(read_tasks(dump->kernel())));
      auto page_size = c->stacks ? std::optional<uint64_t>(0) : page_size_for(*records, c->page_size, context);
      if (!page_size) return;
      if (c->stacks)
        print_show_stacks(*result, std::cout);
      else
        print_top(*result, parse_format(c->format), *page_size, std::cout);
    }
    finish_records(*records, context);
  });
}

}  // namespace ramsift::cli
