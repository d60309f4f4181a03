// Placeholder until the kdump writer lands.
#include "ramsift/dump/writer.h"

namespace ramsift {
const char* kdump_codec_name(KdumpCodec codec) {
  switch (codec) {
    case KdumpCodec::None: return "none";
    case KdumpCodec::Zlib: return "zlib";
    case KdumpCodec::Lzo: return "lzo";
    case KdumpCodec::Snappy: return "snappy";
    case KdumpCodec::Zstd: return "zstd";
  }
  return "?";
}
Result<std::vector<std::string>> write_kdump(const WriteSource&, const std::string& path, const KdumpWriteOptions&) {
  return not_implemented("kdump writer").in_file(path);
}
}  // namespace ramsift
