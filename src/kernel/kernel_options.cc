#include "ramsift/kernel/kernel_options.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace ramsift {

Result<std::optional<uint64_t>> parse_option_number(const std::string& flag, const std::string& text) {
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

Result<KernelOptions> parse_kernel_options(const KernelOptionsText& text, std::vector<std::string> symbol_dirs) {
  KernelOptions options;
  options.vmlinux = text.vmlinux;
  options.symbol_dirs = std::move(symbol_dirs);
  options.arch = arch_from_name(text.arch);
  if (!text.arch.empty() && options.arch == Arch::Unknown)
    return bad_input("--arch: unknown architecture " + text.arch);
  options.ignore_derived_vmcoreinfo = text.ignore_derived_vmcoreinfo;
  RAMSIFT_TRY(options.kaslr_offset, parse_option_number("--kaslr-offset", text.kaslr_offset));
  RAMSIFT_TRY(options.phys_offset, parse_option_number("--phys-offset", text.phys_offset));
  RAMSIFT_TRY(options.kimage_voffset, parse_option_number("--kimage-voffset", text.kimage_voffset));
  RAMSIFT_TRY(auto va_bits, parse_option_number("--va-bits", text.va_bits));
  if (va_bits) {
    // arm64's choices (arch/arm64/Kconfig ARM64_VA_BITS_*).
    if (*va_bits != 36 && *va_bits != 39 && *va_bits != 42 && *va_bits != 47 && *va_bits != 48 && *va_bits != 52)
      return bad_input("--va-bits: arm64 kernels have 36, 39, 42, 47, 48 or 52, not " + text.va_bits);
    options.va_bits = static_cast<unsigned>(*va_bits);
  }
  if (!text.modules.empty() && !std::filesystem::is_directory(text.modules))
    return bad_input("--modules: no such directory").in_file(text.modules);
  return options;
}

Result<OpenOptions> parse_open_options(const KernelOptionsText& text) {
  OpenOptions open;
  open.arch = arch_from_name(text.arch);
  RAMSIFT_TRY(open.phys_base, parse_option_number("--phys-base", text.phys_base));
  return open;
}

}  // namespace ramsift
