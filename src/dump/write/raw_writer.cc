// Raw images: one file per range, read back with "FILE@ADDR,...".
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "raw_image.h"

namespace ramsift {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Status write_raw_image(const WriteSource& source, PhysAddr start, uint64_t size, const std::string& path) {
  if (!source.memory) return bad_input("no memory to write").in_file(path);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) return io_error(std::strerror(errno)).in_file(path);
  const uint64_t page_size = source.page_size ? source.page_size : 4096;
  constexpr size_t kBuffer = 1 << 20;
  std::vector<std::byte> buffer;
  buffer.reserve(kBuffer);
  auto flush = [&]() -> Status {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file.get()) != buffer.size())
      return io_error(std::string("write: ") + std::strerror(errno)).in_file(path);
    buffer.clear();
    return {};
  };
  uint64_t done = 0;
  while (done < size) {
    PhysAddr addr = start + done;
    // Never past this page: exclusion is decided per page.
    uint64_t page_end = (addr.value() / page_size + 1) * page_size;
    uint64_t chunk = std::min<uint64_t>({size - done, page_end - addr.value(), kBuffer - buffer.size()});
    size_t old = buffer.size();
    buffer.resize(old + chunk);
    std::span<std::byte> out(buffer.data() + old, chunk);
    uint64_t got = 0;
    if (!source.include || source.include(addr.value() / page_size)) {
      Result<size_t> n = source.memory->read(addr, out);
      if (n && *n == 0) return fault("read returned no bytes").at_address(addr).in_file(path);
      if (n) {
        got = *n;
      } else if (n.error().code() != ErrorCode::NoData) {
        return Error(n.error()).with_context("reading " + hex(addr.value())).in_file(path);
      }
    }
    // Excluded, or NoData to the end of this page: zeros (see raw_image.h).
    if (got == 0) {
      std::fill(out.begin(), out.end(), std::byte{0});
      got = chunk;
    }
    buffer.resize(old + got);
    done += got;
    if (buffer.size() == kBuffer) RAMSIFT_TRY_STATUS(flush());
  }
  RAMSIFT_TRY_STATUS(flush());
  std::FILE* f = file.release();
  if (std::fclose(f) != 0) return io_error(std::string("close: ") + std::strerror(errno)).in_file(path);
  return {};
}

Result<std::string> write_raw_files(const WriteSource& source, const std::string& path_prefix) {
  if (!source.memory) return bad_input("no memory to write").in_file(path_prefix);
  // The list is comma-separated: a comma in a path cannot be read back.
  if (path_prefix.find(',') != std::string::npos)
    return bad_input("a FILE@ADDR path cannot contain ','").in_file(path_prefix);
  std::string list;
  size_t index = 0;
  for (const PhysRange& range : source.memory->ranges()) {
    std::string path = path_prefix + "-" + std::to_string(index++) + ".bin";
    RAMSIFT_TRY_STATUS(write_raw_image(source, range.start, range.size, path));
    if (!list.empty()) list += ',';
    list += path + "@" + hex(range.start.value());
  }
  if (list.empty()) return bad_input("the memory has no ranges").in_file(path_prefix);
  return list;
}

}  // namespace ramsift
