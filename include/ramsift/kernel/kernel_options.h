// The dump and kernel options as users type them (crash's and ramparse's
// names: --vmlinux, --kaslr-offset, --phys-offset, --kimage-voffset,
// --va-bits, --arch, --phys-base), parsed once for the CLI and the crash
// extension alike.
//
//   KernelOptionsText text;  text.kaslr_offset = "0x1e00000";
//   RAMSIFT_TRY(KernelOptions k, parse_kernel_options(text, symbol_dirs));
//   RAMSIFT_TRY(OpenOptions o, parse_open_options(text));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/dump/dump.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct KernelOptionsText {
  std::string vmlinux;
  std::string modules;  // a directory of .ko files
  std::string kaslr_offset, phys_offset, kimage_voffset, va_bits;
  std::string arch;
  std::string phys_base;  // a single raw image's physical address
  bool ignore_derived_vmcoreinfo = false;
};

// "" -> nullopt; "0x1234", "1234" -> the number; a sign, a space or a
// number that does not fit 64 bits is BadInput naming `flag`.
Result<std::optional<uint64_t>> parse_option_number(const std::string& flag, const std::string& text);

// Numbers checked (--va-bits is one of arm64's choices), --modules an
// existing directory, the architecture by name.
Result<KernelOptions> parse_kernel_options(const KernelOptionsText& text, std::vector<std::string> symbol_dirs);
// --arch and --phys-base, for opening the dump.
Result<OpenOptions> parse_open_options(const KernelOptionsText& text);

}  // namespace ramsift
