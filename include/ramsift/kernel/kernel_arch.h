// One descriptor per architecture ramsift reads kernels of: what differs
// between arm64 and x86_64 kernels, as data and functions, so that no code
// outside the descriptors asks which architecture it runs on.
//
//   const KernelArch* a = kernel_arch(Arch::Arm64);  // nullptr: not supported
//   a->default_section_size_bits(kernel, 12);
//
// Adding an architecture: a src/kernel/arch_<name>.cc defining its
// descriptor, a row in kernel_arch() (src/kernel/kernel_arch.cc), its
// Translator in src/arch/, and its row in base/arch.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ramsift/base/address.h"
#include "ramsift/base/arch.h"
#include "ramsift/base/error.h"

namespace ramsift {

class Kernel;
class KernelOpener;
class Vmcoreinfo;
class VmlinuxElf;
struct KernelLayout;

enum class KaslrSource { Option, VmcoreinfoNote, VmcoreinfoInMemory, QualcommImem, KernelImage };
const char* kaslr_source_name(KaslrSource source);

// What one step of the KASLR chain (kernel.h) found.
struct KaslrFound {
  uint64_t kaslr_offset = 0;
  KaslrSource source = KaslrSource::Option;
  std::string detail;
  std::optional<uint64_t> phys_offset, kimage_voffset;  // arm64: memstart_addr; x86_64: phys_base
  std::optional<uint64_t> va_bits;
};

using FactSink = std::function<void(const std::string& key, const std::string& value)>;

struct KernelArch {
  Arch arch;
  // --- Opening (KernelOpener's chain) ---
  // The page size the kernel image itself says, when VMCOREINFO does not.
  std::optional<uint64_t> (*image_page_size)(const VmlinuxElf& elf);
  // The architecture's NUMBER()s of a VMCOREINFO text into `found`.
  void (*read_vmcoreinfo)(const Vmcoreinfo& info, KaslrFound& found);
  // KASLR (and what else it tells) from the kernel image, whose linux_banner
  // lies at banner_pa.
  Result<KaslrFound> (*kaslr_from_image)(KernelOpener& opener, PhysAddr banner_pa);
  // The layout and the translator from what the chain found.
  Status (*build)(KernelOpener& opener, KaslrFound found);
  // --- After opening ---
  // SECTION_SIZE_BITS when neither VMCOREINFO nor DWARF tells.
  unsigned (*default_section_size_bits)(const Kernel& kernel, unsigned page_shift);
  // The layout's architecture-specific lines of `info`.
  void (*layout_facts)(const KernelLayout& layout, const FactSink& add);
  // The NUMBER() lines the architecture's arch_crash_save_vmcoreinfo() writes.
  void (*vmcoreinfo_numbers)(const KernelLayout& layout, const FactSink& add);
};

// The descriptor of `arch`, or nullptr when ramsift does not read its kernels.
const KernelArch* kernel_arch(Arch arch);

}  // namespace ramsift
