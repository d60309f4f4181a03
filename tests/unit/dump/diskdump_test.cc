// kdump-compressed (diskdump) reader and writer: round trips of the
// synthetic specs through every codec, header version, flattened and split
// layout; libkdumpfile as an independent reader of what we write; and one
// named case per kind of bad input.
#include "dump/diskdump.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dump/flattened.h"
#include "ramsift/dump/dump.h"
#include "ramsift/dump/spec_memory.h"
#include "ramsift/dump/writer.h"
#include "support/test_files.h"

using namespace ramsift;
namespace dd = ramsift::dump_formats::diskdump;
using ramsift::dump_formats::DiskdumpInput;
using ramsift::dump_formats::LogicalFile;
namespace fs = std::filesystem;

namespace {

using test::load_spec;
using test::read_file;
using test::write_file;

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("kdump") {}
};

// The spec's memory with the upper half of every page zeroed: every page
// compresses, so the codecs' page paths are exercised (the spec pattern
// alone does not compress and is stored raw, as makedumpfile would).
class HalfZeroMemory : public PhysicalMemory {
 public:
  explicit HalfZeroMemory(const SpecMemory& spec) : spec_(spec) {}
  std::span<const PhysRange> ranges() const override { return spec_.ranges(); }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    auto n = spec_.read(addr, out);
    if (!n) return n;
    for (size_t i = 0; i < *n; ++i)
      if ((addr.value() + i) % spec_.page_size() >= spec_.page_size() / 2) out[i] = std::byte{0};
    return n;
  }

 private:
  const SpecMemory& spec_;
};

uint32_t le32(std::span<const std::byte> b, uint64_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
uint64_t le64(std::span<const std::byte> b, uint64_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}
void set32(std::vector<std::byte>& b, uint64_t at, uint32_t v) {
  std::memcpy(b.data() + at, &v, 4);
}
void set64(std::vector<std::byte>& b, uint64_t at, uint64_t v) {
  std::memcpy(b.data() + at, &v, 8);
}

struct Layout {
  uint64_t block_size, sub_header, bitmap, descriptors;
};
Layout layout_of(std::span<const std::byte> file) {
  uint64_t bs = le32(file, dd::kOffBlockSize);
  uint64_t sub = le32(file, dd::kOffSubHdrSize);
  uint64_t bitmap_blocks = le32(file, dd::kOffBitmapBlocks);
  return {bs, bs, (1 + sub) * bs, (1 + sub + bitmap_blocks) * bs};
}

Result<std::unique_ptr<Dump>> open_paths(std::vector<std::string> paths, OpenOptions options = {}) {
  return open_dump(paths, options);
}

std::unique_ptr<Dump> must_open(std::vector<std::string> paths, OpenOptions options = {}) {
  auto dump = open_paths(paths, options);
  if (!dump) FAIL_CHECK(dump.error().to_string());
  REQUIRE(dump);
  return std::move(*dump);
}

std::unique_ptr<Dump> must_open_bytes(std::span<const std::byte> bytes, const std::string& name = "mem.kdump") {
  auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{name, bytes}}, {});
  if (!dump) FAIL_CHECK(dump.error().to_string());
  REQUIRE(dump);
  return std::move(*dump);
}

// Every page of `want` reads back equal; excluded pages are NoData.
void check_same_memory(const SpecMemory& spec, const PhysicalMemory& want, const PhysicalMemory& dump) {
  const uint64_t page = spec.page_size();
  std::vector<std::byte> expected(page), got(page);
  for (const PhysRange& r : spec.ranges()) {
    for (uint64_t a = r.start.value(); a < r.end().value(); a += page) {
      auto n = dump.read(PhysAddr{a}, got);
      if (spec.excluded(PhysAddr{a})) {
        REQUIRE_FALSE(n);
        REQUIRE(n.error().code() == ErrorCode::NoData);
        continue;
      }
      if (!n) FAIL(std::string(hex(a) + ": " + n.error().to_string()));
      REQUIRE(*n == page);
      REQUIRE(want.read_exact(PhysAddr{a}, expected));
      if (got != expected) FAIL(std::string("page " + hex(a) + " differs"));
    }
  }
  // Unaligned reads across page boundaries inside a run of dumped pages.
  std::vector<std::byte> span3(3 * page - 100), want3(3 * page - 100);
  PhysAddr a = spec.ranges().back().start + 50;
  if (spec.ranges().back().size >= 3 * page && want.read_exact(a, want3)) {
    REQUIRE(dump.read_exact(a, span3));
    CHECK(span3 == want3);
  }
  // Outside every range: Fault.
  std::byte b[8];
  auto outside = dump.read(spec.ranges().back().end() + 0x100000, b);
  REQUIRE_FALSE(outside);
  CHECK(outside.error().code() == ErrorCode::Fault);
}

