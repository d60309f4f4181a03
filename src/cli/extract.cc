// ramsift extract: a small dump with only the pages page_owner analysis
// reads (struct pages, page_ext, stack depot, kallsyms, module and name
// tables; no user data), as a zstd kdump file any ramsift command reads.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "commands.h"
#include "ramsift/base/output_file.h"
#include "ramsift/decode/page_info.h"
#include "ramsift/decode/page_owner_stacks.h"
#include "ramsift/decode/tasks.h"
#include "ramsift/dump/recording.h"
#include "ramsift/dump/writer.h"
#include "ramsift/kernel/symbols_subset.h"
#include "ramsift/output/kernel_info.h"
#include "ramsift/symbolize/dump_records.h"
#include "records.h"

namespace ramsift::cli {

namespace {

struct ExtractCommand {
  DumpOptions dump;
  std::string output;
  std::string symbols;
  std::string pfn_range;
};

// VMCOREINFO for the new file: the dump's own when it has one, else the
// facts ramsift found (so the extract opens without a scan), plus the
// vmlinux build ID for the symbol store.
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
  if (l.arch == "arm64") {
    add("NUMBER(VA_BITS)", std::to_string(l.va_bits));
    add("NUMBER(kimage_voffset)", hex(l.kimage_voffset));
    add("NUMBER(PHYS_OFFSET)", hex(l.phys_offset));
  } else {
    add("NUMBER(phys_base)", std::to_string(static_cast<int64_t>(l.phys_offset)));
  }
  if (!derived.empty()) text += std::string(Vmcoreinfo::kDerivedKey) + "=" + derived + "\n";
  return text;
}

}  // namespace

void add_extract(CLI::App& app, Context& context) {
  auto c = std::make_shared<ExtractCommand>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Write a small dump (zstd kdump) holding only the pages page_owner analysis reads: no user data");
  add_dump_options(*cmd, c->dump);
  cmd->add_option("-o,--output", c->output, "The dump to write");
  cmd->add_option("--symbols", c->symbols,
                  "Also write an ELF file with only the symbols and DWARF units ramsift read of the vmlinux "
                  "(for a committed sample: a few MB instead of the whole vmlinux)");
  cmd->add_option("--pfn-range", c->pfn_range,
                  "Only what the records overlapping pfns A-B need (both included, as every command's --pfn-range)");
  cmd->callback([c, &context] {
    if (c->output.empty() && c->symbols.empty()) {
      report(bad_input("extract: give -o FILE, --symbols FILE or both"));
      context.exit_code = kFailed;
      return;
    }
    // Never over an input (a dump file, a part of a Qualcomm directory, the
    // vmlinux): written beside, renamed into place when whole.
    std::vector<std::string> inputs = c->dump.inputs;
    if (!c->dump.kernel.vmlinux.empty()) inputs.push_back(c->dump.kernel.vmlinux);
    std::optional<OutputFile> target, symbols_target;
    for (auto [path, slot] : {std::pair{&c->output, &target}, std::pair{&c->symbols, &symbols_target}}) {
      if (path->empty()) continue;
      auto made = OutputFile::create(*path, inputs);
      if (!made) {
        report(made.error());
        context.exit_code = kFailed;
        return;
      }
      slot->emplace(std::move(*made));
    }
    std::unique_ptr<Dump> dump = open_or_report(c->dump, context);
    if (!dump) return;
    // Pages are recorded at 4 KiB, the smallest page any kernel here uses.
    RecordingDump recording(*dump, 4096);
    std::unique_ptr<Kernel> kernel = open_kernel(recording, c->dump.kernel, context);
    if (!kernel) return;
    PageOwnerWalkOptions walk;
    if (!c->pfn_range.empty()) {
      auto range = parse_pfn_range(c->pfn_range);
      if (!range) {
        report(range.error());
        context.exit_code = kFailed;
        return;
      }
      walk_over(*range, walk);
    }
    // Everything `info`, `page-owner` and `page-owner --freed` read.
    KernelInfo facts = gather_kernel_info(*kernel);
    for (const Error& e : facts.problems) report(e);
    walk.freed = true;
    auto records = DumpRecords::open(*kernel, walk);
    if (!records) {
      report(records.error());
      context.exit_code = kFailed;
      return;
    }
    PageOwnerRecord r;
    uint64_t count = 0;
    // And what `page` reads of an allocated page, a compound one and a freed one.
    std::optional<uint64_t> allocated, compound, freed;
    while ((*records)->next(r)) {
      ++count;
      std::optional<uint64_t>& slot = r.freed ? freed : r.order > 0 ? compound : allocated;
      if (!slot) slot = r.pfn;
    }
    for (const Error& e : (*records)->problems()) report(e);
    for (const auto& pfn : {allocated, compound, freed})
      if (pfn) (void)read_page_info(*kernel, (*records)->model(), (*records)->names(), *pfn);
    // And the task list (`ps`, and the process names `top` gives tgids).
    (void)read_tasks(*kernel);
    // And what `page-owner --stacks` reads (6.9+; absent before, which is fine).
    if (auto stacks = read_page_owner_stacks(*kernel, (*records)->depot()))
      for (const OwnerStack& s : stacks->stacks)
        for (uint64_t a : s.frames) (void)(*records)->symbolizer().format(a);

    if (symbols_target) {
      const std::string vmlinux = kernel->elf().path();
      if (auto refused = refuse_input_as_output(c->symbols, std::span(&vmlinux, 1)); !refused) {
        report(refused.error());
        context.exit_code = kFailed;
        return;
      }
      auto made = write_symbols_subset(kernel->dwarf(), symbols_target->temp_path());
      if (made) {
        if (auto done = symbols_target->commit(); !done) made = std::move(done).error();
      }
      if (!made) {
        report(made.error());
        context.exit_code = kFailed;
        return;
      }
      if (!context.quiet)
        std::fprintf(stderr, "ramsift: wrote %s: %llu of %llu compile units, %s\n", c->symbols.c_str(),
                     static_cast<unsigned long long>(made->units), static_cast<unsigned long long>(made->units_total),
                     human_size(made->file_bytes).c_str());
    }
    if (!target) return;

    std::set<uint64_t> pages = recording.pages();
    const uint64_t page_size = kernel->page_size();
    const uint64_t per = page_size / 4096;
    WriteSource source;
    source.memory = dump.get();
    source.arch = kernel->layout().arch;
    source.page_size = static_cast<uint32_t>(page_size);
    source.vmcoreinfo = vmcoreinfo_for(*kernel);
    source.release = kernel->release();
    source.include = [&pages, per](uint64_t pfn) {
      auto it = pages.lower_bound(pfn * per);
      return it != pages.end() && *it < (pfn + 1) * per;
    };
    KdumpWriteOptions options;
    options.codec = KdumpCodec::Zstd;
    auto files = write_kdump(source, target->temp_path(), options);
    if (!files) {
      report(files.error());
      context.exit_code = kFailed;
      return;
    }
    if (auto done = target->commit(); !done) {
      report(done.error());
      context.exit_code = kFailed;
      return;
    }
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(c->output, ec);
    if (!context.quiet)
      std::fprintf(stderr, "ramsift: wrote %s: %zu of the dump's pages (4 KiB units) for %llu records, %s\n",
                   c->output.c_str(), pages.size(), static_cast<unsigned long long>(count), human_size(size).c_str());
  });
}

}  // namespace ramsift::cli
