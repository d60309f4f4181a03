#include "ramsift/base/arch.h"

namespace ramsift {

namespace {

constexpr ArchRow kRows[] = {
    {Arch::Unknown, "", "", 0, 0},
    {Arch::Amd64, "x86_64", "x86_64", 62, 336},       // EM_X86_64
    {Arch::Arm64, "arm64", "aarch64", 183, 392},      // EM_AARCH64
    {Arch::I386, "x86", "i686", 3, 144},              // EM_386
    {Arch::Arm, "arm", "armv7l", 40, 148},            // EM_ARM
    {Arch::Riscv64, "riscv64", "riscv64", 243, 376},  // EM_RISCV
};

}  // namespace

std::span<const ArchRow> arch_rows() {
  return kRows;
}

const ArchRow& arch_row(Arch arch) {
  for (const ArchRow& r : kRows)
    if (r.arch == arch) return r;
  return kRows[0];
}

std::string_view arch_name(Arch arch) {
  return arch_row(arch).name;
}

Arch arch_from_name(std::string_view name) {
  if (name.empty()) return Arch::Unknown;
  for (const ArchRow& r : kRows)
    if (r.name == name || r.uts_machine == name) return r.arch;
  // utsname spellings of the same machines.
  if (name == "i386" || name == "i486" || name == "i586") return Arch::I386;
  if (name.starts_with("arm")) return Arch::Arm;
  return Arch::Unknown;
}

Arch arch_from_elf_machine(uint16_t machine) {
  if (machine == 0) return Arch::Unknown;
  for (const ArchRow& r : kRows)
    if (r.elf_machine == machine) return r.arch;
  return Arch::Unknown;
}

}  // namespace ramsift