void check_info(const SpecMemory& spec, const Dump& dump, const KdumpWriteOptions& o) {
  const DumpInfo& info = dump.info();
  CHECK(info.format == "kdump-compressed");
  CHECK(info.page_size == spec.page_size());
  CHECK(info.arch == spec.arch());
  CHECK(info.excluded_pages == spec.excluded_pages());
  CHECK(info.flattened == o.flattened);
  CHECK(info.split_parts == (o.split_parts > 1 ? o.split_parts : 0));
  CHECK(info.prstatus_count == (o.header_version >= 4 ? o.prstatus_notes : 0));
  if (o.header_version >= 3 && spec.vmcoreinfo()) {
    REQUIRE(info.vmcoreinfo);
    CHECK(*info.vmcoreinfo == *spec.vmcoreinfo());
  } else {
    CHECK_FALSE(info.vmcoreinfo);
  }
  CHECK(std::vector<PhysRange>(dump.ranges().begin(), dump.ranges().end()) ==
        std::vector<PhysRange>(spec.ranges().begin(), spec.ranges().end()));
  CHECK(dump.problems().empty());
}

std::string describe(const std::string& spec, const KdumpWriteOptions& o) {
  return spec + " " + kdump_codec_name(o.codec) + " v" + std::to_string(o.header_version) +
         (o.flattened ? " flat" : "") + (o.split_parts > 1 ? " split" + std::to_string(o.split_parts) : "") +
         (o.share_zero_pages ? "" : " no-zero-share");
}

void round_trip_matrix(KdumpCodec codec) {
  TempDir dir;
  for (const char* spec_name : {"basic.spec", "arm64.spec"}) {
    SpecMemory spec = load_spec(spec_name);
    HalfZeroMemory half(spec);
    for (const PhysicalMemory* memory :
         {static_cast<const PhysicalMemory*>(&spec), static_cast<const PhysicalMemory*>(&half)}) {
      WriteSource source = spec.source();
      source.memory = memory;
      for (int version = 1; version <= 6; ++version)
        for (bool flat : {false, true})
          for (unsigned split : {1u, 3u}) {
            if (split > 1 && version < 2) continue;  // no split fields before v2
            KdumpWriteOptions o{.codec = codec, .header_version = version, .flattened = flat, .split_parts = split};
            CAPTURE(describe(spec_name, o));
            auto files = write_kdump(source, dir.file("dump"), o);
            if (!files) FAIL(files.error().to_string());
            REQUIRE(files->size() == split);
            // Parts in any order.
            std::reverse(files->begin(), files->end());
            auto dump = must_open(*files);
            check_info(spec, *dump, o);
            check_same_memory(spec, *memory, *dump);
          }
    }
  }
}

// ---- libkdumpfile ----

struct Run {
  int status = -1;
  std::string out;
};
Run run(const std::string& command) {
  Run r;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

#ifdef RAMSIFT_KDUMPFILE_READ
void check_with_libkdumpfile(const SpecMemory& spec, const PhysicalMemory& memory,
                             const std::vector<std::string>& files) {
  std::string list;
  for (const std::string& f : files) list += "'" + f + "' ";
  const uint64_t page = spec.page_size();
  std::vector<uint64_t> samples;
  for (const PhysRange& r : spec.ranges()) {
    uint64_t pages = r.size / page;
    for (uint64_t i : {uint64_t{0}, uint64_t{1}, pages / 3, pages / 2, pages - 1})
      samples.push_back(r.start.value() + i * page);
  }
  for (const PhysRange& r : spec.ranges())
    for (uint64_t a = r.start.value(); a < r.end().value(); a += page)
      if (spec.excluded(PhysAddr{a})) samples.push_back(a);
  std::vector<std::byte> want(page);
  for (uint64_t a : samples) {
    CAPTURE(hex(a));
    Run r =
        run(std::string(RAMSIFT_KDUMPFILE_READ) + " " + list + "-- " + hex(a) + " " + std::to_string(page) + " 2>&1");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    if (spec.excluded(PhysAddr{a})) {
      CHECK(r.out == "NODATA\n");
      continue;
    }
    REQUIRE(memory.read_exact(PhysAddr{a}, want));
    REQUIRE(r.out.size() == page);
    CHECK(std::memcmp(r.out.data(), want.data(), page) == 0);
  }
}
#endif

}  // namespace

TEST_CASE("kdump round trip: no compression, every version, flattened and split") {
  round_trip_matrix(KdumpCodec::None);
}
TEST_CASE("kdump round trip: zlib, every version, flattened and split") {
  round_trip_matrix(KdumpCodec::Zlib);
}
TEST_CASE("kdump round trip: lzo, every version, flattened and split") {
  round_trip_matrix(KdumpCodec::Lzo);
}
TEST_CASE("kdump round trip: snappy, every version, flattened and split") {
  round_trip_matrix(KdumpCodec::Snappy);
}
TEST_CASE("kdump round trip: zstd, every version, flattened and split") {
  round_trip_matrix(KdumpCodec::Zstd);
}

