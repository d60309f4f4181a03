// The architectures, as data: one row per architecture with the names and
// numbers the dump formats use for it. A new architecture is a new row here
// (and, to read its kernels, a descriptor in src/kernel/arch_*.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ramsift {

// Amd64 is x86_64 and I386 is x86: crash builds its extensions with -DX86_64
// (and -DX86), so those names are macros there.
enum class Arch : uint8_t { Unknown, Amd64, Arm64, I386, Arm, Riscv64 };

struct ArchRow {
  Arch arch;
  std::string_view name;         // ramsift's and the kernel's ARCH= name: "arm64"
  std::string_view uts_machine;  // utsname.machine, as makedumpfile's header carries it: "aarch64"
  uint16_t elf_machine;          // e_machine (EM_AARCH64)
  uint32_t prstatus_size;        // sizeof(struct elf_prstatus) in that kernel
};

std::span<const ArchRow> arch_rows();
// The row of `arch`; Unknown has a row too (empty names, machine 0).
const ArchRow& arch_row(Arch arch);

// "x86_64", "arm64", ...; "" for Unknown.
std::string_view arch_name(Arch arch);
// By ramsift's name ("arm64") or a utsname machine ("aarch64", "i686",
// "armv7l"); Unknown when neither.
Arch arch_from_name(std::string_view name);
Arch arch_from_elf_machine(uint16_t machine);

}  // namespace ramsift
