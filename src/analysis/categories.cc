#include "ramsift/analysis/categories.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "builtin_categories.h"
#include "ramsift/analysis/classify.h"

namespace ramsift {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point: the last '*' seen.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

struct Rule {
  size_t category;  // index into State::names
  std::vector<std::string> functions, comms;
};

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool valid_category(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

}  // namespace

struct CategoryRules::State {
  std::string origin;
  std::vector<Rule> rules;
  std::vector<std::string> name_storage;  // stable: reserved before names point into it
  std::vector<std::string_view> names;    // "other" last
  std::vector<size_t> comm_only;          // rules without function patterns, in order
  // Per function name, the rules whose function patterns match it, in order.
  mutable std::unordered_map<std::string, std::vector<size_t>, NameHash, std::equal_to<>> memo;

  const std::vector<size_t>& rules_of(std::string_view function) const {
    auto it = memo.find(function);
    if (it != memo.end()) return it->second;
    std::vector<size_t> found;
    for (size_t i = 0; i < rules.size(); ++i)
      if (std::any_of(rules[i].functions.begin(), rules[i].functions.end(),
                      [&](const std::string& p) { return glob_match(p, function); }))
        found.push_back(i);
    return memo.emplace(std::string(function), std::move(found)).first->second;
  }
  bool comm_ok(const Rule& rule, std::string_view comm) const {
    return rule.comms.empty() ||
           std::any_of(rule.comms.begin(), rule.comms.end(), [&](const std::string& p) { return glob_match(p, comm); });
  }
};

CategoryRules::CategoryRules(std::unique_ptr<State> state) : state_(std::move(state)) {}
CategoryRules::CategoryRules(CategoryRules&&) noexcept = default;
CategoryRules& CategoryRules::operator=(CategoryRules&&) noexcept = default;
CategoryRules::~CategoryRules() = default;

Result<CategoryRules> CategoryRules::parse(std::string_view text, const std::string& origin) {
  auto state = std::make_unique<State>();
  state->origin = origin;
  std::vector<std::string> names;
  uint64_t line_number = 0;
  size_t pos = 0;
  auto problem = [&](const std::string& message) {
    return bad_input("line " + std::to_string(line_number) + ": " + message).in_file(origin);
  };
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> words;
    std::istringstream in{std::string(line)};
    for (std::string w; in >> w;) words.push_back(std::move(w));
    if (words.empty()) continue;
    if (!valid_category(words[0]))
      return problem("bad category name \"" + words[0] + "\" (letters, digits, - _ . only)");
    if (words[0] == "other") return problem("\"other\" is what nothing matched; it cannot have rules");
    if (words.size() == 1) return problem("category \"" + words[0] + "\" has no patterns");
    Rule rule;
    auto at = std::find(names.begin(), names.end(), words[0]);
    rule.category = static_cast<size_t>(at - names.begin());
    if (at == names.end()) names.push_back(words[0]);
    for (size_t i = 1; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w.starts_with("comm=")) {
        if (w.size() == 5) return problem("empty comm= pattern");
        rule.comms.push_back(w.substr(5));
      } else if (w.find('=') != std::string::npos) {
        return problem("unknown qualifier \"" + w.substr(0, w.find('=') + 1) + "\" (only comm=)");
      } else {
        rule.functions.push_back(w);
      }
    }
    if (rule.functions.empty()) state->comm_only.push_back(state->rules.size());
    state->rules.push_back(std::move(rule));
  }
  if (state->rules.empty()) return bad_input("no rules (every line is blank or a comment)").in_file(origin);
  names.push_back("other");
  state->name_storage = std::move(names);
  for (const std::string& n : state->name_storage) state->names.push_back(n);
  return CategoryRules(std::move(state));
}

std::vector<std::string_view> CategoryRules::builtin_names() {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < detail::kBuiltinCategoryRulesCount; ++i)
    names.push_back(detail::kBuiltinCategoryRules[i].name);
  return names;
}

Result<CategoryRules> CategoryRules::load(const std::string& name_or_path) {
  struct stat st {};
  if (::stat(name_or_path.c_str(), &st) == 0 || name_or_path.find('/') != std::string::npos) {
    std::ifstream in(name_or_path, std::ios::binary);
    if (!in) return io_error("cannot read the categories file").in_file(name_or_path);
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) return io_error("cannot read the categories file").in_file(name_or_path);
    return parse(text.str(), name_or_path);
  }
  for (size_t i = 0; i < detail::kBuiltinCategoryRulesCount; ++i)
    if (name_or_path == detail::kBuiltinCategoryRules[i].name)
      return parse(detail::kBuiltinCategoryRules[i].text, detail::kBuiltinCategoryRules[i].name);
  std::string known;
  for (std::string_view n : builtin_names()) known += (known.empty() ? "" : ", ") + std::string(n);
  return not_found("--categories: no such file, and not a built-in set (" + known + ")").in_file(name_or_path);
}

const CategoryRules& CategoryRules::generic() {
  static const CategoryRules rules = [] {
    // Straight from the built-in table: a file named "generic" in the working
    // directory must not change the default.
    auto r = parse(detail::kBuiltinCategoryRules[0].text, "generic");
    for (size_t i = 0; i < detail::kBuiltinCategoryRulesCount; ++i)
      if (std::string_view(detail::kBuiltinCategoryRules[i].name) == "generic")
        r = parse(detail::kBuiltinCategoryRules[i].text, "generic");
    // The built-in text is checked by the unit tests; failing here is a build defect.
    if (!r) std::abort();
    return std::move(*r);
  }();
  return rules;
}

std::string_view CategoryRules::classify(std::span<const std::string> stack, std::string_view comm) const {
  for (const std::string& frame : stack)
    for (size_t i : state_->rules_of(frame_function(frame)))
      if (state_->comm_ok(state_->rules[i], comm)) return state_->names[state_->rules[i].category];
  for (size_t i : state_->comm_only)
    if (state_->comm_ok(state_->rules[i], comm)) return state_->names[state_->rules[i].category];
  return state_->names.back();
}

std::span<const std::string_view> CategoryRules::names() const {
  return state_->names;
}
const std::string& CategoryRules::origin() const {
  return state_->origin;
}

}  // namespace ramsift
