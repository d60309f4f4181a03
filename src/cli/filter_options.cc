#include "filter_options.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace ramsift::cli {

namespace {
constexpr unsigned kMaxFilterOrder = 15;
}  // namespace

Result<std::vector<int32_t>> parse_ids(const std::string& option, const std::string& list) {
  std::vector<int32_t> ids;
  for (const std::string& item : split_commas(list)) {
    int32_t v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      return bad_input("--" + option + ": not a number: \"" + item + "\"");
    ids.push_back(v);
  }
  return ids;
}

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    out.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Result<uint64_t> parse_duration_ns(const std::string& option, const std::string& text) {
  struct Unit {
    const char* suffix;
    double ns;
  };
  constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  auto bad = [&] {
    return bad_input("--" + option + ": expected nanoseconds, or a number with ns, us, ms or s: \"" + text + "\"");
  };
  if (text.empty()) return bad();
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == std::string::npos) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc()) return bad();
    return v;
  }
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return bad();
  std::string_view suffix(end);
  for (const Unit& u : kUnits)
    if (suffix == u.suffix) return static_cast<uint64_t>(v * u.ns + 0.5);
  return bad();
}

void add_filter_options(CLI::App& cmd, FilterOptionsText& o, bool process_lists) {
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
  cmd.add_option("--categories", o.categories,
                 "Category rules: a file (docs/categories.md) or a built-in set: generic (default), android");
}

namespace {

Result<RecordFilter> build_filter(const FilterOptionsText& o) {
  RecordFilter f;
  if (!o.module.empty()) f.module = o.module;
  if (!o.function.empty()) {
    RAMSIFT_TRY(auto pattern, FunctionPattern::compile(o.function));
    f.function = std::move(pattern);
  }
  if (!o.gfp.empty()) {
    // A name as the kernel prints it in a mask: GFP_KERNEL, __GFP_COMP
    // (include/trace/events/mmflags.h), never a number or a lower-case word.
    bool named = o.gfp.rfind("GFP_", 0) == 0 || o.gfp.rfind("__GFP_", 0) == 0;
    for (char ch : o.gfp)
      named = named && (std::isupper(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
                        ch == '_');
    if (!named)
      return bad_input("--gfp: want a flag name as page_owner prints it (GFP_KERNEL, __GFP_COMP, ...), got \"" + o.gfp +
                       "\"");
    f.gfp_flag = o.gfp;
  }
  // No kernel allocates above MAX_PAGE_ORDER, at most 13 on any arch ramsift
  // reads (arm64 64K pages; ARCH_FORCE_MAX_ORDER); 15 leaves room.
  if (o.order && *o.order > kMaxFilterOrder)
    return bad_input("--order " + std::to_string(*o.order) + ": allocation orders go up to " +
                     std::to_string(kMaxFilterOrder) + " at most (MAX_PAGE_ORDER)");
  f.order = o.order;
  if (!o.since.empty()) {
    RAMSIFT_TRY(f.since_ns, parse_duration_ns("since", o.since));
  }
  if (!o.until.empty()) {
    RAMSIFT_TRY(f.until_ns, parse_duration_ns("until", o.until));
  }
  if (f.since_ns && f.until_ns && *f.since_ns > *f.until_ns)
    return bad_input("--since " + o.since + " is after --until " + o.until + ": no record can match");
  if (!o.pfn_range.empty()) {
    RAMSIFT_TRY(f.pfns, parse_pfn_range(o.pfn_range));
  }
  auto ids = [](const char* option, const std::vector<std::string>& lists) -> Result<std::vector<int32_t>> {
    std::vector<int32_t> all;
    for (const std::string& l : lists) {
      RAMSIFT_TRY(auto some, parse_ids(option, l));
      all.insert(all.end(), some.begin(), some.end());
    }
    return all;
  };
  if (!o.pids.empty()) {
    RAMSIFT_TRY(f.pids, ids("pid", o.pids));
  }
  if (!o.tgids.empty()) {
    RAMSIFT_TRY(f.tgids, ids("tgid", o.tgids));
  }
  if (!o.names.empty()) {
    f.comms.emplace();
    for (const std::string& l : o.names)
      for (std::string& n : split_commas(l)) f.comms->push_back(std::move(n));
  }
  return f;
}

}  // namespace

std::optional<RecordFilter> make_filter(const FilterOptionsText& o, const RecordsOptions& input, Context& context) {
  auto filter = build_filter(o);
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
    uint64_t newest = newest_allocation_ts(records->source());
    uint64_t until = newest >= *age ? newest - *age : 0;
    if (newest < *age) {
      // Nothing is that old: an empty window, not "everything up to 0".
      filter->since_ns = 1;
      filter->until_ns = 0;
    } else {
      filter->until_ns = filter->until_ns ? std::min(*filter->until_ns, until) : until;
    }
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
