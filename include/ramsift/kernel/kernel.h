// The kernel in a dump: its vmlinux (symbols, DWARF), the KASLR offset and
// how it was found, and kernel virtual memory through its own page tables.
// Everything above this layer (decoders, symbolizer) reads the kernel
// through a Kernel and never deals with physical addresses or KASLR again.
//
//   KernelOptions options;  options.vmlinux = "vmlinux";
//   RAMSIFT_TRY(auto kernel, Kernel::open(*dump, options));
//   kernel->layout().kaslr_offset;                  // 0x28600000
//   kernel->layout().kaslr_source;                  // KaslrSource::VmcoreinfoNote
//   RAMSIFT_TRY(VirtAddr a, kernel->require_symbol("max_pfn"));   // runtime address
//   RAMSIFT_TRY(uint64_t max_pfn, kernel->read_u64(a));
//   RAMSIFT_TRY(auto owner, kernel->dwarf().layout("struct page_owner", "mm/page_owner.c"));
//
// Opening verifies that the vmlinux belongs to the dump: the BUILD-ID in
// VMCOREINFO (when both have one), then the `linux_banner` string read from
// the dump through the page tables, which must equal the vmlinux's. A
// mismatch is an error that shows both ("vmlinux does not match this dump").
//
// KASLR and the layout are found in this order (each step only when the
// previous ones found nothing); layout().kaslr_detail says what was used:
//   1. command-line overrides (--kaslr-offset, --phys-offset, ...);
//   2. the VMCOREINFO note (ELF, kdump);
//   3. VMCOREINFO text found in memory (the kernel keeps it in a page of its
//      own when built with it; searched only if vmlinux has vmcoreinfo_data);
//   4. the Qualcomm IMEM record (magic 0xdead4ead, then the offset, at IMEM
//      base + 0x6d0, else anywhere in the IMEM files);
//   5. the kernel's own variables (arm64 kimage_voffset and memstart_addr;
//      x86_64 phys_base) read through physical addresses, once the kernel
//      image is found in memory by its linux_banner (a scan: 2 MiB steps
//      first, then every page).
//
// Thread-safety: const methods may be called from any thread; dwarf() is
// internally serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/arch/translate.h"
#include "ramsift/arch/virtual_memory.h"
#include "ramsift/dump/dump.h"
#include "ramsift/kernel/dwarf_types.h"
#include "ramsift/kernel/kallsyms.h"
#include "ramsift/kernel/kernel_arch.h"
#include "ramsift/kernel/vmcoreinfo.h"
#include "ramsift/kernel/vmlinux_elf.h"

namespace ramsift {

struct KernelOptions {
  // The vmlinux to use; empty: searched in symbol_dirs by the dump's build
  // ID or release (see find_vmlinux()).
  std::string vmlinux;
  std::vector<std::string> symbol_dirs;
  // Overrides, as crash and ramparse users type them.
  std::optional<uint64_t> kaslr_offset;
  std::optional<uint64_t> phys_offset;     // arm64 PHYS_OFFSET (memstart_addr); x86_64 phys_base
  std::optional<uint64_t> kimage_voffset;  // arm64
  std::optional<unsigned> va_bits;         // arm64
  Arch arch = Arch::Unknown;               // when neither the dump nor vmlinux says
  TranslationMode translation = TranslationMode::FastPath;
  // Leave out the VMCOREINFO keys `ramsift extract` derived (it lists them
  // in Vmcoreinfo::kDerivedKey): KASLR and the layout are found in memory as
  // in the dump the extract came from (the matrix samples' tests).
  bool ignore_derived_vmcoreinfo = false;
};

struct KernelLayout {
  Arch arch = Arch::Unknown;
  unsigned page_shift = 12;
  unsigned va_bits = 48;  // arm64 VA_BITS; x86_64 48 or 57
  uint64_t kaslr_offset = 0;
  KaslrSource kaslr_source = KaslrSource::Option;
  std::string kaslr_detail;     // "KERNELOFFSET in the VMCOREINFO note", "OCIMEM.BIN at 0x146806d0", ...
  uint64_t phys_offset = 0;     // arm64 memstart_addr; x86_64 phys_base
  uint64_t kimage_voffset = 0;  // arm64
  VirtAddr direct_map;          // arm64 PAGE_OFFSET; x86_64 page_offset_base
  PhysAddr page_table_root;     // swapper_pg_dir / init_top_pgt
};

class Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> open(const Dump& dump, const KernelOptions& options);
  ~Kernel();

