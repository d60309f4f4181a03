#include <cstdlib>
#include <iostream>

#include "commands.h"

namespace ramsift::cli {

void report(const Error& error) { std::cerr << "ramsift: " << error.to_string() << '\n'; }

void add_dump_options(CLI::App& command, DumpOptions& options) {
  command.add_option("dump", options.inputs,
                     "Dump: a file (all parts of a split dump), a Qualcomm ramdump directory, or FILE@ADDR[,FILE@ADDR...]")
      ->required();
  command.add_option("--phys-base", options.phys_base, "Physical address of a single raw memory image");
  command.add_option("--arch", options.arch, "Architecture when the dump does not say (x86_64, arm64)")
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  command.add_option("--format", options.format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
}

void add_kernel_options(CLI::App& command, KernelOptionsText& options) {
  command.add_option("--vmlinux", options.vmlinux,
                     "The dump's vmlinux (with DWARF); default: found in the symbols/ store by build ID or release");
  command.add_option("--modules", options.modules, "Directory searched recursively for .ko / .ko.unstripped files");
  command.add_option("--kaslr-offset", options.kaslr_offset, "KASLR offset (crash --kaslr, ramparse --kaslr-offset)");
  command.add_option("--phys-offset", options.phys_offset,
                     "arm64: PHYS_OFFSET (memstart_addr); x86_64: phys_base");
  command.add_option("--kimage-voffset", options.kimage_voffset, "arm64: kimage_voffset");
  command.add_option("--va-bits", options.va_bits, "arm64: VA_BITS");
  command.add_option("--arch", options.arch, "Architecture when the dump does not say (x86_64, arm64)")
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  command.add_option("--phys-base", options.phys_base, "Physical address of a single raw memory image");
}

OutputFormat parse_format(const std::string& name) {
  if (name == "json") return OutputFormat::Json;
  if (name == "csv") return OutputFormat::Csv;
  return OutputFormat::Text;
}

std::unique_ptr<Dump> open_or_report(const DumpOptions& options, Context& context) {
  OpenOptions open;
  open.arch = options.arch;
  if (!options.phys_base.empty()) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(options.phys_base.c_str(), &end, 0);
    if (!end || *end) {
      report(bad_input("--phys-base: not a number: " + options.phys_base));
      context.exit_code = kFailed;
      return nullptr;
    }
    open.phys_base = v;
  }
  auto dump = open_dump(options.inputs, open);
  if (!dump) {
    report(dump.error());
    context.exit_code = kFailed;
    return nullptr;
  }
  for (const Error& e : (*dump)->problems()) report(e);
  if (!(*dump)->problems().empty()) context.exit_code = kPartial;
  return std::move(*dump);
}

}  // namespace ramsift::cli
