#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "ramsift/symbolize/records_input.h"

namespace ramsift::cli {

std::vector<std::string> symbol_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RAMSIFT_SYMBOLS")) {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      std::string d = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!d.empty()) dirs.push_back(d);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // Installed: <prefix>/bin/ramsift and <prefix>/share/ramsift/symbols.
    dirs.push_back((exe.parent_path().parent_path() / "share" / "ramsift" / "symbols").string());
  }
#ifdef RAMSIFT_SOURCE_SYMBOLS
  dirs.push_back(RAMSIFT_SOURCE_SYMBOLS);  // a build tree: the source checkout's symbols/
#endif
  return dirs;
}

std::unique_ptr<Kernel> open_kernel(const Dump& dump, const KernelOptionsText& text, Context& context) {
  RecordsRequest request;
  request.kernel = text;
  request.symbol_dirs = symbol_dirs();
  auto kernel = RecordsInput::open_kernel_of(dump, request);
  if (!kernel) return fail(context, kernel.error()), nullptr;
  return std::move(*kernel);
}

CLI::Validator whole_number_at_least(uint64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        uint64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min)
          return "want a whole number of at least " + std::to_string(min) + ", got " + text;
        return "";
      },
      "N>=" + std::to_string(min));
}

void fail(Context& context, const Error& error) {
  report(error);
  context.exit_code = kFailed;
}

void report_problems(const std::vector<Error>& problems, Context& context) {
  for (const Error& e : problems) report(e);
  if (!problems.empty() && context.exit_code == kOk) context.exit_code = kPartial;
}

void report(const Error& error) {
  std::cerr << "ramsift: " << error.to_string() << '\n';
}

void add_dump_options(CLI::App& command, DumpOptions& options, bool format) {
  command
      .add_option("dump", options.inputs,
                  "Dump: a file (all parts of a split dump), a Qualcomm ramdump directory, or FILE@ADDR[,FILE@ADDR...]")
      ->required();
  add_kernel_options(command, options.kernel);
  if (format)
    command.add_option("--format", options.format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
}

void add_kernel_options(CLI::App& command, KernelOptionsText& options) {
  command
      .add_option("--vmlinux", options.vmlinux,
                  "The dump's vmlinux (with DWARF); default: found in the symbols/ store by build ID or release")
      ->group(kKernelOptionsGroup);
  command.add_option("--modules", options.modules, "Directory searched recursively for .ko / .ko.unstripped files")
      ->group(kKernelOptionsGroup);
  command.add_option("--kaslr-offset", options.kaslr_offset, "KASLR offset (crash --kaslr, ramparse --kaslr-offset)")
      ->group(kKernelOptionsGroup);
  command.add_option("--phys-offset", options.phys_offset, "arm64: PHYS_OFFSET (memstart_addr); x86_64: phys_base")
      ->group(kKernelOptionsGroup);
  command.add_option("--kimage-voffset", options.kimage_voffset, "arm64: kimage_voffset")->group(kKernelOptionsGroup);
  command.add_option("--va-bits", options.va_bits, "arm64: VA_BITS")->group(kKernelOptionsGroup);
  std::vector<std::string> arches;  // those whose kernels ramsift reads
  for (const ArchRow& row : arch_rows())
    if (kernel_arch(row.arch)) arches.emplace_back(row.name);
  command.add_option("--arch", options.arch, "Architecture when the dump does not say (x86_64, arm64)")
      ->check(CLI::IsMember(arches))
      ->group(kKernelOptionsGroup);
  command.add_option("--phys-base", options.phys_base, "Physical address of a single raw memory image")
      ->group(kKernelOptionsGroup);
  command
      .add_flag("--ignore-derived-vmcoreinfo", options.ignore_derived_vmcoreinfo,
                "Find KASLR and the layout in memory, not from the VMCOREINFO keys `ramsift extract` derived")
      ->group(kKernelOptionsGroup);
}

OutputFormat parse_format(const std::string& name) {
  if (name == "json") return OutputFormat::Json;
  if (name == "csv") return OutputFormat::Csv;
  return OutputFormat::Text;
}

std::unique_ptr<Dump> open_or_report(const DumpOptions& options, Context& context) {
  RecordsRequest request;
  request.inputs = options.inputs;
  request.kernel = options.kernel;
  auto opened = RecordsInput::open_dump_of(request, context.host_dump);
  if (!opened) return fail(context, opened.error()), nullptr;
  for (const Error& e : (*opened)->problems()) report(e);
  if (!(*opened)->problems().empty()) context.exit_code = kPartial;
  return std::move(*opened);
}

}  // namespace ramsift::cli
