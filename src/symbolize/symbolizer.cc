#include "ramsift/symbolize/symbolizer.h"

#include <cstdio>
#include <cstring>

namespace ramsift {

struct Symbolizer::Cache {
  std::mutex mutex;
  std::unordered_map<uint64_t, std::string> text;
};

Symbolizer::Symbolizer(Symbolizer&&) noexcept = default;
Symbolizer::~Symbolizer() = default;

namespace {

std::string hex_plain(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "+0x1c/0x80"
std::string offset_size(uint64_t offset, uint64_t size) {
  return "+" + hex_plain(offset) + "/" + hex_plain(size);
}

// Mapping symbols that find_kallsyms_symbol() skips. 6.4+ (module_symbol.h):
// ".L*", "L0*", "$*". Before: ".L*" and ARM's "$a", "$x", "$t", "$d" (alone or "$x.*").
bool is_mapping_symbol(std::string_view s, bool new_rule) {
  if (s.starts_with(".L")) return true;
  if (new_rule) return s.starts_with("L0") || s.starts_with('$');
  return s.size() >= 2 && s[0] == '$' && std::strchr("axtd", s[1]) && (s.size() == 2 || s[2] == '.');
}

}  // namespace

Result<Symbolizer> Symbolizer::open(const Kernel& kernel) {
  Symbolizer s;
  s.kernel_ = &kernel;
  s.cache_ = std::make_unique<Cache>();
  RAMSIFT_TRY(s.kallsyms_, kernel.kallsyms());
  s.kallsyms_all_ = s.kallsyms_->has_data_symbols();
  s.source_ = "kallsyms tables in the dump";
  s.modules_ = read_modules(kernel);
  return s;
}

const Module* Symbolizer::module_of(uint64_t address) const {
  for (const Module& m : modules_.modules)
    if (m.state != 3 /* MODULE_STATE_UNFORMED */ && m.contains(address)) return &m;
  return nullptr;
}

bool Symbolizer::module_lookup(const Module& m, uint64_t address, std::string& out) const {
  uint64_t nextval = 0, bestval = 0;
  if (m.memory_types) {
    // 6.4+: bounded by the region holding the address (text only without KALLSYMS_ALL).
    const ModuleRegion* region = nullptr;
    for (const ModuleRegion& r : m.regions) {
      if (!kallsyms_all_ && !r.text) continue;
      if (r.size && address >= r.base.value() && address - r.base.value() < r.size) {
        region = &r;
        break;
      }
    }
    if (!region) return false;
    nextval = region->base.value() + region->size;
    bestval = region->base.value() - 1;
  } else {
    // Before 6.4: the end of the core or init text; the null symbol's value to start.
    const ModuleRegion* core = nullptr;
    const ModuleRegion* init = nullptr;
    for (const ModuleRegion& r : m.regions) (r.init ? init : core) = &r;
    bool in_init = init && init->size && address >= init->base.value() && address - init->base.value() < init->size;
    const ModuleRegion* r = in_init ? init : core;
    if (!r) return false;
    nextval = r->base.value() + r->text_size;
    bestval = m.symbols.empty() ? 0 : m.symbols[0].value;
  }
  size_t best = 0;
  for (size_t i = 1; i < m.symbols.size(); ++i) {
    const ModuleSymbol& s = m.symbols[i];
    if (!s.defined || s.name.empty() || is_mapping_symbol(s.name, m.memory_types)) continue;
    if (s.value <= address && s.value > bestval) {
      best = i;
      bestval = s.value;
    }
    if (s.value > address && s.value < nextval) nextval = s.value;
  }
  if (!best) return false;
  out = m.symbols[best].name + offset_size(address - bestval, nextval - bestval);
  return true;
}

std::string Symbolizer::compute(uint64_t address) const {
  if (auto hit = kallsyms_->lookup(address)) return hit->symbol->name + offset_size(hit->offset, hit->size);
  if (const Module* m = module_of(address)) {
    std::string text;
    if (module_lookup(*m, address, text)) return text + " [" + m->name + "]";
  }
  return hex_plain(address);
}

std::string Symbolizer::format(uint64_t address) const {
  {
    std::lock_guard lock(cache_->mutex);
    auto it = cache_->text.find(address);
    if (it != cache_->text.end()) return it->second;
  }
  std::string text = compute(address);
  std::lock_guard lock(cache_->mutex);
  cache_->text.emplace(address, text);
  return text;
}

}  // namespace ramsift
