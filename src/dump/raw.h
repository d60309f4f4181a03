// Internal: physical memory backed by raw, mapped files, one file per range.
// The raw reader (FILE@ADDR, --phys-base) and the Qualcomm reader (.BIN files
// placed by load.cmm / dump_info.txt) are both this.
//
//   std::vector<RawSegment> segments;
//   segments.push_back({.range = {PhysAddr{0x80000000}, file.size()}, .file = std::move(file), ...});
//   RAMSIFT_TRY(auto dump, RawFileDump::create(std::move(segments), info, problems));
//
// A segment may describe more than its file holds (a .BIN missing or shorter
// than dump_info.txt says): the bytes past `data_size` read as NoData, with
// `missing` saying why, never as zeros.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ramsift/base/mapped_file.h"
#include "ramsift/dump/dump.h"

namespace ramsift::dump_formats {

struct RawSegment {
  PhysRange range;
  MappedFile file;         // empty when the file is missing
  uint64_t data_size = 0;  // bytes of `range` the file backs, <= range.size
  std::string name;        // the file as messages name it
  std::string where;       // where the segment was declared ("load.cmm line 4"), for overlap errors
  std::string missing;     // why bytes past data_size are absent ("file missing")
};

class RawFileDump : public Dump {
 public:
  // Sorts the segments by address; overlapping segments are an error naming
  // both. Empty segments are dropped (they describe nothing).
  static Result<std::unique_ptr<RawFileDump>> create(std::vector<RawSegment> segments, DumpInfo info,
                                                     std::vector<Error> problems);

  std::span<const PhysRange> ranges() const override { return ranges_; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override;

 private:
  std::vector<RawSegment> segments_;
  std::vector<PhysRange> ranges_;  // segments_[i].range, for ranges()
};

// "0x80000000" or "80000000" (hex, as crash's htoll and ramparse's
// int(x, 16) take it); nullopt when not a whole hex number that fits 64 bits.
std::optional<uint64_t> parse_hex_address(std::string_view text);

}  // namespace ramsift::dump_formats
