#include "ramsift/analysis/extract.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "ramsift/analysis/kernel_info.h"
#include "ramsift/decode/page_info.h"
#include "ramsift/decode/page_owner_stacks.h"
#include "ramsift/decode/tasks.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

std::string vmcoreinfo_for(const Kernel& kernel) {
  std::string text;
  if (kernel.dump().info().vmcoreinfo) text = *kernel.dump().info().vmcoreinfo;
  if (!text.empty() && text.back() != '\n') text += '\n';
  auto has = [&](const std::string& key) { return text.find(key + "=") != std::string::npos; };
  std::string derived;
  // OSRELEASE and BUILD-ID only find the vmlinux (which is then checked
  // against the dump's linux_banner); the layout keys are listed in
  // RAMSIFT_DERIVED so that --ignore-derived-vmcoreinfo finds them again.
  auto add = [&](const std::string& key, const std::string& value, bool layout = true) {
    if (has(key)) return;
    text += key + "=" + value + "\n";
    if (layout) derived += (derived.empty() ? "" : ",") + key;
  };
  const KernelLayout& l = kernel.layout();
  char buf[32];
  add("OSRELEASE", kernel.release(), false);
  if (auto id = kernel.build_id()) add("BUILD-ID", id->substr(0, 40), false);
  add("PAGESIZE", std::to_string(kernel.page_size()));
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(l.kaslr_offset));
  add("KERNELOFFSET", buf);
  // drgn walks arm64's page tables from this key.
  if (auto root = kernel.symbol("swapper_pg_dir")) {
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(root->value()));
    add("SYMBOL(swapper_pg_dir)", buf);
  }
  kernel.arch().vmcoreinfo_numbers(l, [&](const std::string& key, const std::string& value) { add(key, value); });
  if (!derived.empty()) text += std::string(Vmcoreinfo::kDerivedKey) + "=" + derived + "\n";
  return text;
}

namespace {

// Reads [start, end) page by page, and walks the page tables for each page
// (the recording memory keeps every page read: libkdumpfile, under crash and
// drgn, translates kernel addresses through the tables where ramsift takes
// the image's and the linear map's fast paths). Pages the dump lacks are
// skipped.
void read_range(const Kernel& kernel, VirtAddr start, uint64_t size) {
  std::vector<std::byte> page(kernel.page_size());
  for (uint64_t at = 0; at < size; at += page.size()) {
    (void)kernel.read(start + at, std::span<std::byte>(page.data(), std::min<uint64_t>(page.size(), size - at)));
    WalkTrace trace;
    (void)kernel.translator().walk_traced(kernel.dump(), start + at, trace);
  }
}

void read_for_peers(const Kernel& kernel) {
  auto text = kernel.symbol("_text"), end = kernel.symbol("_end");
  if (text && end && *end > *text) read_range(kernel, *text, end->value() - text->value());
  // Each node's pglist_data (NUMA: node_data[]; else contig_page_data, in
  // the image), with its zones.
  if (auto nodes = kernel.symbol("node_data"); nodes)
    if (auto layout = kernel.dwarf().layout("struct pglist_data"))
      for (uint64_t n = 0; n < 1024; ++n) {
        auto at = kernel.read_u64(*nodes + 8 * n);
        if (!at || *at == 0) break;
        read_range(kernel, VirtAddr(*at), (*layout)->size);
      }
  // SPARSEMEM_EXTREME's root table, whole (crash reads all NR_SECTION_ROOTS
  // pointers; ramsift only those up to max_pfn): the kernel's
  // LENGTH(mem_section), else 64 KiB (4-level x86_64 and 48-bit arm64 need
  // 16 and 64).
  if (auto ms = kernel.symbol("mem_section"))
    if (auto roots = kernel.read_u64(*ms); roots && *roots) {
      const auto& vi = kernel.vmcoreinfo();
      const uint64_t n = vi && vi->length("mem_section") ? *vi->length("mem_section") : 8192;
      read_range(kernel, VirtAddr(*roots), std::min<uint64_t>(n, uint64_t{1} << 20) * 8);
    }
  auto offsets = kernel.symbol("__per_cpu_offset");
  auto start = kernel.elf().symbol("__per_cpu_start"), stop = kernel.elf().symbol("__per_cpu_end");
  if (!offsets || !start || !stop || stop->address <= start->address) return;
  // A per-cpu variable is at its address + the CPU's offset: the link
  // address where the per-cpu section is linked at 0 (x86_64 SMP: the
  // symbols are not relocated), else the running one.
  const auto running = kernel.symbol("__per_cpu_start");
  if (start->address != 0 && !running) return;
  const uint64_t base = start->address == 0 ? 0 : running->value();
  // The possible CPUs' entries come first; the rest of the NR_CPUS array is 0.
  std::set<uint64_t> seen;
  for (uint64_t cpu = 0; cpu < 8192; ++cpu) {
    auto offset = kernel.read_u64(*offsets + 8 * cpu);
    if (!offset || *offset == 0 || !seen.insert(*offset).second) break;
    read_range(kernel, VirtAddr(base + *offset), stop->address - start->address);
  }
}

}  // namespace

Result<ExtractRead> read_for_extract(const Kernel& kernel, PageOwnerWalkOptions walk) {
  ExtractRead read;
  // Everything `info`, `page-owner` and `page-owner --freed` read.
  KernelInfo facts = gather_kernel_info(kernel);
  read.problems = std::move(facts.problems);
  walk.freed = true;
  RAMSIFT_TRY(auto records, DumpRecords::open(kernel, walk));
  PageOwnerRecord r;
  // And what `page` reads of an allocated page, a compound one and a freed one.
  std::optional<uint64_t> allocated, compound, freed;
  while (records->next(r)) {
    ++read.records;
    std::optional<uint64_t>& slot = r.freed ? freed : r.order > 0 ? compound : allocated;
    if (!slot) slot = r.pfn;
  }
  for (const Error& e : records->problems()) read.problems.push_back(e);
  for (const auto& pfn : {allocated, compound, freed})
    if (pfn) (void)read_page_info(kernel, records->model(), records->names(), *pfn);
  // And the task list (`ps`, and the process names `top` gives tgids).
  (void)read_tasks(kernel);
  // And what crash and drgn read to open a dump: the kernel image (text,
  // data, bss: init_uts_ns, linux_banner, the timekeeper, init_task, the
  // per-cpu section's template) and each CPU's per-cpu area.
  read_for_peers(kernel);
  // And what `page-owner --stacks` reads (6.9+; absent before, which is fine).
  if (auto stacks = read_page_owner_stacks(kernel, records->depot()))
    for (const OwnerStack& s : stacks->stacks)
      for (uint64_t a : s.frames) (void)records->symbolizer().format(a);
  return read;
}

Result<std::vector<std::string>> write_extract(const Kernel& kernel, const PhysicalMemory& memory,
                                               const std::set<uint64_t>& pages, const std::string& path) {
  const uint64_t page_size = kernel.page_size();
  const uint64_t per = page_size / 4096;
  WriteSource source;
  source.memory = &memory;
  source.arch = kernel.layout().arch;
  source.page_size = static_cast<uint32_t>(page_size);
  source.vmcoreinfo = vmcoreinfo_for(kernel);
  source.release = kernel.release();
  source.include = [&pages, per](uint64_t pfn) {
    auto it = pages.lower_bound(pfn * per);
    return it != pages.end() && *it < (pfn + 1) * per;
  };
  KdumpWriteOptions options;
  options.codec = KdumpCodec::Zstd;
  return write_kdump(source, path, options);
}

}  // namespace ramsift
