#include "ramsift/analysis/filter.h"

#include <algorithm>
#include <charconv>
#include <regex>
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
  auto it = state_->memo.find(function);
  if (it != state_->memo.end()) return it->second;
  bool m = std::regex_search(function.begin(), function.end(), state_->regex);
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

}  // namespace ramsift
