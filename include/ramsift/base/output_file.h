// An output file that never damages an input: written beside its final
// name, fsynced and renamed into place only when whole.
//
//   RAMSIFT_TRY(OutputFile out, OutputFile::create("small.kdump", inputs));  // refuses an input
//   write(out.temp_path()) ...;                                              // any writer, by path
//   RAMSIFT_TRY_STATUS(out.commit());                                        // fsync + rename
//   // an OutputFile destroyed uncommitted removes its temporary file
//
// create() refuses a path that is one of the inputs, or a file inside an
// input directory (a Qualcomm ramdump), by device and inode, so a symlink or
// another name for the same file is refused too.
#pragma once

#include <span>
#include <string>

#include "ramsift/base/error.h"

namespace ramsift {

class OutputFile {
 public:
  static Result<OutputFile> create(const std::string& path, std::span<const std::string> inputs);

  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  ~OutputFile();

  const std::string& path() const { return path_; }
  // Where to write: a new file in the same folder as path().
  const std::string& temp_path() const { return temp_; }
  // fsync, then rename over path(). Io naming the file on failure (the
  // temporary file is removed, path() untouched).
  Status commit();

 private:
  OutputFile(std::string path, std::string temp) : path_(std::move(path)), temp_(std::move(temp)) {}
  std::string path_, temp_;
  bool done_ = false;
};

// BadInput when `path` is one of `inputs` (same device and inode), or a
// file directly inside an input that is a directory.
Status refuse_input_as_output(const std::string& path, std::span<const std::string> inputs);

}  // namespace ramsift