TEST_CASE("kdump round trip: zero pages stored once, or each compressed") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  for (bool share : {true, false}) {
    KdumpWriteOptions o{.codec = KdumpCodec::Zstd, .share_zero_pages = share};
    auto files = write_kdump(spec.source(), dir.file("z"), o);
    REQUIRE(files);
    auto dump = must_open(*files);
    check_same_memory(spec, spec, *dump);
  }
}

TEST_CASE("kdump round trip: pages rejected by WriteSource::include are excluded") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  WriteSource source = spec.source();
  source.include = [](uint64_t pfn) { return pfn % 2 == 0; };
  auto files = write_kdump(source, dir.file("inc"), {.codec = KdumpCodec::Lzo});
  REQUIRE(files);
  auto dump = must_open(*files);
  std::vector<std::byte> got(4096);
  auto odd = dump->read(PhysAddr{0x101000}, got);
  REQUIRE_FALSE(odd);
  CHECK(odd.error().code() == ErrorCode::NoData);
  CHECK(dump->read(PhysAddr{0x102000}, got));
  CHECK(dump->info().excluded_pages > spec.excluded_pages());
}

#ifdef RAMSIFT_KDUMPFILE_READ
TEST_CASE("kdump files read identically by libkdumpfile 0.5.1, every codec") {
  TempDir dir;
  for (const char* spec_name : {"basic.spec", "arm64.spec"}) {
    SpecMemory spec = load_spec(spec_name);
    HalfZeroMemory half(spec);
    WriteSource source = spec.source();
    source.memory = &half;
    for (KdumpCodec codec :
         {KdumpCodec::None, KdumpCodec::Zlib, KdumpCodec::Lzo, KdumpCodec::Snappy, KdumpCodec::Zstd}) {
      KdumpWriteOptions o{.codec = codec};
      CAPTURE(describe(spec_name, o));
      auto files = write_kdump(source, dir.file("lk"), o);
      REQUIRE(files);
      check_with_libkdumpfile(spec, half, *files);
    }
  }
}

TEST_CASE("kdump files read identically by libkdumpfile 0.5.1, older header versions") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  HalfZeroMemory half(spec);
  WriteSource source = spec.source();
  source.memory = &half;
  for (int version = 1; version <= 5; ++version) {
    KdumpWriteOptions o{.codec = KdumpCodec::Zlib, .header_version = version};
    CAPTURE(describe("basic.spec", o));
    auto files = write_kdump(source, dir.file("lkv"), o);
    REQUIRE(files);
    check_with_libkdumpfile(spec, half, *files);
  }
}

TEST_CASE("kdump --split sets read identically by libkdumpfile 0.5.1 (kdump_open_fdset)") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  HalfZeroMemory half(spec);
  WriteSource source = spec.source();
  source.memory = &half;
  for (int version : {2, 6}) {
    KdumpWriteOptions o{.codec = KdumpCodec::Snappy, .header_version = version, .split_parts = 3};
    CAPTURE(describe("basic.spec", o));
    auto files = write_kdump(source, dir.file("lks"), o);
    REQUIRE(files);
    std::swap((*files)[0], (*files)[2]);
    check_with_libkdumpfile(spec, half, *files);
  }
}
#endif

TEST_CASE("kdump reads from several threads at once through a small cache") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  HalfZeroMemory half(spec);
  WriteSource source = spec.source();
  source.memory = &half;
  auto files = write_kdump(source, dir.file("mt"), {.codec = KdumpCodec::Zstd, .flattened = true});
  REQUIRE(files);
  OpenOptions options;
  options.cache_pages = 8;
  auto dump = must_open(*files, options);
  std::vector<uint64_t> pages;
  for (const PhysRange& r : spec.ranges())
    for (uint64_t a = r.start.value(); a < r.end().value(); a += 4096)
      if (!spec.excluded(PhysAddr{a})) pages.push_back(a);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::vector<std::byte> got(1000), want(1000);
      for (int i = 0; i < 3000; ++i) {
        uint64_t a = pages[rng() % pages.size()] + rng() % 3000;
        auto n = dump->read(PhysAddr{a}, got);
        if (!n || !half.read_exact(PhysAddr{a}, std::span(want).first(*n)) ||
            std::memcmp(got.data(), want.data(), *n) != 0)
          ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(mismatches == 0);
}

// ---- bad input ----

