// The vmlinux ELF file itself: symbol table, build ID, and the bytes of its
// initialised sections (for `linux_banner`), without any DWARF.
//
//   RAMSIFT_TRY(VmlinuxElf elf, VmlinuxElf::open("vmlinux"));
//   elf.build_id();                      // "4f0c..." (NT_GNU_BUILD_ID), if any
//   RAMSIFT_TRY(std::string banner, elf.linux_banner());  // "Linux version 6.1.0 ..."
//   auto sym = elf.symbol("mem_section");         // address, size, file
//   auto at = elf.symbol_at(0xffffffff81000000);  // the symbol containing it
//
// A stripped vmlinux (no .debug_info) opens fine here: the symbol table, the
// build ID and the banner are what "does this vmlinux match this dump?"
// needs, and DwarfTypes (dwarf_types.h) builds on this class for the rest.
//
// Addresses are link-time virtual addresses as the ELF file states them
// (KASLR not applied). The symbol table is read once when the file is opened
// (a few hundred thousand entries: tens of milliseconds); the file is mapped,
// never read whole.
//
// Untrusted input: the ELF header and notes go through ByteReader; section
// and symbol tables are read through libelf, which validates them. libelf
// types never leave src/kernel/.
//
// Thread-safety: an opened VmlinuxElf is immutable; every const method may be
// called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/error.h"

namespace ramsift {

struct ElfSymbol {
  enum class Kind : uint8_t { Object, Function, Other };

  std::string name;
  uint64_t address = 0;  // st_value: link-time virtual address
  uint64_t size = 0;     // st_size; 0 when the assembler did not say
  Kind kind = Kind::Other;
  bool global = false;  // STB_GLOBAL or STB_WEAK
  // The STT_FILE symbol in effect for a local symbol ("page_owner.c"): the
  // file that defines it. Empty for global symbols, which the linker sorts
  // apart from their file.
  std::string file;
};

class VmlinuxElf {
 public:
  // Fails with BadInput for a file that is not ELF (empty, text, truncated
  // header) and Corrupt for an ELF file whose tables are broken; each error
  // names the file.
  static Result<VmlinuxElf> open(const std::string& path);
  // The same from bytes in memory (fuzzing, tests); `name` is used in errors.
  static Result<VmlinuxElf> open_memory(std::vector<std::byte> bytes, std::string name);

  VmlinuxElf(VmlinuxElf&&) noexcept;
  VmlinuxElf& operator=(VmlinuxElf&&) noexcept;
  ~VmlinuxElf();

  const std::string& path() const;
  uint16_t machine() const;  // e_machine: EM_X86_64, EM_AARCH64, ...
  bool is_64bit() const;
  bool little_endian() const;
  bool has_section(std::string_view name) const;
  // NT_GNU_BUILD_ID as lowercase hex, as VMCOREINFO's BUILD-ID prints it.
  std::optional<std::string> build_id() const;

  // The NUL-terminated string at symbol `linux_banner`, read from the file
  // bytes of its section (.rodata): "Linux version 6.1.0 (...) #1 SMP ...\n".
  Result<std::string> linux_banner() const;
  // File bytes at [address, address + size) of an allocated section with
  // contents (not .bss). Fault if no section holds the whole range.
  Result<std::span<const std::byte>> bytes_at(uint64_t address, uint64_t size) const;
  // Whether the file bytes of section `name` hold `needle` (a format string
  // in .rodata: what the kernel prints, as its own source wrote it); nullopt
  // when the file has no such section with contents, or is a subset
  // (subset()) without the needle: it cannot tell.
  std::optional<bool> section_contains(std::string_view name, std::string_view needle) const;
  // Whether this is an `extract --symbols` subset: allocated sections hold
  // only the bytes read when it was cut (.text has no contents).
  bool subset() const;

  // Lookups. When a name is defined more than once (static symbols of
  // different files), symbol() prefers a global one, then the first in the
  // table; symbols_named() returns them all.
  std::optional<ElfSymbol> symbol(std::string_view name) const;
  std::vector<ElfSymbol> symbols_named(std::string_view name) const;
  // The symbol whose [address, address + size) holds `address` (a sized
  // symbol), else the nearest symbol at or below it; nullopt below the first.
  std::optional<ElfSymbol> symbol_at(uint64_t address) const;
  // File names of the local symbols nearest to `address` in the same
  // section, nearest first: where a global symbol's definition probably
  // lives, since a linker keeps each object file's data together.
  std::vector<std::string> files_near(uint64_t address, size_t max_files = 3) const;
  size_t symbol_count() const;

  // The file bytes bytes_at(), linux_banner() and section_contains() (its
  // match) have answered from so far: what `extract --symbols` keeps of the
  // sections with contents.
  struct FileRange {
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  std::vector<FileRange> bytes_read() const;

  struct Impl;
  // For src/kernel/ only (libdwarf is opened on the same libelf handle).
  Impl& impl() const { return *impl_; }

 private:
  explicit VmlinuxElf(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramsift
