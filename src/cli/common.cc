#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "commands.h"

namespace ramsift::cli {

namespace {

// "" -> nullopt; "0x1234", "1234" -> the number; anything else an error.
Result<std::optional<uint64_t>> parse_number(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::optional<uint64_t>();
  // strtoull takes "-1" as all ones: a sign or a space is not an address.
  if (!std::isdigit(static_cast<unsigned char>(text[0])))
    return bad_input(flag + ": want a non-negative number (decimal or 0x hex), got " + text);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (!end || *end || errno) return bad_input(flag + ": not a number: " + text);
  return std::optional<uint64_t>(v);
}

}  // namespace

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
  KernelOptions options;
  options.vmlinux = text.vmlinux;
  options.symbol_dirs = symbol_dirs();
  options.arch = text.arch;
  options.ignore_derived_vmcoreinfo = text.ignore_derived_vmcoreinfo;
  auto fail = [&](const Error& e) -> std::unique_ptr<Kernel> {
    report(e);
    context.exit_code = kFailed;
    return nullptr;
  };
  auto kaslr = parse_number("--kaslr-offset", text.kaslr_offset);
  if (!kaslr) return fail(kaslr.error());
  auto phys = parse_number("--phys-offset", text.phys_offset);
  if (!phys) return fail(phys.error());
  auto voffset = parse_number("--kimage-voffset", text.kimage_voffset);
  if (!voffset) return fail(voffset.error());
  auto va_bits = parse_number("--va-bits", text.va_bits);
  if (!va_bits) return fail(va_bits.error());
  // arm64's choices (arch/arm64/Kconfig ARM64_VA_BITS_*).
  if (*va_bits && **va_bits != 36 && **va_bits != 39 && **va_bits != 42 && **va_bits != 47 && **va_bits != 48 &&
      **va_bits != 52)
    return fail(bad_input("--va-bits: arm64 kernels have 36, 39, 42, 47, 48 or 52, not " + text.va_bits));
  if (!text.modules.empty() && !std::filesystem::is_directory(text.modules))
    return fail(bad_input("--modules: no such directory").in_file(text.modules));
  options.kaslr_offset = *kaslr;
  options.phys_offset = *phys;
  options.kimage_voffset = *voffset;
  if (*va_bits) options.va_bits = static_cast<unsigned>(**va_bits);
  auto kernel = Kernel::open(dump, options);
  if (!kernel) return fail(kernel.error());
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

void report(const Error& error) {
  std::cerr << "ramsift: " << error.to_string() << '\n';
}

void add_dump_options(CLI::App& command, DumpOptions& options) {
  command
      .add_option("dump", options.inputs,
                  "Dump: a file (all parts of a split dump), a Qualcomm ramdump directory, or FILE@ADDR[,FILE@ADDR...]")
      ->required();
  add_kernel_options(command, options.kernel);
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
  command.add_option("--arch", options.arch, "Architecture when the dump does not say (x86_64, arm64)")
      ->check(CLI::IsMember({"x86_64", "arm64"}))
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
  if (context.host_dump) {
    auto dump = context.host_dump();
    if (!dump) {
      report(dump.error());
      context.exit_code = kFailed;
      return nullptr;
    }
    return std::move(*dump);
  }
  OpenOptions open;
  open.arch = options.kernel.arch;
  auto phys_base = parse_number("--phys-base", options.kernel.phys_base);
  if (!phys_base) {
    report(phys_base.error());
    context.exit_code = kFailed;
    return nullptr;
  }
  open.phys_base = *phys_base;
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
