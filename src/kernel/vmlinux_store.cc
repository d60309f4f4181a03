// The symbol store (find_vmlinux) and zstd-compressed symbol files (plain_file).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

namespace fs = std::filesystem;

Result<std::string> find_vmlinux(std::span<const std::string> symbol_dirs, const std::optional<std::string>& build_id,
                                 const std::string& release) {
  std::vector<std::string> tried;
  std::vector<std::string> keys;
  if (build_id && !build_id->empty()) keys.push_back(*build_id);
  if (!release.empty()) keys.push_back(release);
  if (keys.empty())
    return not_found("no vmlinux given (--vmlinux) and the dump names neither a build ID nor a release to find one by");
  for (const std::string& dir : symbol_dirs)
    for (const std::string& key : keys)
      for (const char* name : {"vmlinux", "vmlinux.zst"}) {
        fs::path p = fs::path(dir) / key / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
        tried.push_back(p.string());
      }
  std::string list;
  for (const std::string& t : tried) list += "\n  " + t;
  return not_found("no vmlinux given (--vmlinux) and none in the symbol store; tried:" + list);
}

namespace {

// The cache directory: $RAMSIFT_CACHE (a folder; "off": no cache), else
// $XDG_CACHE_HOME/ramsift, else ~/.cache/ramsift, else (no HOME) a folder
// of this user's own under the temporary directory. Each is created 0700
// and used only when it is a directory owned by this user that nobody else
// can write to; otherwise (or "off") nothing is kept: std::nullopt.
std::optional<fs::path> cache_dir(std::string& why_not) {
  fs::path dir;
  if (const char* env = std::getenv("RAMSIFT_CACHE"); env && *env) {
    if (std::string_view(env) == "off") {
      why_not = "RAMSIFT_CACHE=off";
      return std::nullopt;
    }
    dir = env;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    dir = fs::path(xdg) / "ramsift";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".cache" / "ramsift";
  } else {
    dir = fs::temp_directory_path() / ("ramsift-cache-" + std::to_string(::getuid()));
  }
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    why_not = "cannot create " + dir.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH))) {
    why_not = dir.string() + " is not a directory of this user's that only it can write to";
    return std::nullopt;
  }
  return dir;
}

// The size the zstd frames say they hold (the zstd tool writes it), or
// nullopt when a frame does not say.
std::optional<uint64_t> content_size(const std::string& from) {
  std::ifstream in(from, std::ios::binary);
  char head[18] = {};  // ZSTD_FRAMEHEADERSIZE_MAX (a static-linking-only macro)
  in.read(head, sizeof head);
  unsigned long long n = ZSTD_getFrameContentSize(head, static_cast<size_t>(in.gcount()));
  if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  return n;
}

// A decompressed copy is whole: the size its frame announced (when it did)
// and an ELF header (every file the store holds is ELF: vmlinux, .ko).
bool looks_whole(const fs::path& file, std::optional<uint64_t> want_size) {
  std::error_code ec;
  uint64_t size = fs::file_size(file, ec);
  if (ec || size < 64 || (want_size && size != *want_size)) return false;
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic,
                                         "\x7f"
                                         "ELF",
                                         4) == 0;
}

Status decompress(const std::string& from, const fs::path& to, std::optional<uint64_t> want_size) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return io_error("cannot open").in_file(from);
  fs::path tmp = to;
  tmp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(std::string("cannot write: ") + std::strerror(errno)).in_file(tmp.string());
  auto fail = [&](Error e) -> Status {
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::vector<char> inbuf(ZSTD_DStreamInSize()), outbuf(ZSTD_DStreamOutSize());
  size_t last = 0;
  uint64_t consumed = 0;
  while (in) {
    in.read(inbuf.data(), static_cast<std::streamsize>(inbuf.size()));
    size_t got = static_cast<size_t>(in.gcount());
    if (!got) break;
    ZSTD_inBuffer input{inbuf.data(), got, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{outbuf.data(), outbuf.size(), 0};
      last = ZSTD_decompressStream(ctx.get(), &output, &input);
      if (ZSTD_isError(last))
        return fail(
            corrupt(std::string("zstd: ") + ZSTD_getErrorName(last)).in_file(from).at_offset(consumed + input.pos));
      for (size_t done = 0; done < output.pos;) {
        ssize_t n = ::write(fd, outbuf.data() + done, output.pos - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
          return fail(io_error(std::string("short write (") + (n < 0 ? std::strerror(errno) : "no space?") +
                               "): the decompressed copy is left out")
                          .in_file(tmp.string()));
        done += static_cast<size_t>(n);
      }
    }
    consumed += got;
  }
  if (last != 0) return fail(corrupt("zstd stream is truncated").in_file(from).at_offset(consumed));
  if (::fsync(fd) != 0) return fail(io_error(std::string("fsync: ") + std::strerror(errno)).in_file(tmp.string()));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return io_error(std::string("close: ") + std::strerror(errno)).in_file(tmp.string());
  }
  if (!looks_whole(tmp, want_size)) {
    ::unlink(tmp.c_str());
    return corrupt("decompressed copy is not a whole ELF file (size or header)").in_file(from);
  }
  std::error_code ec;
  fs::rename(tmp, to, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return io_error("cannot rename " + tmp.string() + ": " + ec.message());
  }
  return {};
}

// Without a cache: copies in a private folder of this process's, removed at exit.
struct PrivateCopies {
  fs::path dir;
  ~PrivateCopies() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

}  // namespace

Result<std::string> plain_file(const std::string& path) {
  if (!path.ends_with(".zst")) return path;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return io_error(ec.message()).in_file(path);
  auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  fs::path abs = fs::absolute(path, ec);
  size_t key = std::hash<std::string>{}(abs.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime));
  std::string stem = fs::path(path).filename().string();
  stem.resize(stem.size() - 4);
  char tag[20];
  std::snprintf(tag, sizeof tag, "%016zx", key);
  const std::optional<uint64_t> want = content_size(path);
  std::string why_not;
  std::optional<fs::path> dir = cache_dir(why_not);
  if (!dir) {
    static PrivateCopies copies;
    if (copies.dir.empty()) {
      std::string templ = (fs::temp_directory_path() / "ramsift-XXXXXX").string();
      if (!::mkdtemp(templ.data())) return io_error("no cache (" + why_not + ") and no private temporary folder");
      copies.dir = templ;
    }
    dir = copies.dir;
  }
  fs::path out = *dir / (std::string(tag) + "-" + stem);
  if (fs::is_regular_file(out, ec)) {
    if (looks_whole(out, want)) return out.string();
    fs::remove(out, ec);  // a copy cut short (disk full, a kill before this check existed): made again
  }
  RAMSIFT_TRY_STATUS(decompress(path, out, want));
  return out.string();
}

}  // namespace ramsift
