// plain_file(): the decompressed copies of .zst symbol files (issue: a copy
// cut short was renamed into place and every later run failed; with HOME
// unset the cache was a shared, predictable /tmp path).
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/kernel/kernel.h"
#include "support/test_files.h"

namespace fs = std::filesystem;
using namespace ramsift;

namespace {

// Sets (or unsets, nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// An ELF-looking file of `size` bytes, and its .zst beside it.
std::vector<char> fake_elf(size_t size) {
  std::vector<char> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 + 3);
  bytes[0] = 0x7f, bytes[1] = 'E', bytes[2] = 'L', bytes[3] = 'F';
  return bytes;
}

std::string write_zst(const fs::path& dir, const std::vector<char>& plain) {
  std::vector<char> packed(ZSTD_compressBound(plain.size()));
  size_t n = ZSTD_compress(packed.data(), packed.size(), plain.data(), plain.size(), 3);
  REQUIRE(!ZSTD_isError(n));
  packed.resize(n);
  std::string path = (dir / "vmlinux.zst").string();
  test::write_file(path, std::span(reinterpret_cast<const std::byte*>(packed.data()), packed.size()));
  return path;
}

std::vector<char> read_all(const std::string& path) {
  auto bytes = test::read_file(path);
  return std::vector<char>(reinterpret_cast<const char*>(bytes.data()),
                           reinterpret_cast<const char*>(bytes.data()) + bytes.size());
}

}  // namespace

TEST_CASE("plain_file: a cached copy cut short is made again, not used") {
  test::TempDir dir("cache-short");
  ScopedEnv cache("RAMSIFT_CACHE", (dir.path() / "cache").string());
  const auto plain = fake_elf(100000);
  std::string zst = write_zst(dir.path(), plain);
  auto first = plain_file(zst);
  REQUIRE(first);
  CHECK(read_all(*first) == plain);
  // A short write (disk full, a kill) left half the file under the final name.
  fs::resize_file(*first, 50000);
  auto second = plain_file(zst);
  REQUIRE(second);
  CHECK(*second == *first);
  CHECK(read_all(*second) == plain);
  // A copy with a wrong header (a stray file) is made again too.
  {
    std::vector<char> junk(plain.size(), 'x');
    test::write_file(*first, std::span(reinterpret_cast<const std::byte*>(junk.data()), junk.size()));
  }
  auto third = plain_file(zst);
  REQUIRE(third);
  CHECK(read_all(*third) == plain);
}

TEST_CASE("plain_file: a truncated .zst is an error naming the file, and nothing is left in the cache") {
  test::TempDir dir("cache-trunc");
  ScopedEnv cache("RAMSIFT_CACHE", (dir.path() / "cache").string());
  std::string zst = write_zst(dir.path(), fake_elf(200000));
  fs::resize_file(zst, fs::file_size(zst) / 2);
  auto r = plain_file(zst);
  REQUIRE(!r);
  CHECK(r.error().to_string().find("vmlinux.zst") != std::string::npos);
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "cache")) left += e.is_regular_file();
  CHECK(left == 0);
}

// A write that fails while the copy is made (disk full; here the file-size
// limit, whose EFBIG a full disk's ENOSPC takes the same path as): an error
// naming the temporary file, nothing left under the final name or beside
// it, and the next run (room again) makes the whole copy.
TEST_CASE("plain_file: a write that fails while decompressing leaves nothing in the cache") {
  test::TempDir dir("cache-full");
  ScopedEnv cache("RAMSIFT_CACHE", (dir.path() / "cache").string());
  const auto plain = fake_elf(3 << 20);
  std::string zst = write_zst(dir.path(), plain);
  fs::create_directories(dir.path() / "cache");
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // a failed write, not a killed process
  struct rlimit small = old;
  small.rlim_cur = 1 << 20;  // the copy stops at 1 MiB of 3
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto r = plain_file(zst);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE(!r);
  const std::string message = r.error().to_string();
  CHECK(message.find("short write") != std::string::npos);
  CHECK(message.find((dir.path() / "cache").string()) != std::string::npos);
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "cache")) left += e.is_regular_file();
  CHECK(left == 0);
  auto again = plain_file(zst);
  REQUIRE(again);
  CHECK(read_all(*again) == plain);
}

TEST_CASE("plain_file: without HOME the cache is a private folder of the user's") {
  test::TempDir dir("cache-nohome");
  ScopedEnv cache("RAMSIFT_CACHE", std::nullopt);
  ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", std::nullopt);
  ScopedEnv tmp("TMPDIR", dir.path().string());
  std::string zst = write_zst(dir.path(), fake_elf(5000));
  auto r = plain_file(zst);
  REQUIRE(r);
  fs::path folder = fs::path(*r).parent_path();
  struct stat st {};
  REQUIRE(::lstat(folder.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(st.st_uid == ::getuid());
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(folder.string().starts_with(dir.path().string()));
}

TEST_CASE("plain_file: a cache folder others can write to is not used") {
  test::TempDir dir("cache-shared");
  fs::path shared = dir.path() / "shared";
  fs::create_directories(shared);
  ::chmod(shared.c_str(), 0777);
  ScopedEnv cache("RAMSIFT_CACHE", shared.string());
  const auto plain = fake_elf(5000);
  std::string zst = write_zst(dir.path(), plain);
  auto r = plain_file(zst);
  REQUIRE(r);
  CHECK(read_all(*r) == plain);
  CHECK(fs::path(*r).parent_path() != shared);
  CHECK(fs::is_empty(shared));
}
