#include "ramsift/analysis/vtop.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ramsift {

namespace {

// crash reads every vtop argument as hex, with or without 0x; a word that is
// not hex is a vmlinux symbol.
Result<VirtAddr> parse_address(const std::string& text, const Kernel& kernel) {
  std::string digits = text.starts_with("0x") || text.starts_with("0X") ? text.substr(2) : text;
  if (!digits.empty() && digits.size() <= 16 && digits.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos)
    return VirtAddr(std::stoull(digits, nullptr, 16));
  if (auto sym = kernel.symbol(text)) return *sym;
  return bad_input("vtop: \"" + text + "\" is neither a hex address nor a vmlinux symbol");
}

VtopEntry translate_one(const Kernel& kernel, const std::string& input, VirtAddr va) {
  const Translator& tr = kernel.translator();
  VtopEntry e;
  e.input = input;
  e.va = tr.normalize(va);
  if (const DirectMapping* m = tr.fast_path_for(e.va)) {
    e.fast_path = m->name;
    e.fast_pa = m->translate(e.va);
  }
  auto walked = tr.walk_traced(kernel.dump(), e.va, e.steps);
  if (walked)
    e.translation = *walked;
  else
    e.error = walked.error().message();
  return e;
}

// Adds one comparison to a tally; previous_unmapped continues a span.
void add(FastPathTally& t, const FastPathCheck& c, bool& previous_unmapped) {
  using Span = FastPathTally::Span;
  ++t.tried;
  auto note = [&](const std::string& s) {
    if (t.examples.size() < 10) t.examples.push_back(s);
  };
  bool now_unmapped = false;
  if (!c.mapping && !c.walk && c.walk.error().code() == ErrorCode::Fault) {
    // Not mapped, and no fast path pretends it is: the right answer.
    ++t.unmapped;
    now_unmapped = true;
    if (!previous_unmapped || t.unmapped_spans.back().fast)
      t.unmapped_spans.push_back(Span{c.va.value(), 0, 0, 0, 0, false});
    t.unmapped_spans.back().last_va = c.va.value();
    ++t.unmapped_spans.back().count;
  } else if (!c.mapping) {
    ++t.no_fast_path;
    note(c.describe());
  } else if (c.agree()) {
    ++t.agree;
  } else if (c.walk) {
    ++t.disagree;
    note(c.describe());
  } else if (c.walk.error().code() == ErrorCode::Fault) {
    ++t.unmapped;
    now_unmapped = true;
    if (!previous_unmapped || !t.unmapped_spans.back().fast)
      t.unmapped_spans.push_back(Span{c.va.value(), 0, c.fast->value(), 0, 0, true});
    Span& span = t.unmapped_spans.back();
    span.last_va = c.va.value();
    span.last_pa = c.fast->value();
    ++span.count;
  } else if (c.walk.error().code() == ErrorCode::NoData) {
    ++t.no_data;
  } else {
    ++t.other;
    note(c.describe());
  }
  previous_unmapped = now_unmapped;
}

// A fixed sequence (splitmix64): the same addresses on every run.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

}  // namespace

std::string VtopEntry::fast_path_verdict() const {
  if (fast_path.empty()) return "";
  if (!translation) return "walk failed";
  return translation->pa == *fast_pa ? "agrees" : "DISAGREES";
}

VtopReport vtop(const Kernel& kernel, std::span<const std::string> words) {
  VtopReport r;
  for (const std::string& word : words) {
    auto va = parse_address(word, kernel);
    if (!va) {
      r.errors.push_back(va.error());
      continue;
    }
    VtopEntry e = translate_one(kernel, word, *va);
    if (!e.translation)
      r.errors.push_back(fault(e.error).at_address(e.va));
    else if (!e.fast_path.empty() && e.translation->pa != *e.fast_pa)
      r.errors.push_back(corrupt("va " + hex(e.va.value()) + ": " + e.fast_path + " gives pa " +
                                 hex(e.fast_pa->value()) + ", page tables give pa " + hex(e.translation->pa.value()))
                             .at_address(e.va));
    r.entries.push_back(std::move(e));
  }
  return r;
}

Result<FastPathReport> check_fast_paths(const Kernel& kernel, uint64_t samples) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); };
  const Translator& tr = kernel.translator();
  const PhysicalMemory& memory = kernel.dump();
  const uint64_t page = kernel.page_size();
  FastPathReport report;
  report.arch = tr.arch();
  report.mappings.assign(tr.direct_mappings().begin(), tr.direct_mappings().end());

  auto text = kernel.symbol("_text");
  auto end = kernel.symbol("_end");
  if (!text || !end || *end <= *text) return not_found("vtop: no _text / _end in the vmlinux");
  auto t0 = Clock::now();
  bool previous = false;
  for (VirtAddr va = *text; va < *end; va = va + page) add(report.image, check_fast_path(memory, tr, va), previous);
  report.image.seconds = seconds(t0);
  report.image.what = "kernel image [_text " + hex(text->value()) + ", _end " + hex(end->value()) + "), every page";

  // The linear (direct) map: the fast path that is not the kernel image's.
  const DirectMapping* linear = nullptr;
  for (const DirectMapping& m : tr.direct_mappings())
    if (m.name != "kernel image") linear = &m;
  if (!linear) return not_found("vtop: no linear-map fast path");
  uint64_t total = 0;
  for (const PhysRange& r : memory.ranges()) total += r.size;
  t0 = Clock::now();
  uint64_t state = 0x72616d73696674;  // "ramsift"
  for (const PhysRange& r : memory.ranges()) {
    if (r.start < linear->phys_start || r.size < page) continue;
    uint64_t pages = r.size / page;
    previous = false;  // a run of unmapped samples never spans two ranges
    uint64_t n = std::max<uint64_t>(2, static_cast<uint64_t>(static_cast<double>(samples) *
                                                             static_cast<double>(r.size) / static_cast<double>(total)));
    n = std::min(n, pages);
    for (uint64_t i = 0; i < n; ++i) {
      // Evenly spread pages, the first and the last included, each at a
      // random byte in it.
      uint64_t p = n == 1 ? 0 : i * (pages - 1) / (n - 1);
      PhysAddr pa = r.start + (p * page + next_random(state) % page);
      uint64_t offset = pa - linear->phys_start;
      if (offset >= linear->size) continue;
      add(report.linear, check_fast_path(memory, tr, linear->start + offset), previous);
    }
  }
  report.linear.seconds = seconds(t0);
  report.linear.what = linear->name + ", " + std::to_string(samples) + " addresses over " +
                       std::to_string(memory.ranges().size()) + " dump ranges (" + std::to_string(total >> 20) +
                       " MiB)";
  return report;
}

}  // namespace ramsift
