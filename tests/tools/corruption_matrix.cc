// corruption-matrix SAMPLE.kdump SYMBOLS_DIR [--runs N] [--seed S]
//
// The corruption matrix of issue 14: damages the bundled sample in memory
// (tests/support/overlay_dump.h; the file is never written) one structure
// class at a time — page tables, mem_section, struct page, page_ext, stack
// depot records, kallsyms tables, the module list, the task list — flipping a
// byte or zeroing an aligned u64 at seeded places inside the bytes the clean
// run read, and runs the page-owner/ps/info pipeline (tests/support/
// sample_pipeline.h) on each. Every run must end in one of:
//   clean      the clean output, as if nothing happened (the byte was unused)
//   explained  exit 0 with differences only in the records (tasks, modules)
//              whose own bytes were damaged: a flipped ts or comm cannot be
//              detected
//   partial    problems reported (exit 1), each naming an address
//   failed     nothing usable (exit 2), the message naming an address
// Anything else is a silent difference (or a message without an address),
// printed with what was damaged; the exit status is then 1. The counts are
// printed per class.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/overlay_dump.h"
#include "support/sample_pipeline.h"

using namespace ramsift;
using ramsift::testing::OverlayDump;
using ramsift::testing::PipelineOutcome;

namespace {

// Bytes of one structure instance, in physical memory, and whose they are.
struct Region {
  uint64_t start = 0, size = 0;
  std::set<uint64_t> pfns;  // records whose own bytes these are
  std::string task;         // the task (or module) line whose own bytes these are
};

struct Class {
  const char* name;
  std::vector<Region> regions;
};

struct Counts {
  unsigned runs = 0, clean = 0, explained = 0, partial = 0, failed = 0, silent = 0;
};

bool names_address(const Error& e) {
  return e.address() || e.offset() || e.to_string().find("0x") != std::string::npos;
}

// VA -> the physical bytes [pa, pa + size) that are in the dump, page by page.
void add_virtual(const Kernel& k, const Dump& dump, VirtAddr va, uint64_t size, Region proto,
                 std::vector<Region>& out) {
  for (uint64_t done = 0; done < size;) {
    auto t = k.memory().translate(va + done);
    if (!t) return;
    uint64_t n = std::min(size - done, t->bytes_to_end());
    std::byte probe{};
    if (dump.read(t->pa, std::span<std::byte>(&probe, 1))) {
      Region r = proto;
      r.start = t->pa.value();
      r.size = n;
      out.push_back(r);
    }
    done += n;
  }
}

std::vector<Class> classes_of(const Dump& dump, const KernelOptions& options, const PipelineOutcome& clean) {
  std::vector<Class> classes = {{"page tables", {}}, {"mem_section", {}},     {"struct page", {}}, {"page_ext", {}},
                                {"stack depot", {}}, {"kallsyms tables", {}}, {"module list", {}}, {"task list", {}}};
  auto kernel = Kernel::open(dump, options);
  auto records = kernel ? DumpRecords::open(**kernel, PageOwnerWalkOptions{})
                        : Result<std::unique_ptr<DumpRecords>>(kernel.error());
  if (!records) {
    fprintf(stderr, "corruption-matrix: the clean sample does not open: %s\n", records.error().to_string().c_str());
    exit(2);
  }
  const Kernel& k = **kernel;
  const MemoryModel& model = (*records)->model();
  const StackDepot& depot = (*records)->depot();
  std::set<uint64_t> table_entries;
  auto trace_walk = [&](VirtAddr va) {
    WalkTrace trace;
    (void)k.translator().walk_traced(dump, va, trace);
    for (const WalkStep& s : trace) table_entries.insert(s.entry_address.value());
  };
  // struct page, page_ext, the depot records of every record; the page
  // table entries that map them.
  std::map<uint32_t, std::set<uint64_t>> by_handle;
  PageOwnerRecord r;
  PageOwnerFrames frames;
  while ((*records)->walker().next(r, frames))
    if (r.stack_handle) by_handle[*r.stack_handle].insert(r.pfn);
  for (const auto& [pfn, text] : clean.records) {
    Region own;
    own.pfns = {pfn};
    if (auto page = model.page_address(pfn)) {
      add_virtual(k, dump, *page, model.page_layout().size, own, classes[2].regions);
      trace_walk(*page);
    }
    if (auto ext = model.page_ext_address(pfn); ext && *ext) {
      add_virtual(k, dump, **ext, model.page_ext_size(), own, classes[3].regions);
      trace_walk(**ext);
    }
  }
  for (const auto& [handle, pfns] : by_handle) {
    auto at = depot.record_address(handle);
    if (!at) continue;
    Region own;
    own.pfns = pfns;
    auto stack = depot.fetch(handle);
    const uint64_t frames_n = stack ? stack->size() : 0;
    add_virtual(k, dump, *at, depot.layout().record_entries_offset + 8 * frames_n, own, classes[4].regions);
    trace_walk(*at);
  }
  // mem_section: the root pointer array and each section the records live in.
  if (auto ms = k.symbol("mem_section"); ms) {
    auto layout = k.dwarf().layout("struct mem_section");
    auto roots = k.read_u64(*ms);
    if (layout && roots) {
      const uint64_t size = (*layout)->size, per_root = k.page_size() / size;
      std::set<uint64_t> sections;
      for (const auto& [pfn, text] : clean.records) sections.insert(pfn / model.pages_per_section());
      for (uint64_t nr : sections) {
        Region none;
        add_virtual(k, dump, VirtAddr(*roots + 8 * (nr / per_root)), 8, none, classes[1].regions);
        if (auto root = k.read_u64(VirtAddr(*roots + 8 * (nr / per_root))))
          add_virtual(k, dump, VirtAddr(*root + size * (nr % per_root)), size, none, classes[1].regions);
      }
    }
  }
  // kallsyms: the first page of each table.
  for (const char* name : {"kallsyms_names", "kallsyms_offsets", "kallsyms_token_table", "kallsyms_token_index",
                           "kallsyms_num_syms", "kallsyms_relative_base", "kallsyms_markers"})
    if (auto at = k.symbol(name)) add_virtual(k, dump, *at, 4096, Region{}, classes[5].regions);
  // Modules: the list head and each struct module; tasks: each task_struct.
  if (auto head = k.symbol("modules")) add_virtual(k, dump, *head, 16, Region{}, classes[6].regions);
  auto module_layout = k.dwarf().layout("struct module");
  ModuleList modules = read_modules(k);
  for (size_t i = 0; i < modules.modules.size() && module_layout; ++i) {
    // The module's bytes name its frames ("func+0x1c/0x80 [name]"): a flipped
    // name or symbol is as undetectable as a flipped comm.
    Region own;
    own.task = clean.modules[i];
    for (const auto& [pfn, text] : clean.records)
      if (text.find(" [" + modules.modules[i].name + "]") != std::string::npos) own.pfns.insert(pfn);
    add_virtual(k, dump, modules.modules[i].address, (*module_layout)->size, own, classes[6].regions);
    trace_walk(modules.modules[i].address);
  }
  TaskList tasks = read_tasks(k);
  auto task_layout_ = task_layout(k);
  for (size_t i = 0; i < tasks.tasks.size() && task_layout_; ++i) {
    Region own;
    own.task = clean.tasks[i];
    add_virtual(k, dump, tasks.tasks[i].address, task_layout_->size, own, classes[7].regions);
    trace_walk(tasks.tasks[i].address);
  }
  for (uint64_t e : table_entries) {
    std::byte probe{};
    if (dump.read(PhysAddr(e), std::span<std::byte>(&probe, 1))) classes[0].regions.push_back(Region{e, 8, {}, ""});
  }
  return classes;
}

// What differs from the clean run; empty when explained by the region's own bytes.
std::string unexplained(const PipelineOutcome& clean, const PipelineOutcome& got, const Region& region) {
  std::string why;
  std::set<uint64_t> pfns;
  for (const auto& [pfn, text] : clean.records)
    if (auto it = got.records.find(pfn); it == got.records.end() || it->second != text) pfns.insert(pfn);
  for (const auto& [pfn, text] : got.records)
    if (!clean.records.count(pfn)) pfns.insert(pfn);
  for (uint64_t pfn : pfns)
    if (!region.pfns.count(pfn)) {
      why += "record pfn " + std::to_string(pfn) + " differs; ";
      if (getenv("CORRUPTION_MATRIX_VERBOSE")) {
        auto a = clean.records.find(pfn);
        auto b = got.records.find(pfn);
        why += "\n--- clean\n" + (a == clean.records.end() ? std::string("(none)\n") : a->second) + "--- damaged\n" +
               (b == got.records.end() ? std::string("(none)\n") : b->second);
      }
      break;
    }
  auto lines_differ = [&](const std::vector<std::string>& a, const std::vector<std::string>& b, const char* what) {
    if (a.size() != b.size()) {
      why += std::string(what) + " count " + std::to_string(a.size()) + " -> " + std::to_string(b.size()) + "; ";
      return;
    }
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i] && a[i] != region.task) {
        why += std::string(what) + " '" + a[i] + "' -> '" + b[i] + "'; ";
        return;
      }
  };
  lines_differ(clean.tasks, got.tasks, "task");
  lines_differ(clean.modules, got.modules, "module");
  return why;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: corruption-matrix SAMPLE.kdump SYMBOLS_DIR [--runs N] [--seed S]\n");
    return 2;
  }
  unsigned runs_per_class = 40;
  uint64_t seed = 14;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--runs")) runs_per_class = static_cast<unsigned>(strtoul(argv[i + 1], nullptr, 0));
    if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], nullptr, 0);
  }
  std::vector<std::string> inputs = {argv[1]};
  auto dump = open_dump(inputs, OpenOptions{});
  if (!dump) {
    fprintf(stderr, "corruption-matrix: %s\n", dump.error().to_string().c_str());
    return 2;
  }
  const KernelOptions options = testing::sample_kernel_options(argv[2]);
  const PipelineOutcome clean = testing::run_pipeline(**dump, options);
  if (clean.failed || !clean.problems.empty() || clean.records.empty()) {
    fprintf(stderr, "corruption-matrix: the clean sample is not clean (%zu records, %zu problems%s)\n",
            clean.records.size(), clean.problems.size(), clean.failed ? ", failed" : "");
    return 2;
  }
  std::vector<Class> classes = classes_of(**dump, options, clean);
  std::mt19937_64 rng(seed);
  Counts total;
  bool bad = false;
  printf("%-16s %8s %5s %6s %9s %7s %6s %6s\n", "class", "regions", "runs", "clean", "explained", "partial", "failed",
         "silent");
  for (const Class& c : classes) {
    Counts n;
    if (c.regions.empty()) {
      fprintf(stderr, "corruption-matrix: no %s bytes found in the sample\n", c.name);
      bad = true;
    }
    for (unsigned run = 0; run < runs_per_class && !c.regions.empty(); ++run) {
      const Region& region = c.regions[rng() % c.regions.size()];
      const uint64_t at = region.start + rng() % region.size;
      OverlayDump damaged(**dump);
      std::string what;
      if (rng() % 2) {
        std::byte old{};
        (void)(*dump)->read(PhysAddr(at), std::span<std::byte>(&old, 1));
        const auto flip = std::byte(1u << (rng() % 8));
        damaged.set(PhysAddr(at), old ^ flip);
        what = "byte " + hex(at) + " ^ " + hex(std::to_integer<unsigned>(flip));
      } else {
        const uint64_t aligned = at & ~uint64_t{7};
        for (uint64_t b = 0; b < 8; ++b) damaged.set(PhysAddr(aligned + b), std::byte{0});
        what = "u64 " + hex(aligned) + " = 0";
      }
      const PipelineOutcome got = testing::run_pipeline(damaged, options);
      ++n.runs;
      std::string silent;
      if (got.failed) {
        ++n.failed;
        if (!names_address(*got.failed)) silent = "exit 2 without an address: " + got.failed->to_string();
      } else if (!got.problems.empty()) {
        ++n.partial;
        for (const Error& e : got.problems)
          if (!names_address(e)) {
            silent = "exit 1, a problem without an address: " + e.to_string();
            break;
          }
      } else if (got.records == clean.records && got.tasks == clean.tasks && got.modules == clean.modules) {
        ++n.clean;
      } else if (std::string why = unexplained(clean, got, region); why.empty()) {
        ++n.explained;
      } else {
        silent = "exit 0 with " + why;
      }
      if (!silent.empty()) {
        ++n.silent;
        bad = true;
        printf("SILENT %s: %s: %s\n", c.name, what.c_str(), silent.c_str());
      }
    }
    printf("%-16s %8zu %5u %6u %9u %7u %6u %6u\n", c.name, c.regions.size(), n.runs, n.clean, n.explained, n.partial,
           n.failed, n.silent);
    total.runs += n.runs, total.clean += n.clean, total.explained += n.explained, total.partial += n.partial,
        total.failed += n.failed, total.silent += n.silent;
  }
  printf("%-16s %8s %5u %6u %9u %7u %6u %6u\n", "all", "", total.runs, total.clean, total.explained, total.partial,
         total.failed, total.silent);
  return bad ? 1 : 0;
}
