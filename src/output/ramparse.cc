// ramparse's page tracking files (ramparse.h): format strings from
// parsers/pagetracking.py, the frequency order from its sorted(..., reverse=True).
#include "ramsift/output/ramparse.h"

#include <algorithm>
#include <cstdio>

#include "ramsift/base/error.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

std::string ramparse_stack_text(const std::vector<RamparseFrame>& frames) {
  std::string out;
  for (const RamparseFrame& f : frames) {
    out += "      [<" + hex_digits(f.address) + ">] ";
    out += f.symbol.empty() ? "0x" + hex_digits(f.address) : f.symbol;
    out += "+0x" + hex_digits(f.symbol.empty() ? 0 : f.offset) + "\n";
  }
  return out;
}

void write_ramparse_record(std::ostream& out, const RamparseRecord& r) {
  const uint64_t last = r.pfn + (r.order < 64 ? (uint64_t{1} << r.order) - 1 : 0);
  std::string line = "PFN : 0x" + hex_digits(r.pfn) + "-0x" + hex_digits(last) + " Page : 0x" + hex_digits(r.page) +
                     " Order : " + std::to_string(r.order) + " PID : " + std::to_string(r.pid) + " ";
  if (r.comm) line += "Comm: " + *r.comm + " ";
  line += "ts_nsec " + std::to_string(r.ts_nsec) + " gfp 0x" + hex_digits(r.gfp_mask) + " pgext 0x" +
          hex_digits(r.page_ext_flags) + "\n";
  line += ramparse_stack_text(r.frames);
  line += "\n";
  out << line;
}

void RamparseFrequency::add(const RamparseRecord& r) {
  std::string text = ramparse_stack_text(r.frames);
  auto [it, added] = index_.try_emplace(text, stacks_.size());
  if (added) stacks_.push_back(Stack{std::move(text), 0, 0, {}});
  const size_t at = it->second;
  Stack& s = stacks_[at];
  const uint64_t kb = page_kb_ << r.order;
  ++s.records;
  s.memory_kb += kb;
  std::string pid = std::to_string(r.pid);
  if (r.comm) pid += "-" + *r.comm;
  auto p = std::find_if(s.pids.begin(), s.pids.end(), [&](const PidOrders& e) { return e.pid == pid; });
  if (p == s.pids.end()) {
    s.pids.push_back(PidOrders{pid, {}});
    p = s.pids.end() - 1;
  }
  auto o = std::find_if(p->orders.begin(), p->orders.end(), [&](const auto& e) { return e.first == r.order; });
  if (o == p->orders.end())
    p->orders.push_back({r.order, 1});
  else
    ++o->second;
}

void RamparseFrequency::write(std::ostream& out) const {
  std::vector<size_t> order(stacks_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return stacks_[a].memory_kb > stacks_[b].memory_kb; });
  std::string text;
  for (size_t i : order) {
    const Stack& s = stacks_[i];
    text += "Allocated " + std::to_string(s.records) + " times, total memory: " + std::to_string(s.memory_kb) + " KB\n";
    text += s.text;
    for (const PidOrders& p : s.pids)
      for (const auto& [o, n] : p.orders)
        text += "pid:" + p.pid + " order:" + std::to_string(o) + " frequency:" + std::to_string(n) +
                " memory:" + std::to_string((page_kb_ << o) * n) + " KB\n";
    text += "\n";
    if (text.size() > (1 << 20)) {
      out << text;
      text.clear();
    }
  }
  out << text;
}

RamparseFrame ramparse_frame(uint64_t address, const std::string& text) {
  RamparseFrame f;
  f.address = address;
  size_t space = text.find(' ');
  std::string main = text.substr(0, space);
  size_t slash = main.rfind('/');
  size_t plus = slash == std::string::npos ? std::string::npos : main.rfind('+', slash);
  if (plus == std::string::npos) return f;
  f.symbol = main.substr(0, plus);
  f.offset = std::strtoull(main.substr(plus + 1, slash - plus - 1).c_str(), nullptr, 16);
  if (space != std::string::npos && text.size() > space + 2 && text[space + 1] == '[')
    f.symbol += text.substr(space + 1);
  return f;
}

PageTrackingCounts write_page_tracking(DumpRecords& records, std::ostream& tracking, std::ostream& freed,
                                       std::ostream& frequency) {
  const Kernel& kernel = records.kernel();
  const Symbolizer& symbols = records.symbolizer();
  RamparseFrequency freq(kernel.page_size() >> 10);
  PageOwnerRecord r;
  PageOwnerFrames frames;
  RamparseRecord out;
  PageTrackingCounts n;
  while (records.walker().next(r, frames)) {
    std::span<const uint64_t> stack = r.freed ? frames.free : frames.alloc;
    // ramparse skips a block whose stack handle is 0 (never freed since
    // it was allocated, for the freed side) or does not decode.
    if (stack.empty()) {
      ++n.no_free_stack;
      continue;
    }
    auto page = records.model().page_address(r.pfn);
    auto ext = records.model().page_ext_address(r.pfn);
    Result<uint64_t> flags = ext && *ext ? kernel.read_u64(**ext) : Result<uint64_t>(uint64_t{0});
    if (!page || !ext || !*ext || !flags) {
      ++n.unreadable;
      continue;
    }
    out.pfn = r.pfn;
    out.order = r.order;
    out.page = page->value();
    out.gfp_mask = r.gfp_mask;
    out.page_ext_flags = *flags;
    out.frames.clear();
    for (uint64_t a : stack) out.frames.push_back(ramparse_frame(a, symbols.format(a)));
    if (r.freed) {
      out.pid = r.free_pid.value_or(-1);
      out.comm.reset();
      out.ts_nsec = r.free_ts_nsec.value_or(0);
      write_ramparse_record(freed, out);
      ++n.freed;
    } else {
      out.pid = r.pid.value_or(-1);
      out.comm = r.comm;
      out.ts_nsec = r.ts_nsec.value_or(0);
      write_ramparse_record(tracking, out);
      freq.add(out);
      ++n.allocated;
    }
  }
  freq.write(frequency);
  return n;
}

}  // namespace ramsift
