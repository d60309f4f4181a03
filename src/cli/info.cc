#include <iostream>
#include <memory>

#include "commands.h"
#include "ramsift/dump/recording.h"
#include "ramsift/output/kernel_info.h"

namespace ramsift::cli {

void add_info(CLI::App& app, Context& context) {
  auto options = std::make_shared<DumpOptions>();
  CLI::App* info = app.add_subcommand(
      "info",
      "What a dump holds: format, files, memory ranges, vmcoreinfo; with a vmlinux, the kernel: release, "
      "KASLR, layout, memory model, page_owner status, modules");
  add_dump_options(*info, *options);
  auto dump_only = std::make_shared<bool>(false);
  info->add_flag("--no-kernel", *dump_only, "The dump part only: no vmlinux is looked for (exit 0 without one)");
  info->callback([options, dump_only, &context] {
    std::unique_ptr<Dump> dump = open_or_report(*options, context);
    if (!dump) return;
    OutputFormat format = parse_format(options->format);
    // What opening the kernel read of the dump, in pages (issue 13: the
    // cheapest evidence first; the whole-memory search only when nothing
    // else tells).
    constexpr uint64_t kCountedPage = 4096;
    RecordingDump counted(*dump, kCountedPage);
    uint64_t opening_pages = 0;
    // The kernel part needs a vmlinux: the one given, or one the store has.
    std::unique_ptr<Kernel> kernel;
    if (*dump_only) {
      // Asked for the dump part alone: nothing is missing.
    } else if (!options->kernel.vmlinux.empty()) {
      Context kernel_context;
      kernel = open_kernel(counted, options->kernel, kernel_context);
      opening_pages = counted.pages().size();
      if (!kernel) context.exit_code = kPartial;
    } else {
      KernelOptions probe;
      probe.symbol_dirs = symbol_dirs();
      std::optional<std::string> build_id;
      std::string release = dump->info().release;
      if (dump->info().vmcoreinfo)
        if (auto vi = Vmcoreinfo::parse(*dump->info().vmcoreinfo)) {
          build_id = vi->build_id();
          if (auto r = vi->os_release()) release = *r;
        }
      if (auto found = find_vmlinux(probe.symbol_dirs, build_id, release)) {
        Context kernel_context;
        kernel = open_kernel(counted, options->kernel, kernel_context);
        opening_pages = counted.pages().size();
        if (!kernel) context.exit_code = kPartial;
      } else {
        // The dump part is whole; the kernel part is missing: said, exit 1.
        report(std::move(found).error().with_context("the kernel part of info is left out"));
        context.exit_code = kPartial;
      }
    }
    if (!kernel) return print_dump_and_kernel_info(*dump, nullptr, format, std::cout);
    KernelInfo facts = gather_kernel_info(*kernel);
    const uint64_t opening_bytes = opening_pages * kCountedPage;
    facts.facts.emplace_back("opening_read", std::to_string(opening_bytes) + " bytes of the dump (" +
                                                 std::to_string(opening_pages) + " pages of 4 KiB) to find the kernel");
    facts.numbers.emplace_back("opening_read_bytes", opening_bytes);
    for (const Error& e : facts.problems) report(e);
    if (!facts.problems.empty() && context.exit_code == kOk) context.exit_code = kPartial;
    print_dump_and_kernel_info(*dump, &facts, format, std::cout);
  });
}

}  // namespace ramsift::cli
