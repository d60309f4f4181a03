#include "ramsift/analysis/top.h"

#include <algorithm>
#include <cstdlib>
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

// page_owner_sort's short options: the letter, and what it sorts by.
struct Letter {
  char flag;
  const char* help;
};
constexpr Letter kLetters[] = {
    {'a', "Sort by memory allocation time (page_owner_sort -a)"},
    {'m', "Sort by total memory (page_owner_sort -m)"},
    {'n', "Sort by task command name (page_owner_sort -n)"},
    {'p', "Sort by pid (page_owner_sort -p)"},
    {'P', "Sort by tgid (page_owner_sort -P)"},
    {'s', "Sort by the stack trace (page_owner_sort -s)"},
    {'t', "Sort by number of times a record is seen (page_owner_sort -t)"},
    {'r', "Sort by memory release time (page_owner_sort 5.19-6.7 -r; needs --compat page_owner_sort-6.1)"},
    {'f', "Drop released blocks (page_owner_sort 5.19-6.7 -f; needs --compat page_owner_sort-6.1)"},
    {'d', "Accepted for page_owner_sort compatibility; does nothing"},
};

// The page_owner_sort options in the order they were given.
std::vector<PageOwnerSortArg> ordered_args(const CLI::App& cmd) {
  std::vector<PageOwnerSortArg> args;
  std::map<const CLI::Option*, size_t> used;
  for (const CLI::Option* opt : cmd.parse_order()) {
    std::string name = opt->get_name();
    size_t i = used[opt]++;
    auto value = [&] { return i < opt->results().size() ? opt->results()[i] : std::string(); };
    if (name == "--pid")
      args.push_back({kPosPid, value()});
    else if (name == "--tgid")
      args.push_back({kPosTgid, value()});
    else if (name == "--name")
      args.push_back({kPosName, value()});
    else if (name == "--cull")
      args.push_back({kPosCull, value()});
    else if (name == "--sort")
      args.push_back({kPosSort, value()});
    else if (name.size() == 2 && name[0] == '-')
      args.push_back({name[1], {}});
  }
  return args;
}

// Folds page_owner_sort's --pid/--tgid/--name (the last of each wins, as in
// the tool) into `o.filter`, which already holds the other filters.
Result<TopOptions> native_options(const std::vector<PageOwnerSortArg>& args, const TopCommand& c, TopOptions o) {
  std::optional<SortKey> letter;
  std::optional<std::vector<SortKey>> sort;
  std::vector<GroupKey> by;
  if (!c.by.empty())
    for (const std::string& k : split_commas(c.by)) {
      RAMSIFT_TRY(GroupKey key, parse_group_key(k));
      by.push_back(key);
    }
  for (const PageOwnerSortArg& a : args) {
    switch (a.flag) {
      case 'a': letter = SortKey{SortField::AllocTs, false}; break;
      case 'm': letter = SortKey{SortField::Pages, true}; break;
      case 'n': letter = SortKey{SortField::Comm, false}; break;
      case 'p': letter = SortKey{SortField::Pid, false}; break;
      case 'P': letter = SortKey{SortField::Tgid, false}; break;
      case 's': letter = SortKey{SortField::Stack, false}; break;
      case 't': letter = SortKey{SortField::Times, true}; break;
      case 'd': break;
      case 'f':
      case 'r': return bad_input(std::string("-") + a.flag + " needs --compat page_owner_sort-6.1");
      case kPosSort: {
        RAMSIFT_TRY(auto keys, parse_sort_keys(a.value));
        sort = std::move(keys);
        break;
      }
      case kPosCull:
        for (const std::string& k : split_commas(a.value)) {
          RAMSIFT_TRY(GroupKey key, parse_group_key(k));
          if (std::find(by.begin(), by.end(), key) == by.end()) by.push_back(key);
        }
        break;
      case kPosPid: {
        RAMSIFT_TRY(auto ids, parse_ids("pid", a.value));
        o.filter.pids = std::move(ids);
        break;
      }
      case kPosTgid: {
        RAMSIFT_TRY(auto ids, parse_ids("tgid", a.value));
        o.filter.tgids = std::move(ids);
        break;
      }
      case kPosName: o.filter.comms = split_commas(a.value); break;
      default: break;
    }
  }
  if (letter && sort) return bad_input("give either a sort letter (-a -m -n -p -P -s -t) or --sort, not both");
  if (letter) o.sort = {*letter};
  if (sort) o.sort = *sort;
  if (!by.empty()) o.by = by;
  o.top = c.top;
  o.min_pages = c.min_pages;
  return o;
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
  for (const Letter& l : kLetters) cmd->add_flag(std::string("-") + l.flag, c->flag, l.help);
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
    const FilterOptionsText& f = c->filters;
    const bool filtered = !f.module.empty() || !f.function.empty() || !f.gfp.empty() || f.order || !f.since.empty() ||
                          !f.until.empty() || !f.older_than.empty() || !f.pfn_range.empty() || !f.categories.empty();
    if (!c->compat.empty() && (!c->by.empty() || c->top || c->min_pages || c->format != "text" || filtered)) {
      report(
          bad_input("--compat prints page_owner_sort's output only: no --by, --top, --min-pages, --format, "
                    "filters or --categories"));
      context.exit_code = kFailed;
      return;
    }
    if (c->stacks && (!c->compat.empty() || (!c->by.empty() && c->by != "stack") || c->format != "text")) {
      report(bad_input("--stacks prints show_stacks' text by stack: no --compat, other --by keys or --format"));
      context.exit_code = kFailed;
      return;
    }
    std::optional<PageOwnerSort> sorter;
    TopOptions options;
    std::unique_ptr<CategoryRules> rules;
    if (!c->compat.empty()) {
      auto version = c->compat == "page_owner_sort-6.1" ? PageOwnerSortVersion::V6_1 : PageOwnerSortVersion::V6_12;
      auto configured = PageOwnerSort::configure(version, args);
      if (!configured) {
        report(configured.error());
        context.exit_code = kFailed;
        return;
      }
      sorter = std::move(*configured);
    } else {
      auto filter = make_filter(c->filters, c->input, context);
      if (!filter || !load_categories(c->filters, rules, context)) return;
      options.filter = std::move(*filter);
      options.categories = rules.get();
      auto native = native_options(args, *c, std::move(options));
      if (!native) {
        report(native.error());
        context.exit_code = kFailed;
        return;
      }
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
    if (c->stacks && dump && !narrowed) {
      if (auto stacks = read_page_owner_stacks(dump->kernel(), dump->depot())) {
        print_kernel_show_stacks(*dump, *stacks, context);
        finish_records(*records, context);
        return;
      }
    }
    if (sorter) {
      std::string out;
      sorter->run(records->source(), out);
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    } else {
      auto result = compute_top(records->source(), options);
      if (!result) {
        report(result.error());
        context.exit_code = kFailed;
        return;
      }
      if (c->stacks) {
        print_show_stacks(*result, std::cout);
        finish_records(*records, context);
        return;
      }
      // A dump knows each process's current name (its task list): a tgid
      // whose first record predates an exec is still shown by what it is now.
      if (dump) {
        TaskList tasks = read_tasks(dump->kernel());
        auto names = process_names(tasks);
        for (TopGroup& g : result->groups)
          if (g.tgid)
            if (auto it = names.find(*g.tgid); it != names.end()) g.process = it->second;
      }
      auto page_size = page_size_for(*records, c->page_size, context);
      if (!page_size) return;
      print_top(*result, parse_format(c->format), *page_size, std::cout);
    }
    finish_records(*records, context);
  });
}

}  // namespace ramsift::cli
