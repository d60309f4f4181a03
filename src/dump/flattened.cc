#include "flattened.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace ramsift::dump_formats {

namespace {

constexpr char kFlatSignature[] = "makedumpfile";
constexpr uint64_t kFlatBlockHeaderSize = 16;

}  // namespace

bool is_flattened(std::span<const std::byte> head) {
  return head.size() >= 12 && std::memcmp(head.data(), kFlatSignature, 12) == 0;
}

Result<LogicalFile> LogicalFile::open(std::span<const std::byte> bytes, std::string_view origin) {
  if (is_flattened(bytes)) return index_flattened(bytes, origin);
  LogicalFile f;
  f.bytes_ = bytes;
  f.origin_ = origin;
  f.size_ = bytes.size();
  return f;
}

Result<LogicalFile> LogicalFile::index_flattened(std::span<const std::byte> bytes, std::string_view origin) {
  ByteReader r(bytes, origin, 0, Endian::Big);
  LogicalFile f;
  f.bytes_ = bytes;
  f.origin_ = origin;
  f.flattened_ = true;

  if (bytes.size() < kFlatHeaderSize)
    return corrupt("flattened header: the file has " + std::to_string(bytes.size()) +
                   " bytes, the header alone needs 4096 (truncated?)")
        .in_file(std::string(origin))
        .at_offset(0);
  RAMSIFT_TRY(ByteReader header, r.sub(0, kFlatHeaderSize));
  // makedumpfile compares the signature with strcmp: a NUL must follow.
  RAMSIFT_TRY(auto sig, header.span(0, 16));
  if (sig[12] != std::byte{0})
    return corrupt("flattened header: signature is not \"makedumpfile\"").in_file(std::string(origin)).at_offset(0);
  RAMSIFT_TRY(int64_t type, header.i64(16));
  if (type != 1)
    return corrupt("flattened header: type " + std::to_string(type) + ", expected 1")
        .in_file(std::string(origin))
        .at_offset(16);

  // Blocks in stream order.
  std::vector<Segment> blocks;
  uint64_t pos = kFlatHeaderSize;
  bool ended = false;
  std::optional<Error> truncated;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < kFlatBlockHeaderSize) {
      truncated = corrupt("flattened stream ends inside a block header (truncated?)")
                      .in_file(std::string(origin))
                      .at_offset(pos);
      break;
    }
    RAMSIFT_TRY(int64_t offset, r.i64(pos));
    RAMSIFT_TRY(int64_t size, r.i64(pos + 8));
    if (offset == -1 && size == -1) {
      ended = true;
      break;
    }
    uint64_t end;
    if (offset < 0 || size < 0 || add_overflows(static_cast<uint64_t>(offset), static_cast<uint64_t>(size), &end) ||
        end > static_cast<uint64_t>(INT64_MAX))
      return corrupt("flattened block header: bad offset " + std::to_string(offset) + " / size " + std::to_string(size))
          .in_file(std::string(origin))
          .at_offset(pos);
    uint64_t data = pos + kFlatBlockHeaderSize;
    uint64_t stored = std::min<uint64_t>(static_cast<uint64_t>(size), bytes.size() - data);
    if (stored < static_cast<uint64_t>(size))
      truncated = corrupt("flattened block of " + std::to_string(size) + " bytes has only " + std::to_string(stored) +
                          " in the file (truncated?)")
                      .in_file(std::string(origin))
                      .at_offset(pos);
    if (stored) blocks.push_back({static_cast<uint64_t>(offset), static_cast<uint64_t>(offset) + stored, data});
    pos = data + stored;
  }
  if (!ended && !truncated)
    truncated = corrupt("flattened stream has no end marker (truncated?)").in_file(std::string(origin)).at_offset(pos);
  f.problem_ = std::move(truncated);

  bool ordered = true;
  for (size_t i = 1; i < blocks.size() && ordered; ++i) ordered = blocks[i].start >= blocks[i - 1].end;
  if (ordered) {
    f.segments_ = std::move(blocks);
  } else {
    // Overlay in stream order: a later block replaces what it overlaps.
    std::map<uint64_t, Segment> map;
    for (const Segment& b : blocks) {
      auto it = map.upper_bound(b.start);
      if (it != map.begin()) --it;
      while (it != map.end() && it->second.start < b.end) {
        Segment s = it->second;
        if (s.end <= b.start) {
          ++it;
          continue;
        }
        it = map.erase(it);
        if (s.start < b.start) map.emplace(s.start, Segment{s.start, b.start, s.file_pos});
        if (s.end > b.end) map.emplace(b.end, Segment{b.end, s.end, s.file_pos + (b.end - s.start)});
      }
      map.emplace(b.start, b);
    }
    f.segments_.reserve(map.size());
    for (auto& [start, s] : map) f.segments_.push_back(s);
  }
  f.size_ = f.segments_.empty() ? 0 : f.segments_.back().end;
  return f;
}