namespace {

// A small zstd dump of basic.spec whose pages compress, as bytes.
std::vector<std::byte> sample_dump(const TempDir& dir, KdumpWriteOptions o = {.codec = KdumpCodec::Zstd}) {
  static SpecMemory spec = load_spec("basic.spec");
  static HalfZeroMemory half(spec);
  WriteSource source = spec.source();
  source.memory = &half;
  auto files = write_kdump(source, dir.file("sample"), o);
  REQUIRE(files);
  return read_file(files->front());
}

void check_names_file_and_offset(const Error& e, const std::string& file, uint64_t offset) {
  CHECK(e.file() == file);
  REQUIRE(e.offset());
  CHECK(*e.offset() == offset);
  CHECK(e.to_string().find(file) != std::string::npos);
}

}  // namespace

TEST_CASE("kdump bad input: wrong magic") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  bytes[5] = std::byte{'X'};
  auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{"bad.kdump", bytes}}, {});
  REQUIRE_FALSE(dump);
  CHECK(dump.error().code() == ErrorCode::Corrupt);
  check_names_file_and_offset(dump.error(), "bad.kdump", 0);
  CHECK(dump.error().message().find("KDUMP") != std::string::npos);
  // Through open_dump the file is of no known format at all.
  write_file(dir.file("bad.kdump"), bytes);
  auto opened = open_paths({dir.file("bad.kdump")});
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == ErrorCode::BadInput);
}

TEST_CASE("kdump bad input: truncated in the header") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  for (size_t cut : {size_t{4}, size_t{100}, size_t{dd::kOffBlockSize + 2}, size_t{dd::kHeaderSize - 1}}) {
    CAPTURE(cut);
    auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{"t.kdump", std::span(bytes).first(cut)}}, {});
    REQUIRE_FALSE(dump);
    CHECK(dump.error().code() == ErrorCode::Corrupt);
    CHECK(dump.error().file() == "t.kdump");
    CHECK(dump.error().offset());
  }
}

TEST_CASE("kdump bad input: truncated in the sub-header") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  auto dump =
      dump_formats::diskdump_open_bytes({DiskdumpInput{"t.kdump", std::span(bytes).first(l.sub_header + 50)}}, {});
  REQUIRE_FALSE(dump);
  CHECK(dump.error().code() == ErrorCode::Corrupt);
  check_names_file_and_offset(dump.error(), "t.kdump", l.sub_header);
  CHECK(dump.error().message().find("truncated") != std::string::npos);
}

TEST_CASE("kdump bad input: truncated in the bitmaps") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  for (uint64_t cut : {l.bitmap, l.bitmap + 10, l.bitmap + (l.descriptors - l.bitmap) / 2 + 100}) {
    CAPTURE(cut);
    auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{"t.kdump", std::span(bytes).first(cut)}}, {});
    REQUIRE_FALSE(dump);
    CHECK(dump.error().code() == ErrorCode::Corrupt);
    CHECK(dump.error().file() == "t.kdump");
    REQUIRE(dump.error().offset());
    CHECK(*dump.error().offset() >= l.bitmap);
  }
}

TEST_CASE("kdump bad input: truncated in the page descriptors opens with a problem") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  uint64_t cut = l.descriptors + 10 * dd::kPageDescSize + 7;
  auto dump = must_open_bytes(std::span(bytes).first(cut), "t.kdump");
  REQUIRE(dump->problems().size() == 1);
  CHECK(dump->problems()[0].file() == "t.kdump");
  CHECK(dump->problems()[0].message().find("page descriptors") != std::string::npos);
  // No page reads as zeros: each is an error now (its data is cut off too).
  std::vector<std::byte> got(4096);
  auto first = dump->read(PhysAddr{0}, got);
  REQUIRE_FALSE(first);
  CHECK(first.error().code() == ErrorCode::Corrupt);
  auto late = dump->read(PhysAddr{0x80000000}, got);
  REQUIRE_FALSE(late);
  CHECK(late.error().code() == ErrorCode::Corrupt);
  CHECK(late.error().message().find("past the end of the file") != std::string::npos);
}

TEST_CASE("kdump bad input: truncated in the page data keeps the early pages") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  HalfZeroMemory half(spec);
  auto bytes = sample_dump(dir);
  auto dump = must_open_bytes(std::span(bytes).first(bytes.size() * 2 / 3), "t.kdump");
  REQUIRE(dump->problems().size() == 1);
  CHECK(dump->problems()[0].message().find("truncated") != std::string::npos);
  std::vector<std::byte> got(4096), want(4096);
  REQUIRE(dump->read_exact(PhysAddr{0x1000}, got));
  REQUIRE(half.read_exact(PhysAddr{0x1000}, want));
  CHECK(got == want);
  auto last = dump->read(PhysAddr{0x800ff000}, got);
  REQUIRE_FALSE(last);
  CHECK(last.error().code() == ErrorCode::Corrupt);
  CHECK(last.error().message().find("points past end of file") != std::string::npos);
  CHECK(last.error().file() == "t.kdump");
  // Through the CLI: exit 1, the problem printed.
  write_file(dir.file("t.kdump"), std::span(bytes).first(bytes.size() * 2 / 3));
  Run r = run(std::string(RAMSIFT_BINARY) + " info --no-kernel '" + dir.file("t.kdump") + "' 2>&1");
  CHECK(r.status == 1);
  CHECK(r.out.find("truncated") != std::string::npos);
}

