#include "ramsift/analysis/extract.h"

#include <cstdio>

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
  kernel.arch().vmcoreinfo_numbers(l, [&](const std::string& key, const std::string& value) { add(key, value); });
  if (!derived.empty()) text += std::string(Vmcoreinfo::kDerivedKey) + "=" + derived + "\n";
  return text;
}

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
