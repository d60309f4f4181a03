// ramsift vtop: kernel virtual addresses to physical ones, as crash's vtop,
// with the fast path's answer beside the page-table walk's.
#include "ramsift/output/vtop.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "kernel_commands.h"

namespace ramsift::cli {

namespace {

struct VtopCommand {
  std::vector<std::string> inputs;  // the dump's files, then the addresses
  KernelOptionsText kernel;
  std::string format = "text";
  bool check_fast_paths = false;
  uint64_t samples = 65536;
};

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

// --check-fast-paths: the walk and the fast path side by side on every page
// of the kernel image and on `samples` linear-map addresses spread over the
// dump's RAM ranges.
struct Tally {
  uint64_t tried = 0, agree = 0, disagree = 0, unmapped = 0, no_data = 0, other = 0, no_fast_path = 0;
  std::vector<std::string> examples;  // disagreements and odd cases, the first few
  // Runs of consecutive addresses the walk says are not mapped.
  struct Span {
    uint64_t first_va = 0, last_va = 0, first_pa = 0, last_pa = 0, count = 0;
    bool fast = true;  // false: a hole no fast path covers (arm64's freed __init), left to the walk
  };
  std::vector<Span> unmapped_spans;
  bool previous_unmapped = false;

  void add(const FastPathCheck& c) {
    ++tried;
    auto note = [&](const std::string& s) {
      if (examples.size() < 10) examples.push_back(s);
    };
    bool now_unmapped = false;
    if (!c.mapping && !c.walk && c.walk.error().code() == ErrorCode::Fault) {
      // Not mapped, and no fast path pretends it is: the right answer.
      ++unmapped;
      now_unmapped = true;
      if (!previous_unmapped || unmapped_spans.back().fast) unmapped_spans.push_back({c.va.value(), 0, 0, 0, 0, false});
      unmapped_spans.back().last_va = c.va.value();
      ++unmapped_spans.back().count;
    } else if (!c.mapping) {
      ++no_fast_path;
      note(c.describe());
    } else if (c.agree()) {
      ++agree;
    } else if (c.walk) {
      ++disagree;
      note(c.describe());
    } else if (c.walk.error().code() == ErrorCode::Fault) {
      ++unmapped;
      now_unmapped = true;
      if (!previous_unmapped || !unmapped_spans.back().fast)
        unmapped_spans.push_back({c.va.value(), 0, c.fast->value(), 0, 0, true});
      Span& span = unmapped_spans.back();
      span.last_va = c.va.value();
      span.last_pa = c.fast->value();
      ++span.count;
    } else if (c.walk.error().code() == ErrorCode::NoData) {
      ++no_data;
    } else {
      ++other;
      note(c.describe());
    }
    previous_unmapped = now_unmapped;
  }
  bool ok() const { return tried && !disagree && !no_fast_path && !other; }
};

void print_tally(const char* what, const Tally& t, double seconds) {
  std::printf(
      "%s: %llu tried, %llu agree, %llu disagree, %llu not mapped by the page tables, %llu page-table pages "
      "not in the dump, %llu other errors, %llu outside every fast path (%.2f s)\n",
      what, static_cast<unsigned long long>(t.tried), static_cast<unsigned long long>(t.agree),
      static_cast<unsigned long long>(t.disagree), static_cast<unsigned long long>(t.unmapped),
      static_cast<unsigned long long>(t.no_data), static_cast<unsigned long long>(t.other),
      static_cast<unsigned long long>(t.no_fast_path), seconds);
  for (const Tally::Span& s : t.unmapped_spans)
    if (!s.fast)
      std::printf("  not mapped: va %#llx-%#llx (no fast path), %llu addresses\n",
                  static_cast<unsigned long long>(s.first_va), static_cast<unsigned long long>(s.last_va),
                  static_cast<unsigned long long>(s.count));
    else
      std::printf("  not mapped: va %#llx-%#llx (fast path pa %#llx-%#llx), %llu addresses\n",
                  static_cast<unsigned long long>(s.first_va), static_cast<unsigned long long>(s.last_va),
                  static_cast<unsigned long long>(s.first_pa), static_cast<unsigned long long>(s.last_pa),
                  static_cast<unsigned long long>(s.count));
  for (const std::string& s : t.examples) std::printf("  %s\n", s.c_str());
}

// A fixed sequence (splitmix64): the same addresses on every run.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

int check_fast_paths(const Kernel& kernel, uint64_t samples) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); };
  const Translator& tr = kernel.translator();
  const PhysicalMemory& memory = kernel.dump();
  const uint64_t page = kernel.page_size();
  int status = kOk;
  std::printf("%s, fast paths:", std::string(tr.arch()).c_str());
  for (const DirectMapping& m : tr.direct_mappings())
    std::printf(" %s [%#llx, +%#llx) -> pa %#llx;", m.name.c_str(), static_cast<unsigned long long>(m.start.value()),
                static_cast<unsigned long long>(m.size), static_cast<unsigned long long>(m.phys_start.value()));
  std::printf("\n");

  auto text = kernel.symbol("_text");
  auto end = kernel.symbol("_end");
  if (!text || !end || *end <= *text) {
    report(not_found("vtop: no _text / _end in the vmlinux"));
    return kFailed;
  }
  Tally image;
  auto t0 = Clock::now();
  for (VirtAddr va = *text; va < *end; va = va + page) image.add(check_fast_path(memory, tr, va));
  char what[160];
  std::snprintf(what, sizeof what, "kernel image [_text %#llx, _end %#llx), every page",
                static_cast<unsigned long long>(text->value()), static_cast<unsigned long long>(end->value()));
  print_tally(what, image, seconds(t0));
  if (!image.ok()) status = kPartial;

  // The linear (direct) map: the fast path that is not the kernel image's.
  const DirectMapping* linear = nullptr;
  for (const DirectMapping& m : tr.direct_mappings())
    if (m.name != "kernel image") linear = &m;
  if (!linear) {
    report(not_found("vtop: no linear-map fast path"));
    return kFailed;
  }
  uint64_t total = 0;
  for (const PhysRange& r : memory.ranges()) total += r.size;
  Tally lin;
  t0 = Clock::now();
  uint64_t state = 0x72616d73696674;  // "ramsift"
  for (const PhysRange& r : memory.ranges()) {
    if (r.start < linear->phys_start || r.size < page) continue;
    uint64_t pages = r.size / page;
    lin.previous_unmapped = false;  // a run of unmapped samples never spans two ranges
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
      lin.add(check_fast_path(memory, tr, linear->start + offset));
    }
  }
  std::snprintf(what, sizeof what, "%s, %llu addresses over %zu dump ranges (%llu MiB)", linear->name.c_str(),
                static_cast<unsigned long long>(samples), memory.ranges().size(),
                static_cast<unsigned long long>(total >> 20));
  print_tally(what, lin, seconds(t0));
  if (!lin.ok()) status = kPartial;
  std::printf("%s\n", status == kOk ? "fast paths agree with the walk" : "FAIL: fast paths and walk differ");
  return status;
}