std::vector<LogicalFile::Segment>::const_iterator LogicalFile::find(uint64_t offset) const {
  // First segment whose end is past offset.
  return std::upper_bound(segments_.begin(), segments_.end(), offset,
                          [](uint64_t o, const Segment& s) { return o < s.end; });
}

bool LogicalFile::view(uint64_t offset, uint64_t length, std::span<const std::byte>* out) const {
  uint64_t end;
  if (add_overflows(offset, length, &end) || end > size_) return false;
  if (!flattened_) {
    *out = bytes_.subspan(offset, length);
    return true;
  }
  auto it = find(offset);
  if (it == segments_.end() || it->start > offset || it->end < end) return false;
  *out = bytes_.subspan(it->file_pos + (offset - it->start), length);
  return true;
}

Status LogicalFile::copy(uint64_t offset, std::span<std::byte> out, Holes holes) const {
  uint64_t end;
  if (add_overflows(offset, out.size(), &end) || end > size_)
    return error_at(offset, "need " + std::to_string(out.size()) + " bytes, the dump has only " +
                                std::to_string(offset < size_ ? size_ - offset : 0) + " left (truncated?)");
  if (!flattened_) {
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return {};
  }
  uint64_t at = offset;
  auto it = find(offset);
  while (at < end) {
    uint64_t next = it == segments_.end() ? end : std::min(end, it->start);
    if (at < next) {  // a hole
      if (holes == Holes::Error) return error_at(at, "no data for dump offset " + hex(at) + " in the flattened stream");
      std::memset(out.data() + (at - offset), 0, next - at);
      at = next;
      continue;
    }
    uint64_t stop = std::min(end, it->end);
    std::memcpy(out.data() + (at - offset), bytes_.data() + it->file_pos + (at - it->start), stop - at);
    at = stop;
    ++it;
  }
  return {};
}

Result<ByteReader> LogicalFile::reader(uint64_t offset, uint64_t length, std::vector<std::byte>& scratch,
                                       Holes holes) const {
  std::span<const std::byte> v;
  if (view(offset, length, &v)) return ByteReader(v, origin_, file_offset(offset));
  uint64_t end;
  if (add_overflows(offset, length, &end) || end > size_)
    return error_at(offset, "need " + std::to_string(length) + " bytes, the dump has only " +
                                std::to_string(offset < size_ ? size_ - offset : 0) + " left (truncated?)");
  // Even with holes read as zeros, a region larger than the whole file
  // cannot be real (and must not make us allocate it).
  if (length > bytes_.size())
    return error_at(offset, "a region of " + std::to_string(length) + " bytes, more than the file holds");
  scratch.resize(length);
  RAMSIFT_TRY_STATUS(copy(offset, scratch, holes));
  // Offsets in errors from a copied reader are dump offsets.
  return ByteReader(scratch, origin_, offset);
}

uint64_t LogicalFile::file_offset(uint64_t offset) const {
  if (!flattened_) return offset;
  auto it = find(offset);
  if (it != segments_.end() && it->start <= offset) return it->file_pos + (offset - it->start);
  return offset;
}

Error LogicalFile::error_at(uint64_t offset, std::string message) const {
  if (flattened_) {
    auto it = find(offset);
    if (it == segments_.end() || it->start > offset)
      message += " (dump offset " + hex(offset) + " of the flattened stream)";
  }
  return corrupt(std::move(message)).in_file(std::string(origin_)).at_offset(file_offset(offset));
}

}  // namespace ramsift::dump_formats
