// The symbol store (find_vmlinux) and zstd-compressed symbol files (plain_file).
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

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

fs::path cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "ramsift";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "ramsift";
  return fs::temp_directory_path() / "ramsift-cache";
}

Status decompress(const std::string& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return io_error("cannot open").in_file(from);
  fs::path tmp = to;
  tmp += ".tmp" + std::to_string(::getpid());
  std::ofstream out(tmp, std::ios::binary);
  if (!out) return io_error("cannot write " + tmp.string());
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
      if (ZSTD_isError(last)) {
        out.close();
        fs::remove(tmp);
        return corrupt(std::string("zstd: ") + ZSTD_getErrorName(last)).in_file(from).at_offset(consumed + input.pos);
      }
      out.write(outbuf.data(), static_cast<std::streamsize>(output.pos));
    }
    consumed += got;
  }
  out.close();
  if (last != 0) {
    fs::remove(tmp);
    return corrupt("zstd stream is truncated").in_file(from).at_offset(consumed);
  }
  std::error_code ec;
  fs::rename(tmp, to, ec);
  if (ec) return io_error("cannot rename " + tmp.string() + ": " + ec.message());
  return {};
}

}  // namespace

Result<std::string> plain_file(const std::string& path) {
  if (!path.ends_with(".zst")) return path;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return io_error(ec.message()).in_file(path);
  auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  fs::path abs = fs::absolute(path, ec);
  size_t key = std::hash<std::string>{}(abs.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime));
  fs::path dir = cache_dir();
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create cache directory " + dir.string() + ": " + ec.message());
  std::string stem = fs::path(path).filename().string();
  stem.resize(stem.size() - 4);
  char tag[20];
  std::snprintf(tag, sizeof tag, "%016zx", key);
  fs::path out = dir / (std::string(tag) + "-" + stem);
  if (fs::is_regular_file(out, ec)) return out.string();
  RAMSIFT_TRY_STATUS(decompress(path, out));
  return out.string();
}

}  // namespace ramsift