TEST_CASE("kdump bad input: descriptor points past end of file") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  set64(bytes, l.descriptors, bytes.size() - 10);  // pfn 0's descriptor
  auto dump = must_open_bytes(bytes, "p.kdump");
  std::vector<std::byte> got(4096);
  auto r = dump->read(PhysAddr{0}, got);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::Corrupt);
  CHECK(r.error().message().find("descriptor for pfn 0x0 points past end of file") != std::string::npos);
  check_names_file_and_offset(r.error(), "p.kdump", l.descriptors);
  CHECK(dump->read(PhysAddr{0x1000}, got));  // the next page is fine
}

TEST_CASE("kdump bad input: a flipped offset in the last descriptor is damage, not truncation") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  // The last descriptor: the table ends where the lowest page data starts.
  uint64_t data_start = UINT64_MAX, pos = l.descriptors;
  while (pos + 24 <= data_start) {
    data_start = std::min(data_start, le64(bytes, pos));
    pos += 24;
  }
  const uint64_t last = pos - 24;
  REQUIRE(last > l.descriptors);
  set64(bytes, last, le64(bytes, last) ^ (uint64_t{1} << 40));
  auto dump = must_open_bytes(bytes, "f.kdump");
  REQUIRE(dump->problems().size() == 1);
  const Error& e = dump->problems()[0];
  CHECK(e.message().find("a damaged descriptor, not a truncated file") != std::string::npos);
  CHECK(e.message().find("truncated)") == std::string::npos);
  check_names_file_and_offset(e, "f.kdump", last);
}

namespace {

// pfn 0's page in a sample dump: its descriptor, where its zstd frame starts and how long it is.
struct FirstPage {
  uint64_t descriptor, data;
  uint32_t size;
};
FirstPage first_zstd_page(const std::vector<std::byte>& bytes) {
  Layout l = layout_of(bytes);
  REQUIRE(le32(bytes, l.descriptors + 12) == dd::kCompressedZstd);
  return {l.descriptors, le64(bytes, l.descriptors), le32(bytes, l.descriptors + 8)};
}

}  // namespace

TEST_CASE("kdump bad input: decompressed length is not the page size") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  auto [descriptor, data, size] = first_zstd_page(bytes);
  std::vector<std::byte> short_page(3000, std::byte{7}), frame(ZSTD_compressBound(3000));
  size_t n = ZSTD_compress(frame.data(), frame.size(), short_page.data(), short_page.size(), 1);
  REQUIRE_FALSE(ZSTD_isError(n));
  REQUIRE(n <= size);
  std::memcpy(bytes.data() + data, frame.data(), n);
  set32(bytes, descriptor + 8, static_cast<uint32_t>(n));
  auto dump = must_open_bytes(bytes, "z.kdump");
  std::vector<std::byte> got(64);
  auto r = dump->read(PhysAddr{0}, got);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::Corrupt);
  CHECK(r.error().message() == "zstd: decompressed 3000 bytes, expected 4096");
  check_names_file_and_offset(r.error(), "z.kdump", data);
}

TEST_CASE("kdump: zstd pages carry checksums, one flipped byte is a Corrupt page naming its offset") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  auto [descriptor, data, size] = first_zstd_page(bytes);
  (void)descriptor;
  // The frame header says it has a checksum (Frame_Header_Descriptor bit 2).
  REQUIRE(size > 5);
  CHECK((std::to_integer<unsigned>(bytes[data + 4]) & 0x04) != 0);
  auto clean = must_open_bytes(bytes, "z.kdump");
  std::vector<std::byte> want(4096);
  REQUIRE(clean->read(PhysAddr{0}, want));
  // Flip every byte of the frame's body in turn (past the header, before
  // the checksum): each is an error or the same bytes, never other bytes.
  size_t silent = 0, caught = 0;
  for (uint64_t at = data + 6; at + 4 < data + size; ++at) {
    auto copy = bytes;
    copy[at] ^= std::byte{0x20};
    auto dump = must_open_bytes(copy, "z.kdump");
    std::vector<std::byte> got(4096);
    auto r = dump->read(PhysAddr{0}, got);
    if (!r) {
      ++caught;
      CHECK(r.error().code() == ErrorCode::Corrupt);
      check_names_file_and_offset(r.error(), "z.kdump", data);
    } else if (got != want) {
      ++silent;
    }
  }
  CHECK(caught > 0);
  CHECK(silent == 0);
}

