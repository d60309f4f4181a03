// plain_file(): the decompressed copies of .zst symbol files (issue: a copy
// cut short was renamed into place and every later run failed; with HOME
// unset the cache was a shared, predictable /tmp path).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

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
