// Placeholder until the raw reader lands.
#include "formats.h"

namespace ramsift::dump_formats {
Result<std::unique_ptr<Dump>> raw_open(const std::string& list, const OpenOptions&) {
  return not_implemented("raw FILE@ADDR reader").in_file(list);
}
Result<std::unique_ptr<Dump>> raw_open_single(MappedFile file, uint64_t, const OpenOptions&) {
  return not_implemented("raw reader").in_file(file.path());
}
}  // namespace ramsift::dump_formats