TEST_CASE("kdump bad input: corrupt compressed data") {
  TempDir dir;
  for (KdumpCodec codec : {KdumpCodec::Zlib, KdumpCodec::Lzo, KdumpCodec::Snappy, KdumpCodec::Zstd}) {
    CAPTURE(kdump_codec_name(codec));
    auto bytes = sample_dump(dir, {.codec = codec});
    Layout l = layout_of(bytes);
    uint64_t data = le64(bytes, l.descriptors);
    uint32_t size = le32(bytes, l.descriptors + 8);
    for (uint32_t i = 0; i < size; ++i) bytes[data + i] = std::byte(0xA5 ^ i);
    auto dump = must_open_bytes(bytes, "c.kdump");
    std::vector<std::byte> got(64);
    auto r = dump->read(PhysAddr{0}, got);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::Corrupt);
    CHECK(r.error().message().starts_with(kdump_codec_name(codec)));
  }
}

TEST_CASE("kdump bad input: unknown compression flag") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  Layout l = layout_of(bytes);
  set32(bytes, l.descriptors + 12, 0x40);
  auto dump = must_open_bytes(bytes, "f.kdump");
  std::vector<std::byte> got(64);
  auto r = dump->read(PhysAddr{0}, got);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::Corrupt);
  CHECK(r.error().message().find("unknown compression flags 0x40") != std::string::npos);
  check_names_file_and_offset(r.error(), "f.kdump", l.descriptors);
}

TEST_CASE("kdump bad input: one part of a split set missing") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  auto files = write_kdump(spec.source(), dir.file("s"), {.codec = KdumpCodec::Zlib, .split_parts = 3});
  REQUIRE(files);
  auto dump = must_open({(*files)[2], (*files)[0]});
  REQUIRE(dump->problems().size() == 1);
  CHECK(dump->problems()[0].message().find("a part of the --split set is missing") != std::string::npos);
  CHECK(dump->info().split_parts == 3);
  // Pages of the given parts read; those of the missing one are NoData.
  auto part2 = must_open({(*files)[1]});
  uint64_t covered = 0, missing = 0;
  std::vector<std::byte> got(4096), want(4096);
  for (const PhysRange& r : spec.ranges())
    for (uint64_t a = r.start.value(); a < r.end().value(); a += 4096) {
      if (spec.excluded(PhysAddr{a})) continue;
      auto n = dump->read(PhysAddr{a}, got);
      if (n) {
        REQUIRE(spec.read_exact(PhysAddr{a}, want));
        CHECK(got == want);
        ++covered;
      } else {
        CHECK(n.error().code() == ErrorCode::NoData);
        CHECK(part2->read(PhysAddr{a}, got));  // it is the missing part's page
        ++missing;
      }
    }
  CHECK(covered > 0);
  CHECK(missing > 0);
  Run r = run(std::string(RAMSIFT_BINARY) + " info --no-kernel '" + (*files)[0] + "' '" + (*files)[2] + "' 2>&1");
  CHECK(r.status == 1);
  CHECK(r.out.find("missing") != std::string::npos);
}

TEST_CASE("kdump bad input: parts of different dumps, or one part twice") {
  TempDir dir;
  SpecMemory basic = load_spec("basic.spec");
  SpecMemory arm = load_spec("arm64.spec");
  auto a = write_kdump(basic.source(), dir.file("a"), {.split_parts = 2});
  auto b = write_kdump(arm.source(), dir.file("b"), {.split_parts = 2});
  REQUIRE(a);
  REQUIRE(b);
  auto mixed = open_paths({(*a)[0], (*b)[1]});
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().code() == ErrorCode::BadInput);
  CHECK(mixed.error().message().find("not a part of the same dump") != std::string::npos);
  auto twice = open_paths({(*a)[0], (*a)[0]});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code() == ErrorCode::BadInput);
  auto whole = write_kdump(basic.source(), dir.file("w"), {});
  REQUIRE(whole);
  auto not_split = open_paths({(*whole)[0], (*a)[1]});
  REQUIRE_FALSE(not_split);
  CHECK(not_split.error().code() == ErrorCode::BadInput);
  Run r = run(std::string(RAMSIFT_BINARY) + " info --no-kernel '" + (*a)[0] + "' '" + (*b)[1] + "' 2>&1");
  CHECK(r.status == 2);
}

