// Internal: the logical bytes of a diskdump, stored either plainly (a mapped
// file) or as makedumpfile's flattened stream (`makedumpfile -F`, QEMU's
// kdump-* output), which must be indexed before it can be read at random.
//
//   RAMSIFT_TRY(LogicalFile f, LogicalFile::open(bytes, "vmcore.flat"));
//   std::vector<std::byte> scratch;
//   RAMSIFT_TRY(ByteReader hdr, f.reader(0, 464, scratch));
//
// The flattened format (makedumpfile.h, struct makedumpfile_header and
// makedumpfile_data_header):
//   a 4096-byte header: signature[16] "makedumpfile", int64 type (1),
//                        int64 version (1), zero padding;
//   then blocks of { int64 offset; int64 size; size bytes of data }, all
//   integers big-endian whatever the machine, each meaning "these bytes
//   belong at this offset of the diskdump";
//   ended by offset = -1, size = -1.
// A block may rewrite bytes an earlier block wrote (makedumpfile updates the
// sub-header at the end); the later one wins, as `makedumpfile -R` would
// produce. Bytes no block wrote are a hole: -R leaves them zero (a sparse
// file), so headers and bitmaps may read holes as zeros, but page data and
// descriptors in a hole are missing data, never zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/bytes.h"
#include "ramsift/base/error.h"

namespace ramsift::dump_formats {

inline constexpr uint64_t kFlatHeaderSize = 4096;

class LogicalFile {
 public:
  enum class Holes { Error, Zero };

  LogicalFile() = default;
  // Plain diskdump or flattened stream, decided by the first bytes.
  // `origin` must outlive the LogicalFile (errors name it).
  static Result<LogicalFile> open(std::span<const std::byte> bytes, std::string_view origin);

  bool flattened() const { return flattened_; }
  // One past the last logical byte written.
  uint64_t size() const { return size_; }
  std::string_view origin() const { return origin_; }

  // [offset, offset + length) without copying, when it lies in one stored
  // piece (always, for a plain file); otherwise an empty optional-like
  // failure is reported through the bool.
  bool view(uint64_t offset, uint64_t length, std::span<const std::byte>* out) const;

  // Copies [offset, offset + out.size()); a byte past size() or (with
  // Holes::Error) in a hole is an error naming the origin and offset.
  Status copy(uint64_t offset, std::span<std::byte> out, Holes holes) const;

  // A checked reader over [offset, offset + length): a view when possible,
  // else a copy into `scratch` (which must outlive the reader).
  Result<ByteReader> reader(uint64_t offset, uint64_t length, std::vector<std::byte>& scratch,
                            Holes holes = Holes::Error) const;

  // The position in the stored file of logical `offset`, for messages: the
  // same number for a plain file; for a flattened stream the stream position
  // when the byte is stored, else the logical offset.
  uint64_t file_offset(uint64_t offset) const;
  // "file: offset 0x..: message", the offset translated as above (and
  // labelled as a dump offset when it is not stored in the stream).
  Error error_at(uint64_t offset, std::string message) const;

  // Index introspection for tests.
  struct Segment {
    uint64_t start = 0;  // logical
    uint64_t end = 0;
    uint64_t file_pos = 0;  // where `start` is stored in the stream
  };
  std::span<const Segment> segments() const { return segments_; }

  // Set when the stream was cut short (no end marker, a block cut off):
  // what was stored is usable, the rest is missing.
  const std::optional<Error>& problem() const { return problem_; }

 private:
  static Result<LogicalFile> index_flattened(std::span<const std::byte> bytes, std::string_view origin);
  // The segment holding `offset`, or the first one after it, or end.
  std::vector<Segment>::const_iterator find(uint64_t offset) const;

  std::span<const std::byte> bytes_;
  std::string_view origin_;
  bool flattened_ = false;
  uint64_t size_ = 0;
  std::vector<Segment> segments_;  // sorted, disjoint (flattened only)
  std::optional<Error> problem_;
};

bool is_flattened(std::span<const std::byte> head);

}  // namespace ramsift::dump_formats
