#include "ramsift/analysis/flamegraph.h"

#include <algorithm>
#include <unordered_map>

#include "ramsift/analysis/classify.h"

namespace ramsift {

std::string flame_frame(std::string_view frame) {
  std::string name(frame_function(frame));
  std::string_view module = frame_module(frame);
  if (!module.empty()) (name += " [") += std::string(module) += ']';
  return name;
}

Result<FlameStacks> collect_flame_stacks(PageOwnerSource& source, const FlameOptions& options) {
  FlameStacks result;
  const CategoryRules& rules = options.categories ? *options.categories : CategoryRules::generic();
  std::unordered_map<std::string, size_t> index;
  // A dump's records name their stack handle: its path is found once (a
  // handle is one stack). Text records are keyed by their frames.
  std::unordered_map<uint32_t, size_t> by_handle;
  PageOwnerRecord r;
  std::string key;
  while (source.next(r)) {
    ++result.records;
    result.pages += r.pages();
    if (!options.filter.matches(r)) continue;
    ++result.matched_records;
    result.matched_pages += r.pages();
    size_t at = 0;
    auto known = r.stack_handle ? by_handle.find(*r.stack_handle) : by_handle.end();
    if (known != by_handle.end()) {
      at = known->second;
    } else {
      // The record's frames, root first, as the key of its path.
      key.clear();
      for (auto f = r.stack.rbegin(); f != r.stack.rend(); ++f) (key += flame_frame(*f)) += ';';
      auto [it, inserted] = index.try_emplace(key, result.stacks.size());
      if (inserted) {
        FlameStack s;
        for (auto f = r.stack.rbegin(); f != r.stack.rend(); ++f) s.frames.push_back(flame_frame(*f));
        result.stacks.push_back(std::move(s));
      }
      at = it->second;
      if (r.stack_handle) by_handle.emplace(*r.stack_handle, at);
    }
    FlameStack& s = result.stacks[at];
    s.pages += r.pages();
    ++s.records;
    const std::string_view category = rules.classify(r.stack, r.comm);
    auto c = s.category_pages.find(category);
    if (c == s.category_pages.end()) c = s.category_pages.emplace(std::string(category), 0).first;
    c->second += r.pages();
  }
  std::sort(result.stacks.begin(), result.stacks.end(),
            [](const FlameStack& a, const FlameStack& b) { return a.frames < b.frames; });
  result.problems = source.problems();
  return result;
}

}  // namespace ramsift
