#include "ramsift/base/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace ramsift {

namespace fs = std::filesystem;

namespace {

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The files an input names: itself, or each FILE of FILE@ADDR[,FILE@ADDR...].
std::vector<std::string> input_files(const std::string& input) {
  struct stat st {};
  if (::stat(input.c_str(), &st) == 0 || input.find('@') == std::string::npos) return {input};
  std::vector<std::string> files;
  for (size_t at = 0; at <= input.size();) {
    size_t comma = input.find(',', at);
    if (comma == std::string::npos) comma = input.size();
    std::string part = input.substr(at, comma - at);
    files.push_back(part.substr(0, part.rfind('@')));
    at = comma + 1;
  }
  return files;
}

}  // namespace

Status refuse_input_as_output(const std::string& path, std::span<const std::string> inputs) {
  struct stat out {};
  if (::stat(path.c_str(), &out) != 0) return {};  // a new file is no input
  std::vector<std::string> named;
  for (const std::string& input : inputs)
    for (std::string& f : input_files(input)) named.push_back(std::move(f));
  for (const std::string& input : named) {
    struct stat in {};
    if (::stat(input.c_str(), &in) != 0) continue;
    if (same_file(in, out)) return bad_input("the output " + path + " is the input " + input + ": refused");
    if (S_ISDIR(in.st_mode)) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(input, ec)) {
        struct stat part {};
        if (::stat(entry.path().c_str(), &part) == 0 && same_file(part, out))
          return bad_input("the output " + path + " is " + entry.path().string() + ", part of the input " + input +
                           ": refused");
      }
    }
  }
  return {};
}

Result<OutputFile> OutputFile::create(const std::string& path, std::span<const std::string> inputs) {
  RAMSIFT_TRY_STATUS(refuse_input_as_output(path, inputs));
  fs::path final_path(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return bad_input("the output " + path + " is a directory");
  fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  std::string templ = (dir / ("." + final_path.filename().string() + ".ramsift-XXXXXX")).string();
  int fd = ::mkstemp(templ.data());
  if (fd < 0)
    return io_error(std::string("cannot create a file beside the output: ") + std::strerror(errno)).in_file(path);
  ::fchmod(fd, 0644);
  ::close(fd);
  return OutputFile(path, templ);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), done_(other.done_) {
  other.done_ = true;
}

OutputFile::~OutputFile() {
  if (!done_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Status OutputFile::commit() {
  done_ = true;
  auto fail = [&](const std::string& what) -> Status {
    Error e = io_error(what + ": " + std::strerror(errno)).in_file(path_);
    ::unlink(temp_.c_str());
    return e;
  };
  int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot reopen the written file");
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  ::close(fd);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) return fail("cannot rename into place");
  return {};
}

}  // namespace ramsift
