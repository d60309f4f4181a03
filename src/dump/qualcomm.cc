// Placeholder until the Qualcomm reader lands.
#include "formats.h"

namespace ramsift::dump_formats {
Result<std::unique_ptr<Dump>> qualcomm_open(const std::string& directory, const OpenOptions&) {
  return not_implemented("Qualcomm ramdump reader").in_file(directory);
}
}  // namespace ramsift::dump_formats
