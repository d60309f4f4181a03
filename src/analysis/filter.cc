#include "ramsift/analysis/filter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <unordered_map>

#include "ramsift/analysis/classify.h"

namespace ramsift {

namespace {

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct FunctionPattern::State {
  std::regex regex;
  // Records are filtered on the walk's threads (list_page_owner's chunks).
  mutable std::shared_mutex memo_mutex;
  mutable std::unordered_map<std::string, bool, NameHash, std::equal_to<>> memo;
};

FunctionPattern::FunctionPattern(std::unique_ptr<State> state) : state_(std::move(state)) {}
FunctionPattern::FunctionPattern(FunctionPattern&&) noexcept = default;
FunctionPattern& FunctionPattern::operator=(FunctionPattern&&) noexcept = default;
FunctionPattern::~FunctionPattern() = default;

Result<FunctionPattern> FunctionPattern::compile(const std::string& regex) {
  auto state = std::make_unique<State>();
  try {
    state->regex = std::regex(regex, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return bad_input("--function: bad regular expression \"" + regex + "\": " + e.what());
  }
  return FunctionPattern(std::move(state));
}

bool FunctionPattern::matches_function(std::string_view function) const {
  {
    std::shared_lock lock(state_->memo_mutex);
    auto it = state_->memo.find(function);
    if (it != state_->memo.end()) return it->second;
  }
  bool m = std::regex_search(function.begin(), function.end(), state_->regex);
  std::unique_lock lock(state_->memo_mutex);
  state_->memo.emplace(std::string(function), m);
  return m;
}

bool FunctionPattern::matches_stack(const std::vector<std::string>& stack) const {
  return std::any_of(stack.begin(), stack.end(),
                     [&](const std::string& frame) { return matches_function(frame_function(frame)); });
}

namespace {

bool has_gfp_flag(std::string_view text, std::string_view flag) {
  size_t start = 0;
  for (;;) {
    size_t bar = text.find('|', start);
    std::string_view name = text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (name == flag) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

bool in_module(const std::vector<std::string>& stack, std::string_view module) {
  bool any = false;
  for (const std::string& frame : stack) {
    std::string_view m = frame_module(frame);
    if (m == module) return true;
    any = any || !m.empty();
  }
  return module == "vmlinux" && !any;
}

Result<uint64_t> parse_number(std::string_view s) {
  uint64_t v = 0;
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return bad_input("not a number");
  return v;
}

}  // namespace

bool RecordFilter::matches(const PageOwnerRecord& r) const {
  if (pids && std::find(pids->begin(), pids->end(), r.pid.value_or(-1)) == pids->end()) return false;
  if (tgids && std::find(tgids->begin(), tgids->end(), r.tgid.value_or(-1)) == tgids->end()) return false;
  if (comms && std::find(comms->begin(), comms->end(), r.comm) == comms->end()) return false;
  if (order && r.order != *order) return false;
  if (since_ns && (!r.ts_nsec || *r.ts_nsec < *since_ns)) return false;
  if (until_ns && (!r.ts_nsec || *r.ts_nsec > *until_ns)) return false;
  if (pfns && (r.pfn > pfns->last || r.pfn + std::max<uint64_t>(r.pages(), 1) - 1 < pfns->first)) return false;
  if (gfp_flag && !has_gfp_flag(r.gfp_flags, *gfp_flag)) return false;
  if (module && !in_module(r.stack, *module)) return false;
  if (function && !function->matches_stack(r.stack)) return false;
  return true;
}

bool RecordFilter::empty() const {
  return !pids && !tgids && !comms && !module && !function && !gfp_flag && !order && !since_ns && !until_ns && !pfns;
}

Result<PfnRange> parse_pfn_range(std::string_view text) {
  size_t dash = text.find('-');
  auto bad = [&] {
    return bad_input("--pfn-range: expected FIRST-LAST or one PFN (decimal or 0x hex, both ends included), got \"" +
                     std::string(text) + "\"");
  };
  // "A" alone is the one pfn A (A-A).
  auto first = parse_number(text.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : parse_number(text.substr(dash + 1));
  if (!first || !last) return bad();
  if (*last < *first) return bad_input("--pfn-range: " + std::string(text) + ": the end is before the start");
  return PfnRange{*first, *last};
}

uint64_t newest_allocation_ts(PageOwnerSource& source) {
  uint64_t newest = 0;
  PageOwnerRecord r;
  while (source.next(r)) newest = std::max(newest, r.ts_nsec.value_or(0));
  return newest;
}

namespace {
// No kernel allocates above MAX_PAGE_ORDER, at most 13 on any arch ramsift
// reads (arm64 64K pages; ARCH_FORCE_MAX_ORDER); 15 leaves room.
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

Result<RecordFilter> parse_filter(const FilterText& o) {
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

void apply_older_than(RecordFilter& filter, uint64_t newest_ts, uint64_t age_ns) {
  if (newest_ts < age_ns) {
    // Nothing is that old: an empty window, not "everything up to 0".
    filter.since_ns = 1;
    filter.until_ns = 0;
    return;
  }
  const uint64_t until = newest_ts - age_ns;
  filter.until_ns = filter.until_ns ? std::min(*filter.until_ns, until) : until;
}

}  // namespace ramsift
