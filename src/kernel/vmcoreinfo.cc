#include "ramsift/kernel/vmcoreinfo.h"

#include <algorithm>
#include <charconv>

namespace ramsift {

namespace {

// Parses the whole of text as a number in base (16 accepts a 0x prefix).
std::optional<uint64_t> parse_unsigned(std::string_view text, int base) {
  if (base == 16 && (text.starts_with("0x") || text.starts_with("0X"))) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<Vmcoreinfo> Vmcoreinfo::parse(std::string_view text) {
  Vmcoreinfo info;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    // The note's descriptor is padded with NULs; stop at the first one.
    if (size_t nul = line.find('\0'); nul != std::string_view::npos) {
      line = line.substr(0, nul);
      start = text.size();
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    info.entries_.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  if (info.entries_.empty()) return corrupt("not VMCOREINFO: no KEY=VALUE line");
  return info;
}

std::optional<std::string> Vmcoreinfo::raw(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void Vmcoreinfo::drop_derived() {
  auto list = raw(kDerivedKey);
  if (!list) return;
  for (size_t at = 0; at <= list->size();) {
    size_t comma = std::min(list->find(',', at), list->size());
    if (auto it = entries_.find(std::string_view(*list).substr(at, comma - at)); it != entries_.end())
      entries_.erase(it);
    at = comma + 1;
  }
  entries_.erase(std::string(kDerivedKey));
}

std::optional<uint64_t> Vmcoreinfo::unsigned_value(std::string_view key, int base) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return parse_unsigned(it->second, base);
}

std::optional<uint64_t> Vmcoreinfo::symbol(std::string_view name) const {
  return unsigned_value("SYMBOL(" + std::string(name) + ")", 16);
}

std::optional<uint64_t> Vmcoreinfo::size(std::string_view name) const {
  return unsigned_value("SIZE(" + std::string(name) + ")", 10);
}

std::optional<uint64_t> Vmcoreinfo::offset(std::string_view type, std::string_view member) const {
  return unsigned_value("OFFSET(" + std::string(type) + "." + std::string(member) + ")", 10);
}

std::optional<uint64_t> Vmcoreinfo::length(std::string_view name) const {
  return unsigned_value("LENGTH(" + std::string(name) + ")", 10);
}

std::optional<int64_t> Vmcoreinfo::number(std::string_view name) const {
  std::optional<std::string> text = raw("NUMBER(" + std::string(name) + ")");
  if (!text) return std::nullopt;
  std::string_view v = *text;
  // arm64 prints its extras as 0x%llx; the generic ones are %ld.
  if (v.starts_with("0x") || v.starts_with("0X")) {
    auto u = parse_unsigned(v, 16);
    if (!u) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  bool negative = v.starts_with('-');
  if (negative) v.remove_prefix(1);
  auto u = parse_unsigned(v, 10);
  if (!u) return std::nullopt;
  return negative ? -static_cast<int64_t>(*u) : static_cast<int64_t>(*u);
}

std::optional<uint64_t> Vmcoreinfo::page_size() const {
  return unsigned_value("PAGESIZE", 10);
}

std::optional<uint64_t> Vmcoreinfo::kernel_offset() const {
  return unsigned_value("KERNELOFFSET", 16);
}

}  // namespace ramsift
