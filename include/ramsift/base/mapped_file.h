// A read-only memory-mapped file. Dumps are 4-24 GB: they are mapped, never
// read whole; the kernel pages in what is touched.
//
//   RAMSIFT_TRY(auto file, MappedFile::open("vmcore"));
//   ByteReader r = file.reader();
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "ramsift/base/bytes.h"
#include "ramsift/base/error.h"

namespace ramsift {

class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  std::span<const std::byte> bytes() const { return {data_, static_cast<size_t>(size_)}; }
  // A checked reader over the whole file, errors naming the file path.
  ByteReader reader() const { return ByteReader(bytes(), path_); }

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace ramsift