TEST_CASE("kdump bad input: zero-length file") {
  TempDir dir;
  write_file(dir.file("empty"), {});
  auto dump = open_paths({dir.file("empty")});
  REQUIRE_FALSE(dump);
  CHECK(dump.error().code() == ErrorCode::BadInput);
  CHECK(dump.error().file() == dir.file("empty"));
  auto bytes = dump_formats::diskdump_open_bytes({DiskdumpInput{"empty", {}}}, {});
  REQUIRE_FALSE(bytes);
  CHECK(bytes.error().code() == ErrorCode::Corrupt);
}

TEST_CASE("kdump bad input: garbage in flattened headers") {
  TempDir dir;
  auto flat = sample_dump(dir, {.codec = KdumpCodec::Zstd, .flattened = true});
  auto open_flat = [](std::span<const std::byte> bytes) {
    return dump_formats::diskdump_open_bytes({DiskdumpInput{"f.flat", bytes}}, {});
  };
  SUBCASE("header shorter than 4096 bytes") {
    auto r = open_flat(std::span(flat).first(2000));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::Corrupt);
    check_names_file_and_offset(r.error(), "f.flat", 0);
  }
  SUBCASE("signature continues past \"makedumpfile\"") {
    auto bad = flat;
    bad[12] = std::byte{'X'};
    auto r = open_flat(bad);
    REQUIRE_FALSE(r);
    check_names_file_and_offset(r.error(), "f.flat", 0);
  }
  SUBCASE("wrong type") {
    auto bad = flat;
    bad[23] = std::byte{7};
    auto r = open_flat(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("type 7") != std::string::npos);
    check_names_file_and_offset(r.error(), "f.flat", 16);
  }
  SUBCASE("negative block size") {
    auto bad = flat;
    bad[4096 + 8] = std::byte{0x80};
    auto r = open_flat(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::Corrupt);
    check_names_file_and_offset(r.error(), "f.flat", 4096);
  }
  SUBCASE("block offset + size overflows") {
    auto bad = flat;
    for (int i = 0; i < 8; ++i) bad[4096 + i] = std::byte(i == 0 ? 0x7f : 0xff);
    auto r = open_flat(bad);
    REQUIRE_FALSE(r);
    check_names_file_and_offset(r.error(), "f.flat", 4096);
  }
  SUBCASE("no end marker: a problem, what is there is usable") {
    auto r = open_flat(std::span(flat).first(flat.size() - 16));
    REQUIRE(r);
    REQUIRE_FALSE((*r)->problems().empty());
    CHECK((*r)->problems()[0].message().find("end marker") != std::string::npos);
    std::vector<std::byte> got(4096);
    CHECK((*r)->read(PhysAddr{0x1000}, got));
  }
  SUBCASE("stream cut inside page data: pages missing are errors, not zeros") {
    auto r = open_flat(std::span(flat).first(flat.size() / 2));
    REQUIRE(r);
    REQUIRE_FALSE((*r)->problems().empty());
    std::vector<std::byte> got(4096);
    size_t errors = 0;
    for (const PhysRange& range : (*r)->ranges())
      for (uint64_t a = range.start.value(); a < range.end().value(); a += 4096) {
        auto n = (*r)->read(PhysAddr{a}, got);
        if (!n && n.error().code() != ErrorCode::NoData) ++errors;
      }
    CHECK(errors > 0);
  }
}

TEST_CASE("flattened stream: later blocks override earlier ones, holes are not data") {
  auto be64 = [](std::vector<std::byte>& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(std::byte(v >> (56 - 8 * i)));
  };
  std::vector<std::byte> s(4096);
  std::memcpy(s.data(), "makedumpfile", 12);
  s[23] = std::byte{1};
  s[31] = std::byte{1};
  auto block = [&](uint64_t offset, std::string text) {
    be64(s, offset);
    be64(s, text.size());
    for (char c : text) s.push_back(std::byte(c));
  };
  block(0, "aaaaaaaaaa");          // [0, 10)
  block(20, "bbbbb");              // [20, 25)
  block(5, "CCCCCCCCCCCCCCCCCC");  // [5, 23) over both
  be64(s, ~uint64_t{0});
  be64(s, ~uint64_t{0});
  auto f = LogicalFile::open(s, "t.flat");
  REQUIRE(f);
  CHECK(f->flattened());
  CHECK(f->size() == 25);
  std::vector<std::byte> got(25);
  REQUIRE(f->copy(0, got, LogicalFile::Holes::Error));
  std::string text(reinterpret_cast<const char*>(got.data()), got.size());
  CHECK(text == "aaaaaCCCCCCCCCCCCCCCCCCbb");
  CHECK_FALSE(f->problem());
  // A hole: [10, 20) before the override filled it; now a gap at none.
  std::vector<std::byte> s2(s.begin(), s.begin() + 4096);
  s = s2;
  block(0, "xx");
  block(8, "yy");
  be64(s, ~uint64_t{0});
  be64(s, ~uint64_t{0});
  auto g = LogicalFile::open(s, "h.flat");
  REQUIRE(g);
  std::vector<std::byte> four(10);
  auto hole = g->copy(0, four, LogicalFile::Holes::Error);
  REQUIRE_FALSE(hole);
  CHECK(hole.error().message().find("no data") != std::string::npos);
  REQUIRE(g->copy(0, four, LogicalFile::Holes::Zero));
  CHECK(four[3] == std::byte{0});
  CHECK(four[8] == std::byte{'y'});
}

