// Placeholder until the diskdump reader lands.
#include <cstring>

#include "formats.h"

namespace ramsift::dump_formats {
bool diskdump_probe(std::span<const std::byte> head) {
  return head.size() >= 8 && std::memcmp(head.data(), "KDUMP   ", 8) == 0;
}
bool flattened_probe(std::span<const std::byte> head) {
  return head.size() >= 12 && std::memcmp(head.data(), "makedumpfile", 12) == 0;
}
Result<std::unique_ptr<Dump>> diskdump_open(std::vector<MappedFile> files, const OpenOptions&) {
  return not_implemented("diskdump reader").in_file(files.at(0).path());
}
}  // namespace ramsift::dump_formats
