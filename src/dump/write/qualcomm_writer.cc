// Placeholder until the Qualcomm writer lands.
#include "ramsift/dump/writer.h"

namespace ramsift {
Status write_qualcomm_dir(const WriteSource&, const std::string& dir, const QualcommWriteOptions&) {
  return not_implemented("Qualcomm writer").in_file(dir);
}
Result<std::string> write_raw_files(const WriteSource&, const std::string& path_prefix) {
  return not_implemented("raw writer").in_file(path_prefix);
}
}  // namespace ramsift
