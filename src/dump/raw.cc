// Raw RAM images: "FILE@ADDR[,FILE@ADDR...]" as crash takes them (ramdump.c
// is_ramdump(): comma-separated, ADDR hex with or without 0x) and a single
// image at --phys-base. The files are mapped, never read whole.
#include "raw.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>

#include "formats.h"

namespace ramsift::dump_formats {

std::optional<uint64_t> parse_hex_address(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<std::unique_ptr<RawFileDump>> RawFileDump::create(std::vector<RawSegment> segments, DumpInfo info,
                                                         std::vector<Error> problems) {
  std::erase_if(segments, [](const RawSegment& s) { return s.range.size == 0; });
  for (const RawSegment& s : segments) {
    uint64_t end;
    if (add_overflows(s.range.start.value(), s.range.size, &end))
      return bad_input("range " + hex(s.range.start.value()) + " + " + hex(s.range.size) +
                       " runs past the end of the 64-bit address space (" + s.where + ")")
          .in_file(s.name);
  }
  std::stable_sort(segments.begin(), segments.end(),
                   [](const RawSegment& a, const RawSegment& b) { return a.range.start < b.range.start; });
  for (size_t i = 1; i < segments.size(); ++i) {
    const RawSegment& a = segments[i - 1];
    const RawSegment& b = segments[i];
    uint64_t a_last = a.range.end().value() - 1;
    if (b.range.start < a.range.end())
      return bad_input("overlaps " + a.name + " (" + a.where + ": " + hex(a.range.start.value()) + "-" + hex(a_last) +
                       ") at " + hex(b.range.start.value()) + " (" + b.where + ")")
          .in_file(b.name);
  }
  auto dump = std::unique_ptr<RawFileDump>(new RawFileDump());
  dump->info_ = std::move(info);
  dump->problems_ = std::move(problems);
  for (const RawSegment& s : segments) dump->ranges_.push_back(s.range);
  dump->segments_ = std::move(segments);
  return dump;
}

Result<size_t> RawFileDump::read(PhysAddr addr, std::span<std::byte> out) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                             [](PhysAddr a, const PhysRange& r) { return a < r.start; });
  if (it == ranges_.begin() || !(it - 1)->contains(addr)) return fault("not in any range of the dump").at_address(addr);
  const RawSegment& segment = segments_[static_cast<size_t>(it - ranges_.begin()) - 1];
  uint64_t offset = addr - segment.range.start;
  if (offset >= segment.data_size)
    return no_data(segment.missing.empty() ? "not in the file" : segment.missing)
        .in_file(segment.name)
        .at_address(addr);
  uint64_t n = std::min<uint64_t>(out.size(), segment.data_size - offset);
  RAMSIFT_TRY(auto bytes, segment.file.reader().span(offset, n));
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return static_cast<size_t>(n);
}

namespace {

RawSegment whole_file_segment(MappedFile file, uint64_t start, std::string where) {
  RawSegment s;
  s.range = {PhysAddr{start}, file.size()};
  s.data_size = file.size();
  s.name = file.path();
  s.where = std::move(where);
  s.file = std::move(file);
  return s;
}

}  // namespace

Result<std::unique_ptr<Dump>> raw_open(const std::string& list, const OpenOptions& options) {
  std::vector<RawSegment> segments;
  DumpInfo info;
  info.format = "raw";
  info.arch = options.arch;
  size_t pos = 0;
  unsigned item = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string_view entry = std::string_view(list).substr(pos, comma - pos);
    pos = comma + 1;
    if (entry.empty()) continue;  // crash (strtok) skips empty items too
    ++item;
    std::string where = "item " + std::to_string(item) + " of the FILE@ADDR list";
    // The last '@': a directory may contain one, a hex address cannot.
    size_t at = entry.rfind('@');
    if (at == std::string_view::npos)
      return bad_input(where + ": '" + std::string(entry) + "' is not FILE@ADDR").in_file(list);
    std::string path(entry.substr(0, at));
    std::string_view address_text = entry.substr(at + 1);
    if (path.empty()) return bad_input(where + ": no file before '@'").in_file(list);
    std::optional<uint64_t> address = parse_hex_address(address_text);
    if (!address)
      return bad_input(where + ": bad address '" + std::string(address_text) + "' (hex, with or without 0x)")
          .in_file(path);
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return not_found("no such file (" + where + ")").in_file(path);
    RAMSIFT_TRY(MappedFile file, MappedFile::open(path));
    if (file.size() == 0) return bad_input("empty file (" + where + ")").in_file(path);
    info.files.push_back(path);
    segments.push_back(whole_file_segment(std::move(file), *address, where));
  }
  if (segments.empty()) return bad_input("empty FILE@ADDR list").in_file(list);
  RAMSIFT_TRY(auto dump, RawFileDump::create(std::move(segments), std::move(info), {}));
  return std::unique_ptr<Dump>(std::move(dump));
}

Result<std::unique_ptr<Dump>> raw_open_single(MappedFile file, uint64_t phys_base, const OpenOptions& options) {
  DumpInfo info;
  info.format = "raw";
  info.arch = options.arch;
  info.files.push_back(file.path());
  if (file.size() == 0) return bad_input("empty file").in_file(file.path());
  std::vector<RawSegment> segments;
  segments.push_back(whole_file_segment(std::move(file), phys_base, "--phys-base " + hex(phys_base)));
  RAMSIFT_TRY(auto dump, RawFileDump::create(std::move(segments), std::move(info), {}));
  return std::unique_ptr<Dump>(std::move(dump));
}

}  // namespace ramsift::dump_formats
