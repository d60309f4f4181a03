// Placeholder until the ELF writer lands.
#include "ramsift/dump/writer.h"

namespace ramsift {
Status write_elf_core(const WriteSource&, const std::string& path, const ElfWriteOptions&) {
  return not_implemented("ELF writer").in_file(path);
}
}  // namespace ramsift
