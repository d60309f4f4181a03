// Kernel::open() in steps: find and check the vmlinux, find KASLR and the
// layout (the chain in kernel.h), build the translator, verify the banner.
// What differs by architecture is in the descriptors (kernel_arch.h,
// arch_*.cc), which read and set the kernel through this class.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ramsift/kernel/kernel.h"
#include "ramsift/kernel/kernel_arch.h"

namespace ramsift {

class KernelOpener {
 public:
  KernelOpener(const Dump& dump, const KernelOptions& options) : dump_(dump), options_(options) {}
  Result<std::unique_ptr<Kernel>> open();

  // For the architecture descriptors.
  const Dump& dump() const { return dump_; }
  const KernelOptions& options() const { return options_; }
  const Vmcoreinfo* vmcoreinfo() const { return kernel_->vmcoreinfo_ ? &*kernel_->vmcoreinfo_ : nullptr; }
  unsigned page_shift() const { return page_shift_; }
  // A vmlinux symbol's link-time address; 0 when absent.
  uint64_t link_symbol(const char* name) const;
  VirtAddr runtime(uint64_t link) const { return kernel_->runtime(link); }
  // The physical address of linux_banner: the kernel image found in memory.
  std::optional<PhysAddr> find_banner(std::optional<uint64_t> known_kaslr);
  // A u64 of the kernel image, `symbol` placed relative to linux_banner.
  Result<uint64_t> read_image_u64(PhysAddr banner_pa, const char* symbol);
  const std::string& vmlinux_path() const { return kernel_->vmlinux_path_; }
  KernelLayout& layout() { return kernel_->layout_; }
  void note(std::string text) { kernel_->notes_.push_back(std::move(text)); }
  void set_translator(std::unique_ptr<Translator> translator);

 private:
  Status open_vmlinux();
  Status check_arch();
  Result<KaslrFound> find_kaslr();
  std::optional<KaslrFound> from_options();
  std::optional<KaslrFound> from_vmcoreinfo(const Vmcoreinfo& info, KaslrSource source, std::string detail);
  std::optional<KaslrFound> from_memory_vmcoreinfo();
  std::optional<KaslrFound> from_qualcomm_imem();
  // The VMCOREINFO text vmcoreinfo_data points to, read through the layout
  // open_with() built from the kernel image.
  std::optional<KaslrFound> vmcoreinfo_through_image();
  // Builds the layout and the translator from `found` and verifies the banner.
  Status open_with(const KaslrFound& found);
  Result<KaslrFound> from_kernel_image(std::optional<uint64_t> known_kaslr);
  Status verify_banner();

  const Dump& dump_;
  const KernelOptions& options_;
  std::unique_ptr<Kernel> kernel_;
  const KernelArch* arch_ = nullptr;
  std::string elf_banner_;
  unsigned page_shift_ = 12;
};

// Little-endian words of the image, for the descriptors.
uint64_t image_le64(const std::byte* p);
uint32_t image_le32(const std::byte* p);

}  // namespace ramsift
