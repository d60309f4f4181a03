#include "ramsift/analysis/diff.h"

#include <algorithm>
#include <unordered_map>

#include "ramsift/analysis/classify.h"

namespace ramsift {

namespace {

struct KeyName {
  std::string_view name;
  DiffKey key;
};
constexpr KeyName kDiffKeys[] = {
    // top's --by names and page_owner_sort's --cull spellings (top.cc's kGroupKeys).
    {"stack", DiffKey::Stack},    {"stacktrace", DiffKey::Stack},  {"st", DiffKey::Stack},
    {"tgid", DiffKey::Tgid},      {"tg", DiffKey::Tgid},           {"pid", DiffKey::Pid},
    {"p", DiffKey::Pid},          {"comm", DiffKey::Comm},         {"name", DiffKey::Comm},
    {"n", DiffKey::Comm},         {"module", DiffKey::Module},     {"allocator", DiffKey::Allocator},
    {"ator", DiffKey::Allocator}, {"category", DiffKey::Category},
};

bool bare_address(std::string_view frame) {
  if (!frame.starts_with("0x") || frame.size() == 2) return false;
  return frame.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
}

}  // namespace

Result<DiffKey> parse_diff_key(std::string_view name) {
  for (const KeyName& k : kDiffKeys)
    if (k.name == name) return k.key;
  return bad_input("unknown diff key \"" + std::string(name) +
                   "\" (stack, tgid, pid, comm, module, allocator, category)");
}

std::string_view diff_key_name(DiffKey key) {
  switch (key) {
    case DiffKey::Stack: return "stack";
    case DiffKey::Tgid: return "tgid";
    case DiffKey::Pid: return "pid";
    case DiffKey::Allocator: return "allocator";
    case DiffKey::Comm: return "comm";
    case DiffKey::Module: return "module";
    case DiffKey::Category: return "category";
  }
  return "?";
}

std::string diff_frame(std::string_view frame) {
  return bare_address(frame) ? "?" : std::string(frame);
}

std::string_view diff_change_name(DiffChange change) {
  switch (change) {
    case DiffChange::New: return "new";
    case DiffChange::Vanished: return "vanished";
    case DiffChange::Grew: return "grew";
    case DiffChange::Shrank: return "shrank";
    case DiffChange::Same: return "same";
  }
  return "?";
}

DiffChange DiffEntry::change() const {
  if (before_records == 0) return DiffChange::New;
  if (after_records == 0) return DiffChange::Vanished;
  if (after_pages > before_pages) return DiffChange::Grew;
  if (after_pages < before_pages) return DiffChange::Shrank;
  return DiffChange::Same;
}

Result<DiffResult> compute_diff(PageOwnerSource& before, PageOwnerSource& after, const DiffOptions& options) {
  DiffResult result;
  result.by = options.by;
  const CategoryRules& rules = options.categories ? *options.categories : CategoryRules::generic();
  std::unordered_map<std::string, size_t> index;
  std::vector<DiffEntry> entries;
  std::string key;
  std::vector<std::string> frames;
  auto read = [&](PageOwnerSource& source, DiffSide& side, bool is_after) {
    const RecordFilter& filter = is_after && options.after_filter ? *options.after_filter : options.filter;
    PageOwnerRecord r;
    while (source.next(r)) {
      ++side.records;
      side.pages += r.pages();
      if (!filter.matches(r)) continue;
      ++side.matched_records;
      side.matched_pages += r.pages();
      frames.clear();
      switch (options.by) {
        case DiffKey::Stack:
          key.clear();
          for (const std::string& f : r.stack) {
            frames.push_back(diff_frame(f));
            (key += frames.back()) += '\n';
          }
          break;
        case DiffKey::Tgid: key = r.tgid ? std::to_string(*r.tgid) : std::string(); break;
        case DiffKey::Pid: key = r.pid ? std::to_string(*r.pid) : std::string(); break;
        case DiffKey::Allocator: key = page_owner_allocator_name(page_owner_sort_allocator(r)); break;
        case DiffKey::Comm: key = r.comm; break;
        case DiffKey::Module: key = module_of(r.stack); break;
        case DiffKey::Category: key = rules.classify(r.stack, r.comm); break;
      }
      auto [it, inserted] = index.try_emplace(key, entries.size());
      if (inserted) {
        DiffEntry e;
        e.key = options.by == DiffKey::Stack && !key.empty() ? key.substr(0, key.size() - 1) : key;
        e.stack = frames;
        entries.push_back(std::move(e));
      }
      DiffEntry& e = entries[it->second];
      (is_after ? e.after_records : e.before_records) += 1;
      (is_after ? e.after_pages : e.before_pages) += r.pages();
    }
    side.problems = source.problems();
  };
  read(before, result.before, false);
  read(after, result.after, true);

  for (const DiffEntry& e : entries) {
    switch (e.change()) {
      case DiffChange::New: ++result.new_count; break;
      case DiffChange::Vanished: ++result.vanished_count; break;
      case DiffChange::Grew: ++result.grew_count; break;
      case DiffChange::Shrank: ++result.shrank_count; break;
      case DiffChange::Same: ++result.same_count; break;
    }
    int64_t d = e.delta_pages();
    if (d > 0) result.grew_pages += static_cast<uint64_t>(d);
    if (d < 0) result.shrank_pages += static_cast<uint64_t>(-d);
  }
  // Unchanged in pages: counted above, not listed (records may differ: two order-0 blocks for one order-1).
  std::erase_if(entries, [](const DiffEntry& e) { return e.change() == DiffChange::Same; });
  std::stable_sort(entries.begin(), entries.end(), [](const DiffEntry& a, const DiffEntry& b) {
    int64_t da = a.delta_pages(), db = b.delta_pages();
    uint64_t ma = static_cast<uint64_t>(da < 0 ? -da : da), mb = static_cast<uint64_t>(db < 0 ? -db : db);
    if (ma != mb) return ma > mb;
    if (da != db) return da > db;
    return a.key < b.key;
  });
  if (options.top && entries.size() > options.top) entries.resize(options.top);
  result.entries = std::move(entries);
  return result;
}

}  // namespace ramsift