bool is_path(const std::string& s) {
  struct stat st;
  // The dump's words (each part of a split dump is one) name existing
  // files or directories; an address never does.
  return ::stat(s.c_str(), &st) == 0;
}

}  // namespace

void add_vtop(CLI::App& app, Context& context) {
  auto c = std::make_shared<VtopCommand>();
  CLI::App* cmd = app.add_subcommand(
      "vtop",
      "Kernel virtual addresses to physical, as crash's vtop: the page-table entries of every level, the page size, "
      "and the fast path (linear map, kernel image) checked against the walk");
  cmd->add_option("dump_and_addresses", c->inputs,
                  "The dump (as for every command), then addresses: hex, with or without 0x, or vmlinux symbols")
      ->required();
  add_kernel_options(*cmd, c->kernel);
  cmd->add_option("--format", c->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  // A diagnostic for the fixture tests: hidden from the help.
  cmd->add_flag("--check-fast-paths", c->check_fast_paths,
                "Walk every kernel image page and --samples linear-map addresses, compare with the fast paths")
      ->group("");
  cmd->add_option("--samples", c->samples, "Linear-map addresses for --check-fast-paths")->group("");
  cmd->callback([c, &context] {
    DumpOptions dump_options;
    dump_options.kernel = c->kernel;
    std::vector<std::string> addresses;
    for (const std::string& s : c->inputs) {
      if (addresses.empty() && (dump_options.inputs.empty() || is_path(s)))
        dump_options.inputs.push_back(s);
      else
        addresses.push_back(s);
    }
    if (addresses.empty() && !c->check_fast_paths) {
      report(bad_input("vtop: want DUMP ADDR... (hex addresses or vmlinux symbols)"));
      context.exit_code = kFailed;
      return;
    }
    std::unique_ptr<Dump> dump = open_or_report(dump_options, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    if (c->check_fast_paths) {
      context.exit_code = check_fast_paths(*kernel, c->samples);
      if (addresses.empty()) return;
    }
    std::vector<VtopEntry> entries;
    bool failed = false;
    for (const std::string& a : addresses) {
      auto va = parse_address(a, *kernel);
      if (!va) {
        report(va.error());
        failed = true;
        continue;
      }
      VtopEntry e = translate_one(*kernel, a, *va);
      if (!e.translation) {
        report(fault(e.error));
        failed = true;
      } else if (!e.fast_path.empty() && e.translation->pa != *e.fast_pa) {
        report(corrupt("va " + hex(e.va.value()) + ": " + e.fast_path + " gives pa " + hex(e.fast_pa->value()) +
                       ", page tables give pa " + hex(e.translation->pa.value())));
        failed = true;
      }
      entries.push_back(std::move(e));
    }
    print_vtop(entries, parse_format(c->format), std::cout);
    if (failed && context.exit_code == kOk) context.exit_code = entries.empty() ? kFailed : kPartial;
  });
}

}  // namespace ramsift::cli
