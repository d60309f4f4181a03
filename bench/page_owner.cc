// page_owner DUMP VMLINUX: how fast ramsift turns a dump into page_owner text.
//
// Prints, warm cache, DWARF load included:
//   open     dump + kernel (vmlinux, DWARF, KASLR, page tables) + decoders
//   scan     every record found and symbolized, nothing printed
//   text     the full debugfs text written to /dev/null, and its MB/s
//   floor    merely reading the same struct page and page_ext bytes
//            (one read per section-sized run), the cost no decoder avoids
//   ratio    scan / floor
// with wall and CPU time and the peak RSS (VmHWM). Targets (issue 5, for an
// 8 GB dump, about 1.4 M records): scan <= 3x the floor and <= 1 s, full
// text <= 3 s, RSS <= 512 MB.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "ramsift/decode/page_owner_text.h"
#include "ramsift/dump/dump.h"
#include "ramsift/symbolize/dump_records.h"

using namespace ramsift;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

int fail(const Error& e) {
  std::fprintf(stderr, "page_owner: %s\n", e.to_string().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: page_owner DUMP[,PART...] VMLINUX\n");
    return 2;
  }
  std::vector<std::string> inputs;
  for (std::string s = argv[1]; !s.empty();) {
    size_t comma = s.find(',');
    inputs.push_back(s.substr(0, comma));
    s = comma == std::string::npos ? "" : s.substr(comma + 1);
  }
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  auto dump = open_dump(inputs, {});
  if (!dump) return fail(dump.error());
  KernelOptions options;
  options.vmlinux = argv[2];
  auto kernel = Kernel::open(**dump, options);
  if (!kernel) return fail(kernel.error());
  auto records = DumpRecords::open(**kernel, {});
  if (!records) return fail(records.error());
  double open_s = seconds_since(t0), open_cpu = cpu_seconds() - c0;

  // The scan: every record, symbolized, not printed.
  auto t1 = Clock::now();
  double c1 = cpu_seconds();
  PageOwnerRecord r;
  uint64_t n = 0, pages = 0;
  while ((*records)->next(r)) {
    ++n;
    pages += r.pages();
  }
  double scan_s = seconds_since(t1), scan_cpu = cpu_seconds() - c1;

  // The full text, to /dev/null (a fresh walk: symbols are cached by now, as in any second run).
  auto again = DumpRecords::open(**kernel, {});
  if (!again) return fail(again.error());
  auto t2 = Clock::now();
  std::FILE* null = std::fopen("/dev/null", "w");
  std::string buf;
  uint64_t bytes = 0;
  PageOwnerTextFormat format = (*again)->text_format();
  while ((*again)->next(r)) {
    append_page_owner_record(buf, r, format);
    if (buf.size() > (1 << 20)) {
      bytes += std::fwrite(buf.data(), 1, buf.size(), null);
      buf.clear();
    }
  }
  bytes += std::fwrite(buf.data(), 1, buf.size(), null);
  std::fclose(null);
  double text_s = seconds_since(t2);

  // The floor: the struct page and page_ext bytes of every section, read once.
  const MemoryModel& model = (*records)->model();
  auto t3 = Clock::now();
  uint64_t floor_bytes = 0;
  std::vector<std::byte> chunk;
  const uint64_t per = model.pages_per_section();
  for (uint64_t first = 0; first < model.max_pfn(); first += per) {
    auto section = model.section_of_pfn(first);
    if (!section || !(section->section_mem_map & 2)) continue;
    uint64_t count = std::min(per, model.max_pfn() - first);
    if (auto page = model.page_address(first)) {
      chunk.resize(count * model.page_layout().size);
      if ((*kernel)->memory().read(*page, chunk)) floor_bytes += chunk.size();
    }
    if (auto ext = model.page_ext_address(first); ext && *ext) {
      chunk.resize(count * model.page_ext_size());
      if ((*kernel)->memory().read(**ext, chunk)) floor_bytes += chunk.size();
    }
  }
  double floor_s = seconds_since(t3);

  std::printf("dump            %s\n", argv[1]);
  std::printf("records         %llu (%llu pages, max_pfn %#llx)\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(pages), static_cast<unsigned long long>(model.max_pfn()));
  std::printf("open            %.3f s wall, %.3f s CPU (dump, vmlinux, DWARF, KASLR, decoders)\n", open_s, open_cpu);
  std::printf("scan            %.3f s wall, %.3f s CPU (%.0f records/s)\n", scan_s, scan_cpu,
              scan_s > 0 ? static_cast<double>(n) / scan_s : 0.0);
  std::printf("text            %.3f s, %.1f MB, %.0f MB/s\n", text_s, static_cast<double>(bytes) / 1e6,
              text_s > 0 ? static_cast<double>(bytes) / 1e6 / text_s : 0.0);
  std::printf("floor           %.3f s (%.1f MB of struct page + page_ext)\n", floor_s,
              static_cast<double>(floor_bytes) / 1e6);
  std::printf("scan / floor    %.2f\n", floor_s > 0 ? scan_s / floor_s : 0.0);
  std::printf("peak RSS        %ld MB\n", peak_rss_kb() / 1024);
  return 0;
}
