// ramsift extract: a small dump with only the pages page_owner analysis
// reads (struct pages, page_ext, stack depot, kallsyms, module and name
// tables; no user data), as a zstd kdump file any ramsift command reads.
#include "ramsift/analysis/extract.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "commands.h"
#include "ramsift/base/output_file.h"
#include "ramsift/dump/recording.h"
#include "ramsift/kernel/symbols_subset.h"
#include "records.h"

namespace ramsift::cli {

namespace {

struct ExtractCommand {
  DumpOptions dump;
  std::string output;
  std::string symbols;
  std::string pfn_range;
};

}  // namespace

void add_extract(CLI::App& app, Context& context) {
  auto c = std::make_shared<ExtractCommand>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Write a small dump (zstd kdump) holding only the pages page_owner analysis reads: no user data");
  add_dump_options(*cmd, c->dump, /*format=*/false);  // it writes a kdump, whatever --format said
  cmd->add_option("-o,--output", c->output, "The dump to write");
  cmd->add_option("--symbols", c->symbols,
                  "Also write an ELF file with only the symbols and DWARF units ramsift read of the vmlinux "
                  "(for a committed sample: a few MB instead of the whole vmlinux)");
  cmd->add_option("--pfn-range", c->pfn_range,
                  "Only what the records overlapping pfns A-B need (both included, as every command's --pfn-range)");
  cmd->callback([c, &context] {
    if (c->output.empty() && c->symbols.empty())
      return fail(context, bad_input("extract: give -o FILE, --symbols FILE or both"));
    // Never over an input (a dump file, a part of a Qualcomm directory, the
    // vmlinux): written beside, renamed into place when whole.
    std::error_code ec;
    if (!c->output.empty() && !c->symbols.empty() &&
        std::filesystem::weakly_canonical(c->output, ec) == std::filesystem::weakly_canonical(c->symbols, ec))
      return fail(
          context,
          bad_input("extract: -o and --symbols name the same file: one would overwrite the other").in_file(c->output));
    std::vector<std::string> inputs = c->dump.inputs;
    if (!c->dump.kernel.vmlinux.empty()) inputs.push_back(c->dump.kernel.vmlinux);
    std::optional<OutputFile> target, symbols_target;
    for (auto [path, slot] : {std::pair{&c->output, &target}, std::pair{&c->symbols, &symbols_target}}) {
      if (path->empty()) continue;
      auto made = OutputFile::create(*path, inputs);
      if (!made) return fail(context, made.error());
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
      if (!range) return fail(context, range.error());
      walk_over(*range, walk);
    }
    auto read = read_for_extract(*kernel, walk);
    if (!read) return fail(context, read.error());
    for (const Error& e : read->problems) report(e);
    if (symbols_target) {
      const std::string vmlinux = kernel->elf().path();
      if (auto refused = refuse_input_as_output(c->symbols, std::span(&vmlinux, 1)); !refused)
        return fail(context, refused.error());
      auto made = write_symbols_subset(kernel->dwarf(), symbols_target->temp_path());
      if (made) {
        if (auto done = symbols_target->commit(); !done) made = std::move(done).error();
      }
      if (!made) return fail(context, made.error());
      if (!context.quiet)
        std::fprintf(stderr, "ramsift: wrote %s: %llu of %llu compile units, %s\n", c->symbols.c_str(),
                     static_cast<unsigned long long>(made->units), static_cast<unsigned long long>(made->units_total),
                     human_size(made->file_bytes).c_str());
    }
    if (!target) return;

    std::set<uint64_t> pages = recording.pages();
    auto files = write_extract(*kernel, *dump, pages, target->temp_path());
    if (!files) return fail(context, files.error());
    if (auto done = target->commit(); !done) return fail(context, done.error());
    uint64_t size = std::filesystem::file_size(c->output, ec);
    if (!context.quiet)
      std::fprintf(stderr, "ramsift: wrote %s: %zu of the dump's pages (4 KiB units) for %llu records, %s\n",
                   c->output.c_str(), pages.size(), static_cast<unsigned long long>(read->records),
                   human_size(size).c_str());
  });
}

}  // namespace ramsift::cli
