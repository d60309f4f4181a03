// Kernel::open() in steps: find and check the vmlinux, find KASLR and the
// layout (the chain in kernel.h), build the translator, verify the banner.
#pragma once

#include <optional>
#include <string>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

class KernelOpener {
 public:
  KernelOpener(const Dump& dump, const KernelOptions& options) : dump_(dump), options_(options) {}
  Result<std::unique_ptr<Kernel>> open();

 private:
  // What one step of the KASLR chain found.
  struct Found {
    uint64_t kaslr_offset = 0;
    KaslrSource source = KaslrSource::Option;
    std::string detail;
    std::optional<uint64_t> phys_offset, kimage_voffset;  // arm64: memstart_addr; x86_64: phys_base
    std::optional<uint64_t> va_bits;
  };

  Status open_vmlinux();
  Status check_arch();
  Result<Found> find_kaslr();
  std::optional<Found> from_options();
  std::optional<Found> from_vmcoreinfo(const Vmcoreinfo& info, KaslrSource source, std::string detail);
  std::optional<Found> from_memory_vmcoreinfo();
  std::optional<Found> from_qualcomm_imem();
  Result<Found> from_kernel_image(std::optional<uint64_t> known_kaslr);
  // The physical address of linux_banner: the kernel image found in memory.
  std::optional<PhysAddr> find_banner(std::optional<uint64_t> known_kaslr);
  Result<uint64_t> read_image_u64(PhysAddr banner_pa, const char* symbol);

  Status build_arm64(const Found& found);
  Status build_x86_64(const Found& found);
  Status verify_banner();

  uint64_t link_symbol(const char* name) const;

  const Dump& dump_;
  const KernelOptions& options_;
  std::unique_ptr<Kernel> kernel_;
  std::string arch_;
  std::string elf_banner_;
  unsigned page_shift_ = 12;
};

}  // namespace ramsift