  const Dump& dump() const { return dump_; }
  const VmlinuxElf& elf() const { return *elf_; }
  // DWARF lookups are cached and serialised inside DwarfTypes.
  DwarfTypes& dwarf() const { return *dwarf_; }
  const std::optional<Vmcoreinfo>& vmcoreinfo() const { return vmcoreinfo_; }
  const KernelLayout& layout() const { return layout_; }
  // What differs by architecture (kernel_arch.h).
  const KernelArch& arch() const { return *arch_; }
  const VirtualMemory& memory() const { return *memory_; }
  const Translator& translator() const { return *translator_; }
  uint64_t page_size() const { return uint64_t{1} << layout_.page_shift; }

  // "6.1.192" (from the banner), and its first two numbers.
  const std::string& release() const { return release_; }
  unsigned version_major() const { return major_; }
  unsigned version_minor() const { return minor_; }
  bool version_at_least(unsigned major, unsigned minor) const {
    return major_ > major || (major_ == major && minor_ >= minor);
  }
  const std::string& banner() const { return banner_; }
  std::optional<std::string> build_id() const { return elf_->build_id(); }
  const std::string& vmlinux_path() const { return vmlinux_path_; }

  // The runtime address of a vmlinux symbol (ELF symtab + KASLR).
  std::optional<VirtAddr> symbol(std::string_view name) const;
  Result<VirtAddr> require_symbol(std::string_view name) const;
  // A link-time vmlinux address moved to run time, and back.
  VirtAddr runtime(uint64_t link_address) const { return VirtAddr(link_address + layout_.kaslr_offset); }
  uint64_t link_time(VirtAddr runtime_address) const { return runtime_address.value() - layout_.kaslr_offset; }
  // A DWARF variable with its runtime address.
  Result<Variable> variable(std::string_view name, std::string_view hint = {}) const;

  // Reads through the page tables; errors carry the virtual address.
  Status read(VirtAddr va, std::span<std::byte> out) const;
  Result<uint64_t> read_u64(VirtAddr va) const;
  Result<uint32_t> read_u32(VirtAddr va) const;
  Result<uint16_t> read_u16(VirtAddr va) const;
  Result<uint8_t> read_u8(VirtAddr va) const;
  // A NUL-terminated string of at most max_length bytes (without the NUL).
  Result<std::string> read_string(VirtAddr va, size_t max_length = 256) const;
  // The value of a global unsigned integer variable of 1, 2, 4 or 8 bytes,
  // its size taken from DWARF.
  Result<uint64_t> read_variable(std::string_view name, std::string_view hint = {}) const;

  // The kernel's own kallsyms tables, decoded from the dump on first use.
  Result<const Kallsyms*> kallsyms() const;

  // Things that are odd but did not stop the open (printed by `info`).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  Kernel(const Dump& dump) : dump_(dump) {}
  Status check_kallsyms(const Kallsyms& kallsyms, const KallsymsTables& where) const;
  friend class KernelOpener;

  const Dump& dump_;
  std::string vmlinux_path_;
  std::shared_ptr<const VmlinuxElf> elf_;
  std::unique_ptr<DwarfTypes> dwarf_;
  std::optional<Vmcoreinfo> vmcoreinfo_;
  KernelLayout layout_;
  const KernelArch* arch_ = nullptr;
  std::unique_ptr<Translator> translator_;
  std::unique_ptr<VirtualMemory> memory_;
  std::string banner_, release_;
  unsigned major_ = 0, minor_ = 0;
  std::vector<std::string> notes_;
  mutable std::unique_ptr<Kallsyms> kallsyms_;
  mutable std::optional<Error> kallsyms_error_;
  mutable std::mutex kallsyms_mutex_;
};

// The vmlinux for a dump, from the symbol store: in each directory,
// <build-id>/vmlinux, then <release>/vmlinux (each also as vmlinux.zst).
// NotFound names every path tried.
Result<std::string> find_vmlinux(std::span<const std::string> symbol_dirs, const std::optional<std::string>& build_id,
                                 const std::string& release);

// A file that may be zstd-compressed (name ending in .zst): the path of its
// plain bytes, a decompressed copy kept in the cache directory
// ($RAMSIFT_CACHE, else $XDG_CACHE_HOME/ramsift, else ~/.cache/ramsift, else
// a 0700 folder of the user's under the temporary directory; docs/exit-codes.md),
// reused while the source is unchanged and the copy is whole. A copy is
// written beside, fsynced, checked (the frame's size, an ELF header) and
// renamed into place; a bad one is made again. RAMSIFT_CACHE=off, or a
// directory another user could write to, keeps copies in a private folder
// removed at exit.
Result<std::string> plain_file(const std::string& path);

}  // namespace ramsift
