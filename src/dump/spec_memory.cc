#include "ramsift/dump/spec_memory.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sstream>

namespace ramsift {

uint8_t spec_pattern_byte(uint64_t addr, uint32_t seed) {
  // A cheap mix so that every page differs from every other (a reader that
  // returns the wrong page is caught) and no page is all zero.
  uint64_t x = addr * 0x9e3779b97f4a7c15ull + seed * 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return static_cast<uint8_t>(x ^ (x >> 17) ^ (addr >> 12));
}

namespace {

Result<uint64_t> parse_number(std::string_view token, int line) {
  int base = 10;
  if (token.starts_with("0x") || token.starts_with("0X")) {
    token.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value, base);
  if (ec != std::errc() || end != token.data() + token.size() || token.empty())
    return bad_input("spec line " + std::to_string(line) + ": not a number: '" + std::string(token) + "'");
  return value;
}

}  // namespace

Result<SpecMemory> SpecMemory::parse(std::string_view text) {
  SpecMemory m;
  std::istringstream in{std::string(text)};
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    if (auto hash = raw.find('#'); hash != std::string::npos) raw.erase(hash);
    std::istringstream words(raw);
    std::string keyword;
    if (!(words >> keyword)) continue;
    std::vector<std::string> args;
    for (std::string w; words >> w;) args.push_back(w);
    auto need = [&](size_t n) -> Status {
      if (args.size() < n)
        return bad_input("spec line " + std::to_string(line) + ": '" + keyword + "' needs " + std::to_string(n) +
                         " arguments");
      return {};
    };
    if (keyword == "arch") {
      RAMSIFT_TRY_STATUS(need(1));
      m.arch_ = arch_from_name(args[0]);
      if (m.arch_ == Arch::Unknown) return bad_input("spec line " + std::to_string(line) + ": unknown arch " + args[0]);
    } else if (keyword == "page_size") {
      RAMSIFT_TRY_STATUS(need(1));
      RAMSIFT_TRY(uint64_t ps, parse_number(args[0], line));
      if (ps < 512 || (ps & (ps - 1)) || ps > (1u << 20))
        return bad_input("spec line " + std::to_string(line) + ": bad page size");
      m.page_size_ = static_cast<uint32_t>(ps);
    } else if (keyword == "range" || keyword == "exclude") {
      RAMSIFT_TRY_STATUS(need(2));
      RAMSIFT_TRY(uint64_t start, parse_number(args[0], line));
      RAMSIFT_TRY(uint64_t second, parse_number(args[1], line));
      if (keyword == "range") {
        Fill fill;
        for (size_t i = 2; i < args.size(); ++i) {
          if (args[i] == "zero") {
            fill.zero = true;
          } else if (args[i] == "seed" && i + 1 < args.size()) {
            RAMSIFT_TRY(uint64_t seed, parse_number(args[++i], line));
            fill.seed = static_cast<uint32_t>(seed);
          } else {
            return bad_input("spec line " + std::to_string(line) + ": unknown range option '" + args[i] + "'");
          }
        }
        if (second == 0) return bad_input("spec line " + std::to_string(line) + ": empty range");
        m.ranges_.push_back({PhysAddr{start}, second});
        m.fills_.push_back(fill);
      } else {
        if (second <= start) return bad_input("spec line " + std::to_string(line) + ": exclude end before start");
        m.excluded_.push_back({PhysAddr{start}, second - start});
      }
    } else if (keyword == "vmcoreinfo") {
      std::string rest = raw.substr(raw.find("vmcoreinfo") + std::strlen("vmcoreinfo"));
      rest.erase(0, rest.find_first_not_of(" \t"));
      if (!m.vmcoreinfo_) m.vmcoreinfo_ = "";
      *m.vmcoreinfo_ += rest + "\n";
    } else if (keyword == "release") {
      RAMSIFT_TRY_STATUS(need(1));
      m.release_ = args[0];
    } else {
      return bad_input("spec line " + std::to_string(line) + ": unknown keyword '" + keyword + "'");
    }
  }
  // Ranges must be page aligned, sorted and disjoint: that is what every
  // format can represent.
  std::vector<size_t> order(m.ranges_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m.ranges_[a].start < m.ranges_[b].start; });
  std::vector<PhysRange> ranges;
  std::vector<Fill> fills;
  for (size_t i : order) {
    const PhysRange& r = m.ranges_[i];
    if (r.start.value() % m.page_size_ || r.size % m.page_size_)
      return bad_input("spec: range " + hex(r.start.value()) + " not page aligned");
    if (!ranges.empty() && r.start < ranges.back().end())
      return bad_input("spec: range " + hex(r.start.value()) + " overlaps another");
    ranges.push_back(r);
    fills.push_back(m.fills_[i]);
  }
  m.ranges_ = std::move(ranges);
  m.fills_ = std::move(fills);
  return m;
}

bool SpecMemory::excluded(PhysAddr addr) const {
  return std::any_of(excluded_.begin(), excluded_.end(), [&](const PhysRange& r) { return r.contains(addr); });
}

uint64_t SpecMemory::excluded_pages() const {
  uint64_t n = 0;
  for (const PhysRange& r : ranges_)
    for (uint64_t a = r.start.value(); a < r.end().value(); a += page_size_)
      if (excluded(PhysAddr{a})) ++n;
  return n;
}

Result<size_t> SpecMemory::read(PhysAddr addr, std::span<std::byte> out) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                             [](PhysAddr a, const PhysRange& r) { return a < r.start; });
  if (it == ranges_.begin() || !(it - 1)->contains(addr)) return fault("not in any range").at_address(addr);
  --it;
  const Fill& fill = fills_[static_cast<size_t>(it - ranges_.begin())];
  if (excluded(addr)) return no_data("excluded page").at_address(addr);
  size_t n = 0;
  for (; n < out.size(); ++n) {
    PhysAddr a = addr + n;
    if (a >= it->end()) break;
    if (a.value() % page_size_ == 0 && excluded(a)) break;
    out[n] = std::byte{fill.zero ? uint8_t{0} : spec_pattern_byte(a.value(), fill.seed)};
  }
  return n;
}

WriteSource SpecMemory::source() const {
  WriteSource s;
  s.memory = this;
  s.arch = arch_;
  s.page_size = page_size_;
  s.vmcoreinfo = vmcoreinfo_;
  s.release = release_;
  return s;
}

}  // namespace ramsift
