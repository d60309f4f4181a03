// dump_read [DUMP...]: read throughput of ramsift's dump readers.
//
// With no argument: writes 256 MiB of synthetic memory (half of every page
// zero, so every codec really compresses) as a kdump in each codec, and
// reports write and read MB/s and the file size. With DUMP arguments
// (files, a Qualcomm directory, or a comma-separated --split set): reads
// every page of each once, as a page_owner scan does, and reports MB/s.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"
#include "ramsift/dump/spec_memory.h"
#include "ramsift/dump/writer.h"

using namespace ramsift;
using Clock = std::chrono::steady_clock;

namespace {

// The spec pattern in the first half of each page, zeros in the second.
class HalfZero : public PhysicalMemory {
 public:
  explicit HalfZero(const SpecMemory& spec) : spec_(spec) {}
  std::span<const PhysRange> ranges() const override { return spec_.ranges(); }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    auto n = spec_.read(addr, out);
    if (!n) return n;
    for (size_t i = 0; i < *n; ++i)
      if ((addr.value() + i) % 4096 >= 2048) out[i] = std::byte{0};
    return n;
  }

 private:
  const SpecMemory& spec_;
};

struct Scan {
  uint64_t bytes = 0, unreadable = 0;
  double seconds = 0;
};

Scan scan(const Dump& dump) {
  Scan s;
  std::vector<std::byte> buf(4096);
  auto t0 = Clock::now();
  for (const PhysRange& r : dump.ranges())
    for (uint64_t a = r.start.value(); a + buf.size() <= r.end().value(); a += buf.size()) {
      if (dump.read_exact(PhysAddr{a}, buf))
        s.bytes += buf.size();
      else
        ++s.unreadable;
    }
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return s;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) {
      auto dump = open_dump(split_commas(argv[i]), OpenOptions{});
      if (!dump) {
        std::fprintf(stderr, "%s\n", dump.error().to_string().c_str());
        return 2;
      }
      Scan s = scan(**dump);
      std::printf("%-60s %8.1f MiB read, %8llu pages unreadable, %8.0f MB/s\n", argv[i], s.bytes / 1048576.0,
                  static_cast<unsigned long long>(s.unreadable), s.bytes / 1e6 / s.seconds);
    }
    return 0;
  }
  auto spec = SpecMemory::parse("range 0x0 0x10000000 seed 1\n");
  HalfZero memory(*spec);
  WriteSource source = spec->source();
  source.memory = &memory;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ramsift-bench-dump-read";
  std::filesystem::create_directories(dir);
  for (KdumpCodec codec : {KdumpCodec::None, KdumpCodec::Zlib, KdumpCodec::Lzo, KdumpCodec::Snappy, KdumpCodec::Zstd}) {
    auto t0 = Clock::now();
    auto files = write_kdump(source, (dir / "bench.kdump").string(), {.codec = codec});
    if (!files) {
      std::fprintf(stderr, "%s\n", files.error().to_string().c_str());
      return 2;
    }
    double write_s = std::chrono::duration<double>(Clock::now() - t0).count();
    OpenOptions options;
    options.cache_pages = 0;
    auto dump = open_dump(*files, options);
    if (!dump) return 2;
    Scan s = scan(**dump);
    std::printf("kdump %-7s write %7.0f MB/s  read %7.0f MB/s  file %4llu MiB for 256 MiB\n", kdump_codec_name(codec),
                268.435456 / write_s, s.bytes / 1e6 / s.seconds,
                static_cast<unsigned long long>(std::filesystem::file_size(files->front()) / 1048576));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
