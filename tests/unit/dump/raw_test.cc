// Raw RAM images: "FILE@ADDR[,FILE@ADDR...]" (crash's syntax) and a single
// image at --phys-base, written by write_raw_files and read back.
#include <doctest/doctest.h>

#include <filesystem>

#include "ramsift/dump/writer.h"
#include "unit/dump/raw_dump_test_util.h"

using namespace ramsift;
using namespace ramsift::raw_test;

namespace {

std::string write_raw(const SpecMemory& spec, const ScratchDir& dir) {
  auto list = write_raw_files(spec.source(), dir / "ram");
  REQUIRE_MESSAGE(list, (list ? "" : list.error().to_string()));
  return *list;
}

Error open_error(const std::string& input, const OpenOptions& options = {}) {
  auto dump = open_one(input, options);
  REQUIRE_FALSE(dump);
  return dump.error();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// n bytes of pattern in a new file.
std::string make_file(const ScratchDir& dir, const std::string& name, size_t n) {
  std::string bytes(n, '\0');
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(i * 7 + 1);
  write_text(dir / name, bytes);
  return dir / name;
}

}  // namespace

TEST_CASE("raw round trip: basic.spec as a FILE@ADDR list") {
  ScratchDir dir;
  SpecMemory spec = load_spec("basic.spec");
  std::string list = write_raw(spec, dir);
  CHECK(list == dir / "ram-0.bin@0x0," + dir / "ram-1.bin@0x100000," + dir / "ram-2.bin@0x400000," +
                    dir / "ram-3.bin@0x80000000");
  auto dump = open_one(list);
  REQUIRE_MESSAGE(dump, (dump ? "" : dump.error().to_string()));
  CHECK((*dump)->info().format == "raw");
  CHECK((*dump)->info().files.size() == 4);
  CHECK((*dump)->problems().empty());
  REQUIRE((*dump)->ranges().size() == spec.ranges().size());
  for (size_t i = 0; i < spec.ranges().size(); ++i) CHECK((*dump)->ranges()[i] == spec.ranges()[i]);
  check_same_pages(spec, **dump);
}

TEST_CASE("raw round trip: arm64.spec, addresses without 0x and out of order") {
  ScratchDir dir;
  SpecMemory spec = load_spec("arm64.spec");
  write_raw(spec, dir);
  // crash's htoll takes hex with or without 0x; empty items are skipped as strtok does.
  std::string list = dir / "ram-1.bin@880000000,," + dir / "ram-0.bin@0X80000000";
  OpenOptions options;
  options.arch = Arch::Arm64;
  auto dump = open_one(list, options);
  REQUIRE_MESSAGE(dump, (dump ? "" : dump.error().to_string()));
  CHECK((*dump)->info().arch == Arch::Arm64);
  REQUIRE((*dump)->ranges().size() == 2);
  CHECK((*dump)->ranges()[0].start == PhysAddr{0x80000000});
  check_same_pages(spec, **dump);
}

TEST_CASE("raw round trip: a single image at --phys-base") {
  ScratchDir dir;
  SpecMemory spec = load_spec("arm64.spec");
  write_raw(spec, dir);
  OpenOptions options;
  options.phys_base = 0x80000000;
  auto dump = open_one(dir / "ram-0.bin", options);
  REQUIRE_MESSAGE(dump, (dump ? "" : dump.error().to_string()));
  CHECK((*dump)->info().format == "raw");
  REQUIRE((*dump)->ranges().size() == 1);
  CHECK((*dump)->ranges()[0] == spec.ranges()[0]);
  std::vector<std::byte> want(0x1000), got(0x1000);
  REQUIRE(spec.read_exact(PhysAddr{0x803ff000}, want));
  REQUIRE((*dump)->read_exact(PhysAddr{0x803ff000}, got));
  CHECK(want == got);
  auto past = (*dump)->read(PhysAddr{0x80400000}, got);
  REQUIRE_FALSE(past);
  CHECK(past.error().code() == ErrorCode::Fault);
}

TEST_CASE("raw bad input: FILE@ADDR with a missing file") {
  ScratchDir dir;
  std::string present = make_file(dir, "a.bin", 0x1000);
  Error e = open_error(present + "@0x1000," + dir / "absent.bin" + "@0x80000000");
  CHECK(e.code() == ErrorCode::NotFound);
  CHECK(e.file() == dir / "absent.bin");
  CHECK(contains(e.message(), "item 2"));
}

TEST_CASE("raw bad input: FILE@ADDR with a bad address") {
  ScratchDir dir;
  std::string file = make_file(dir, "a.bin", 0x1000);
  for (const char* bad : {"0xfoo", "", "0x", "-1", "0x1ffffffffffffffff", "12 34"}) {
    Error e = open_error(file + "@" + bad);
    INFO(bad);
    CHECK(e.code() == ErrorCode::BadInput);
    CHECK(e.file() == file);
    CHECK(contains(e.message(), "bad address"));
  }
}

TEST_CASE("raw bad input: overlapping FILE@ADDR ranges") {
  ScratchDir dir;
  std::string a = make_file(dir, "a.bin", 0x2000);
  std::string b = make_file(dir, "b.bin", 0x1000);
  Error e = open_error(a + "@0x10000," + b + "@0x11000");
  CHECK(e.code() == ErrorCode::BadInput);
  std::string m = e.to_string();
  CHECK(contains(m, a));
  CHECK(contains(m, b));
  // Touching is fine.
  auto dump = open_one(a + "@0x10000," + b + "@0x12000");
  CHECK(dump);
}

TEST_CASE("raw bad input: a range past the end of the address space") {
  ScratchDir dir;
  std::string a = make_file(dir, "a.bin", 0x2000);
  Error e = open_error(a + "@0xfffffffffffff000");
  CHECK(e.code() == ErrorCode::BadInput);
  CHECK(contains(e.message(), "64-bit"));
}

TEST_CASE("raw bad input: an empty file and an empty list") {
  ScratchDir dir;
  std::string empty = make_file(dir, "empty.bin", 0);
  Error e = open_error(empty + "@0x1000");
  CHECK(e.file() == empty);
  CHECK(contains(e.message(), "empty"));
  CHECK(open_error(",@,").code() == ErrorCode::BadInput);
}

TEST_CASE("raw: a read stops at the end of a file and the next one goes on") {
  ScratchDir dir;
  std::string a = make_file(dir, "a.bin", 0x1000);
  std::string b = make_file(dir, "b.bin", 0x1000);
  auto dump = open_one(a + "@0x1000," + b + "@0x2000");
  REQUIRE(dump);
  std::vector<std::byte> buf(0x1800);
  auto n = (*dump)->read(PhysAddr{0x1800}, buf);
  REQUIRE(n);
  CHECK(*n == 0x800);
  REQUIRE((*dump)->read_exact(PhysAddr{0x1800}, buf));
  CHECK(buf[0x800] == std::byte{1});  // first byte of b.bin
}

TEST_CASE("raw CLI: exit 0 for FILE@ADDR and --phys-base, 2 for a missing file naming it") {
  ScratchDir dir;
  std::string a = make_file(dir, "a.bin", 0x2000);
  CHECK(run_cli("info --no-kernel " + a + "@0x80000000", dir).exit_code == 0);
  CHECK(run_cli("info --no-kernel --phys-base 0x80000000 " + a, dir).exit_code == 0);
  CliRun missing = run_cli("info --no-kernel " + a + "@0x80000000," + dir / "gone.bin" + "@0x90000000", dir);
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "ramsift: " + dir / "gone.bin" + ": "));
  CliRun bad = run_cli("info --no-kernel " + a + "@0xnothex", dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, a));
}
