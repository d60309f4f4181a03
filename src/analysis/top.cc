#include "ramsift/analysis/top.h"

#include <algorithm>
#include <unordered_map>

#include "ramsift/analysis/classify.h"
#include "ramsift/decode/page_owner_text.h"

namespace ramsift {

namespace {

struct KeyName {
  std::string_view name;
  GroupKey key;
};
constexpr KeyName kGroupKeys[] = {
    {"stack", GroupKey::Stack},    {"stacktrace", GroupKey::Stack},  {"st", GroupKey::Stack},
    {"tgid", GroupKey::Tgid},      {"tg", GroupKey::Tgid},           {"pid", GroupKey::Pid},
    {"p", GroupKey::Pid},          {"comm", GroupKey::Comm},         {"name", GroupKey::Comm},
    {"n", GroupKey::Comm},         {"module", GroupKey::Module},     {"allocator", GroupKey::Allocator},
    {"ator", GroupKey::Allocator}, {"category", GroupKey::Category},
};

struct FieldName {
  std::string_view name;
  SortField field;
};
constexpr FieldName kSortFields[] = {
    {"pages", SortField::Pages},
    {"memory", SortField::Pages},
    {"m", SortField::Pages},
    {"times", SortField::Times},
    {"count", SortField::Times},
    {"t", SortField::Times},
    {"pid", SortField::Pid},
    {"p", SortField::Pid},
    {"tgid", SortField::Tgid},
    {"tg", SortField::Tgid},
    {"name", SortField::Comm},
    {"n", SortField::Comm},
    {"comm", SortField::Comm},
    {"stacktrace", SortField::Stack},
    {"st", SortField::Stack},
    {"stack", SortField::Stack},
    {"txt", SortField::Txt},
    {"T", SortField::Txt},
    {"alloc_ts", SortField::AllocTs},
    {"at", SortField::AllocTs},
    {"allocator", SortField::Allocator},
    {"ator", SortField::Allocator},
    {"module", SortField::Module},
    {"category", SortField::Category},
};

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

int compare_field(SortField f, const TopGroup& a, const TopGroup& b) {
  switch (f) {
    case SortField::Pages: return three_way(a.pages, b.pages);
    case SortField::Times: return three_way(a.records, b.records);
    case SortField::Pid: return three_way(a.pid.value_or(-1), b.pid.value_or(-1));
    case SortField::Tgid: return three_way(a.tgid.value_or(-1), b.tgid.value_or(-1));
    case SortField::Comm: return three_way(a.comm, b.comm);
    case SortField::Stack: return three_way(a.stack, b.stack);
    case SortField::Txt: return three_way(a.txt, b.txt);
    case SortField::AllocTs: return three_way(a.first_ts_nsec, b.first_ts_nsec);
    case SortField::Allocator: return three_way(a.allocator, b.allocator);
    case SortField::Module: return three_way(a.module, b.module);
    case SortField::Category: return three_way(a.category, b.category);
  }
  return 0;
}

}  // namespace

Result<GroupKey> parse_group_key(std::string_view name) {
  for (const KeyName& k : kGroupKeys)
    if (k.name == name) return k.key;
  return bad_input("unknown grouping key \"" + std::string(name) +
                   "\" (stack, tgid, pid, comm, module, allocator, category)");
}

std::string_view group_key_name(GroupKey key) {
  switch (key) {
    case GroupKey::Stack: return "stack";
    case GroupKey::Tgid: return "tgid";
    case GroupKey::Pid: return "pid";
    case GroupKey::Comm: return "comm";
    case GroupKey::Module: return "module";
    case GroupKey::Allocator: return "allocator";
    case GroupKey::Category: return "category";
  }
  return "?";
}

Result<std::vector<SortKey>> parse_sort_keys(std::string_view spec) {
  std::vector<SortKey> keys;
  size_t start = 0;
  for (;;) {
    size_t comma = spec.find(',', start);
    std::string_view item =
        spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    SortKey key{SortField::Pages, false};
    std::string_view name = item;
    if (!name.empty() && (name[0] == '-' || name[0] == '+')) {
      key.descending = name[0] == '-';
      name.remove_prefix(1);
    }
    bool found = false;
    for (const FieldName& f : kSortFields)
      if (f.name == name) {
        key.field = f.field;
        found = true;
      }
    if (!found) return bad_input("unknown sort key \"" + std::string(item) + "\"");
    keys.push_back(key);
    if (comma == std::string_view::npos) return keys;
    start = comma + 1;
  }
}

Result<TopResult> compute_top(PageOwnerSource& source, const TopOptions& options) {
  TopResult result;
  result.by = options.by;
  auto has = [&](GroupKey k) { return std::find(options.by.begin(), options.by.end(), k) != options.by.end(); };
  auto sorts_by = [&](SortField f) {
    return std::any_of(options.sort.begin(), options.sort.end(), [&](const SortKey& k) { return k.field == f; });
  };
  const bool want_txt = sorts_by(SortField::Txt);
  const CategoryRules& rules = options.categories ? *options.categories : CategoryRules::generic();
  std::unordered_map<int32_t, std::string> process_names;
  std::unordered_map<std::string, size_t> index;
  std::vector<TopGroup> groups;
  PageOwnerRecord r;
  std::string key;
  for (uint64_t n = 0; source.next(r); ++n) {
    ++result.records;
    result.pages += r.pages();
    // Every record names its tgid's process, filtered out or not.
    if (r.tgid) {
      auto [name, added] = process_names.try_emplace(*r.tgid, r.comm);
      if (!added && r.pid == r.tgid) name->second = r.comm;
    }
    if (!options.filter.matches(r)) continue;
    ++result.matched_records;
    result.matched_pages += r.pages();

    // The group key as one string: each part, then a separator no part contains.
    key.clear();
    std::string_view module, category;
    std::string allocator;
    for (GroupKey k : options.by) {
      switch (k) {
        case GroupKey::Stack:
          for (const std::string& f : r.stack) (key += f) += '\n';
          break;
        case GroupKey::Pid: key += std::to_string(r.pid.value_or(-1)); break;
        case GroupKey::Tgid: key += std::to_string(r.tgid.value_or(-1)); break;
        case GroupKey::Comm: key += r.comm; break;
        case GroupKey::Module: key += module = module_of(r.stack); break;
        case GroupKey::Category: key += category = rules.classify(r.stack, r.comm); break;
        case GroupKey::Allocator: key += allocator = page_owner_allocator_name(page_owner_sort_allocator(r)); break;
      }
      key += '\0';
    }
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      TopGroup g;
      g.first_record = n;
      g.first_ts_nsec = r.ts_nsec.value_or(0);
      g.pid = r.pid;
      g.tgid = r.tgid;
      g.comm = r.comm;
      g.stack = r.stack;
      g.module = has(GroupKey::Module) ? std::string(module) : std::string(module_of(r.stack));
      g.category = has(GroupKey::Category) ? std::string(category) : std::string(rules.classify(r.stack, r.comm));
      g.allocator = has(GroupKey::Allocator) ? allocator : page_owner_allocator_name(page_owner_sort_allocator(r));
      if (want_txt) append_page_owner_record(g.txt, r, source.text_format());
      groups.push_back(std::move(g));
    }
    TopGroup& g = groups[it->second];
    ++g.records;
    g.pages += r.pages();
    g.first_ts_nsec = std::min(g.first_ts_nsec, r.ts_nsec.value_or(0));
  }
  for (TopGroup& g : groups)
    if (g.tgid) g.process = process_names[*g.tgid];
  result.problems = source.problems();
  result.groups_total = groups.size();
  // Groups are in order of first appearance; a stable sort keeps that order for ties.
  std::stable_sort(groups.begin(), groups.end(), [&](const TopGroup& a, const TopGroup& b) {
    for (const SortKey& k : options.sort) {
      int c = compare_field(k.field, a, b);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
  if (options.min_pages) std::erase_if(groups, [&](const TopGroup& g) { return g.pages < options.min_pages; });
  if (options.top && groups.size() > options.top) groups.resize(options.top);
  result.groups = std::move(groups);
  return result;
}

Result<TopOptions> apply_page_owner_sort_args(std::span<const PageOwnerSortArg> args, const std::string& by_keys,
                                              TopOptions o) {
  std::optional<SortKey> letter;
  std::optional<std::vector<SortKey>> sort;
  std::vector<GroupKey> by;
  if (!by_keys.empty())
    for (const std::string& k : split_commas(by_keys)) {
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
  return o;
}

void name_processes(TopResult& result, const std::unordered_map<int32_t, std::string>& names) {
  for (TopGroup& g : result.groups)
    if (g.tgid)
      if (auto it = names.find(*g.tgid); it != names.end()) g.process = it->second;
}

}  // namespace ramsift
