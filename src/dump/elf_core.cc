// Placeholder until the ELF core reader lands.
#include "formats.h"

namespace ramsift::dump_formats {
bool elf_core_probe(std::span<const std::byte> head) {
  return head.size() >= 4 && head[0] == std::byte{0x7f} && head[1] == std::byte{'E'} && head[2] == std::byte{'L'} &&
         head[3] == std::byte{'F'};
}
Result<std::unique_ptr<Dump>> elf_core_open(MappedFile file, const OpenOptions&) {
  return not_implemented("ELF core reader").in_file(file.path());
}
}  // namespace ramsift::dump_formats