TEST_CASE("ramsift info on kdump dumps shows the format and fields") {
  TempDir dir;
  SpecMemory spec = load_spec("arm64.spec");
  auto files =
      write_kdump(spec.source(), dir.file("i"), {.codec = KdumpCodec::Snappy, .flattened = true, .split_parts = 2});
  REQUIRE(files);
  Run r = run(std::string(RAMSIFT_BINARY) + " info --no-kernel '" + (*files)[1] + "' '" + (*files)[0] + "' 2>&1");
  CHECK(r.status == 0);
  CHECK(r.out.find("kdump-compressed (flattened) (split, 2 parts)") != std::string::npos);
  CHECK(r.out.find("arm64") != std::string::npos);
  CHECK(r.out.find("excluded        2 pages") != std::string::npos);
  // Without --no-kernel the kernel part is looked for; none found: the dump
  // part printed, exit 1, and why on stderr.
  Run k = run(std::string(RAMSIFT_BINARY) + " info '" + (*files)[1] + "' '" + (*files)[0] + "' 2>&1");
  CHECK(k.status == 1);
  CHECK(k.out.find("kdump-compressed (flattened) (split, 2 parts)") != std::string::npos);
  CHECK(k.out.find("the kernel part of info is left out") != std::string::npos);
}

TEST_CASE("kdump writer refuses what the format cannot hold") {
  TempDir dir;
  SpecMemory spec = load_spec("basic.spec");
  CHECK_FALSE(write_kdump(spec.source(), dir.file("x"), {.header_version = 1, .split_parts = 2}));
  CHECK_FALSE(write_kdump(spec.source(), dir.file("x"), {.header_version = 7}));
  CHECK_FALSE(write_kdump(WriteSource{}, dir.file("x"), {}));
}

TEST_CASE("kdump bad input: header_version outside makedumpfile's 1 to 6") {
  TempDir dir;
  auto bytes = sample_dump(dir);
  for (int32_t version : {0, 7, 0x7fffffff, -1}) {
    CAPTURE(version);
    auto bad = bytes;
    std::memcpy(bad.data() + dd::kOffHeaderVersion, &version, sizeof version);
    auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{"v.kdump", bad}}, {});
    REQUIRE_FALSE(dump);
    CHECK(dump.error().code() == (version > 6 ? ErrorCode::NotImplemented : ErrorCode::Corrupt));
    check_names_file_and_offset(dump.error(), "v.kdump", dd::kOffHeaderVersion);
    CHECK(dump.error().message().find("header_version " + std::to_string(version)) != std::string::npos);
  }
}

TEST_CASE("kdump: the byte order is the one where block_size and header_version both fit") {
  // A big-endian 4096 reads as a little-endian 1 MiB, also a power of two:
  // the block size alone would choose little-endian and misread the rest.
  TempDir dir;
  auto bytes = sample_dump(dir);
  auto swap_field = [&](uint64_t at) {
    std::reverse(bytes.begin() + static_cast<ptrdiff_t>(at), bytes.begin() + static_cast<ptrdiff_t>(at + 4));
  };
  uint32_t block = 0;
  std::memcpy(&block, bytes.data() + dd::kOffBlockSize, 4);
  REQUIRE(block == 4096);
  swap_field(dd::kOffBlockSize);
  swap_field(dd::kOffHeaderVersion);
  auto dump = dump_formats::diskdump_open_bytes({DiskdumpInput{"be.kdump", bytes}}, {});
  // The rest of this header is still little-endian, so it fails later, on
  // a field read big-endian: not on the block size or the version.
  REQUIRE_FALSE(dump);
  MESSAGE(dump.error().to_string());
  CHECK(dump.error().message().find("block_size") == std::string::npos);
  CHECK(dump.error().message().find("header_version") == std::string::npos);
  // Read little-endian, version 6 is 0x06000000, as the old guess took it.
  CHECK(dump.error().message().find(std::to_string(0x06000000)) == std::string::npos);
  // Swapped back, it opens.
  swap_field(dd::kOffBlockSize);
  swap_field(dd::kOffHeaderVersion);
  CHECK(dump_formats::diskdump_open_bytes({DiskdumpInput{"le.kdump", bytes}}, {}));
}
