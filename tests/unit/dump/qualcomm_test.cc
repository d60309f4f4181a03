// Qualcomm ramdump directories: SpecMemory -> write_qualcomm_dir -> open_dump,
// the load.cmm / dump_info.txt parsers on text, and one named case per bad input.
#include "dump/qualcomm.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "ramsift/dump/writer.h"
#include "unit/dump/raw_dump_test_util.h"

using namespace ramsift;
using namespace ramsift::raw_test;
using ramsift::dump_formats::classify_qualcomm_file;
using ramsift::dump_formats::parse_dump_info;
using ramsift::dump_formats::parse_load_cmm;
using ramsift::dump_formats::QualcommFileKind;

namespace {

// basic.spec written as a ramdump directory; returns the spec.
SpecMemory write_basic(const ScratchDir& dir, const QualcommWriteOptions& options = {}) {
  SpecMemory spec = load_spec("basic.spec");
  Status s = write_qualcomm_dir(spec.source(), dir.path(), options);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().to_string()));
  return spec;
}

std::unique_ptr<Dump> open_ok(const std::string& dir, const OpenOptions& options = {}) {
  auto dump = open_one(dir, options);
  REQUIRE_MESSAGE(dump, (dump ? "" : dump.error().to_string()));
  return std::move(*dump);
}

std::string problems_text(const Dump& dump) {
  std::string out;
  for (const Error& e : dump.problems()) out += e.to_string() + "\n";
  return out;
}

Error open_error(const std::string& dir) {
  auto dump = open_one(dir);
  REQUIRE_FALSE(dump);
  return dump.error();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("Qualcomm round trip: basic.spec with load.cmm and dump_info.txt") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  auto dump = open_ok(dir.path());
  CHECK(dump->info().format == "Qualcomm ramdump");
  CHECK(dump->info().arch == Arch::Unknown);  // the dump does not say
  CHECK(dump->info().page_size == 0);
  CHECK(dump->problems().empty());
  CHECK(dump->info().files.size() == 4);
  REQUIRE(dump->ranges().size() == spec.ranges().size());
  for (size_t i = 0; i < spec.ranges().size(); ++i) CHECK(dump->ranges()[i] == spec.ranges()[i]);
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm round trip: arm64.spec, --arch passed through") {
  ScratchDir dir;
  SpecMemory spec = load_spec("arm64.spec");
  REQUIRE(write_qualcomm_dir(spec.source(), dir.path()));
  OpenOptions options;
  options.arch = Arch::Arm64;
  auto dump = open_ok(dir.path(), options);
  CHECK(dump->info().arch == Arch::Arm64);
  REQUIRE(dump->ranges().size() == 2);
  CHECK(dump->ranges()[1].start == PhysAddr{0x880000000});
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm round trip: load.cmm only") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir, {.load_cmm = true, .dump_info = false});
  CHECK_FALSE(std::filesystem::exists(dir / "dump_info.txt"));
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  REQUIRE(dump->ranges().size() == spec.ranges().size());
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm round trip: dump_info.txt only") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir, {.load_cmm = false, .dump_info = true});
  CHECK_FALSE(std::filesystem::exists(dir / "load.cmm"));
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm: dump_info.txt wins over load.cmm when they disagree") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  // load.cmm now puts every file 16 GiB higher; dump_info.txt still says where they are.
  write_text(dir / "load.cmm",
             "d.load.binary DDRCS0_0.BIN 0x400000000 /noclear\n"
             "d.load.binary DDRCS1_0.BIN 0x400100000 /noclear\n"
             "d.load.binary DDRCS2_0.BIN 0x400400000 /noclear\n"
             "d.load.binary DDRCS3_0.BIN 0x480000000 /noclear\n");
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  CHECK(dump->ranges().front().start == PhysAddr{0});
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm: a dump_info.txt that cannot be used falls back to load.cmm with a problem") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  write_text(dir / "dump_info.txt", "   1 0xZZZ 4096 DDR DDRCS0_0.BIN\n");
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  std::string p = problems_text(*dump);
  CHECK(contains(p, "dump_info.txt"));
  CHECK(contains(p, "line 1"));
  CHECK(contains(p, "load.cmm"));
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm round trip: ranges split at max_file_size") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir, {.max_file_size = 0x40000});
  // 0x40000-byte parts: range 0 (0x9f000) -> 3 files, range 3 (1 MiB) -> 4 files.
  CHECK(std::filesystem::exists(dir / "DDRCS3_3.BIN"));
  CHECK_FALSE(std::filesystem::exists(dir / "DDRCS3_4.BIN"));
  CHECK(std::filesystem::file_size(dir / "DDRCS0_2.BIN") == 0x9f000 - 2 * 0x40000);
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  uint64_t total = 0, want = 0;
  for (const PhysRange& r : dump->ranges()) total += r.size;
  for (const PhysRange& r : spec.ranges()) want += r.size;
  CHECK(total == want);
  check_same_pages(spec, *dump);
  // A read crossing two files stops at the first file's end; read_exact goes on.
  std::vector<std::byte> buf(0x2000);
  auto n = dump->read(PhysAddr{0x100000 + 0x40000 - 0x1000}, buf);
  REQUIRE(n);
  CHECK(*n == 0x1000);
  CHECK(dump->read_exact(PhysAddr{0x100000 + 0x40000 - 0x1000}, buf));
}

TEST_CASE("Qualcomm: an IMEM file lands in aux_files with its base, not in RAM") {
  ScratchDir dir;
  QualcommWriteOptions options;
  options.imem = QualcommWriteOptions::Imem{};
  options.imem->bytes.assign(0x1000, std::byte{0x4e});
  SpecMemory spec = write_basic(dir, options);
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  REQUIRE(dump->info().aux_files.size() == 1);
  const AuxFile& imem = dump->info().aux_files[0];
  CHECK(imem.name == "OCIMEM.BIN");
  REQUIRE(imem.base);
  CHECK(*imem.base == PhysAddr{0x14680000});
  CHECK(imem.size == 0x1000);
  CHECK(imem.path == dir / "OCIMEM.BIN");
  std::byte b[1];
  auto r = dump->read(PhysAddr{0x14680000}, b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::Fault);
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm: excluded pages are written as zeros and read back as zeros") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  REQUIRE(spec.excluded(PhysAddr{0x5000}));
  auto dump = open_ok(dir.path());
  std::vector<std::byte> page(0x1000, std::byte{1});
  REQUIRE(dump->read_exact(PhysAddr{0x5000}, page));
  CHECK(std::all_of(page.begin(), page.end(), [](std::byte b) { return b == std::byte{0}; }));
}

TEST_CASE("Qualcomm: out-of-order ranges in load.cmm are accepted and sorted") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir, {.load_cmm = true, .dump_info = false});
  write_text(dir / "load.cmm",
             "; written by hand, highest address first\n"
             "d.load.binary DDRCS3_0.BIN 0x80000000 /noclear\n"
             "D.LOAD.BINARY DDRCS2_0.BIN 0x400000 /noclear\n"
             "data.load.binary DDRCS1_0.BIN 0x100000 /noclear\n"
             "d.load.b DDRCS0_0.BIN 0x0 /noclear\n");
  auto dump = open_ok(dir.path());
  CHECK(dump->problems().empty());
  REQUIRE(dump->ranges().size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(dump->ranges()[i] == spec.ranges()[i]);
  check_same_pages(spec, *dump);
}

TEST_CASE("Qualcomm bad input: overlapping ranges in load.cmm") {
  ScratchDir dir;
  write_basic(dir, {.load_cmm = true, .dump_info = false});
  // DDRCS1_0.BIN is 2 MiB at 0x100000; DDRCS2_0.BIN moved into it.
  write_text(dir / "load.cmm",
             "d.load.binary DDRCS0_0.BIN 0x0 /noclear\n"
             "d.load.binary DDRCS1_0.BIN 0x100000 /noclear\n"
             "d.load.binary DDRCS2_0.BIN 0x200000 /noclear\n"
             "d.load.binary DDRCS3_0.BIN 0x80000000 /noclear\n");
  Error e = open_error(dir.path());
  CHECK(e.code() == ErrorCode::BadInput);
  std::string m = e.to_string();
  CHECK(contains(m, "DDRCS1_0.BIN"));
  CHECK(contains(m, "DDRCS2_0.BIN"));
  CHECK(contains(m, "load.cmm line 2"));
  CHECK(contains(m, "load.cmm line 3"));
}

TEST_CASE("Qualcomm bad input: a .BIN listed in dump_info.txt is missing") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  std::filesystem::remove(dir / "DDRCS1_0.BIN");
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  CHECK(dump->problems()[0].code() == ErrorCode::NotFound);
  CHECK(contains(problems_text(*dump), "DDRCS1_0.BIN"));
  // Its range is still described, and reads as NoData naming the file.
  REQUIRE(dump->ranges().size() == 4);
  std::byte b[8];
  auto r = dump->read(PhysAddr{0x100000}, b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::NoData);
  CHECK(contains(r.error().to_string(), "DDRCS1_0.BIN"));
  // The rest reads.
  std::vector<std::byte> want(0x1000), got(0x1000);
  for (uint64_t a : {0x0ull, 0x400000ull, 0x80000000ull}) {
    REQUIRE(spec.read_exact(PhysAddr{a}, want));
    REQUIRE(dump->read_exact(PhysAddr{a}, got));
    CHECK(want == got);
  }
}

TEST_CASE("Qualcomm bad input: a .BIN listed in load.cmm is missing") {
  ScratchDir dir;
  write_basic(dir, {.load_cmm = true, .dump_info = false});
  std::filesystem::remove(dir / "DDRCS2_0.BIN");
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  CHECK(contains(problems_text(*dump), "DDRCS2_0.BIN"));
  CHECK(contains(problems_text(*dump), "load.cmm line"));
  // load.cmm gives no size: the range is unknown, so not described.
  CHECK(dump->ranges().size() == 3);
  std::byte b[8];
  auto r = dump->read(PhysAddr{0x400000}, b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::Fault);
  CHECK(dump->read_exact(PhysAddr{0x80000000}, b));
}

TEST_CASE("Qualcomm bad input: .BIN size disagrees with dump_info.txt") {
  ScratchDir dir;
  SpecMemory spec = write_basic(dir);
  std::filesystem::resize_file(dir / "DDRCS3_0.BIN", 0x80000);  // dump_info.txt says 0x100000
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  std::string p = problems_text(*dump);
  CHECK(contains(p, "DDRCS3_0.BIN"));
  CHECK(contains(p, std::to_string(0x80000)));
  CHECK(contains(p, std::to_string(0x100000)));
  // The described range stays; what the file lacks is NoData.
  CHECK(dump->ranges().back() == PhysRange{PhysAddr{0x80000000}, 0x100000});
  std::vector<std::byte> want(0x1000), got(0x1000);
  REQUIRE(spec.read_exact(PhysAddr{0x8007f000}, want));
  REQUIRE(dump->read_exact(PhysAddr{0x8007f000}, got));
  CHECK(want == got);
  auto r = dump->read(PhysAddr{0x80080000}, got);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::NoData);
}

TEST_CASE("Qualcomm bad input: .BIN larger than dump_info.txt says is cut to the listed size") {
  ScratchDir dir;
  write_basic(dir);
  std::filesystem::resize_file(dir / "DDRCS2_0.BIN", 0x80000);  // dump_info.txt says 0x40000
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  CHECK(dump->ranges()[2] == PhysRange{PhysAddr{0x400000}, 0x40000});
}

TEST_CASE("Qualcomm bad input: zero-length .BIN") {
  ScratchDir dir;
  write_basic(dir);
  std::filesystem::resize_file(dir / "DDRCS0_0.BIN", 0);
  auto dump = open_ok(dir.path());
  REQUIRE(dump->problems().size() == 1);
  std::string p = problems_text(*dump);
  CHECK(contains(p, "DDRCS0_0.BIN"));
  CHECK(contains(p, "empty"));
  std::byte b[1];
  auto r = dump->read(PhysAddr{0x0}, b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::NoData);
}

TEST_CASE("Qualcomm bad input: every RAM file unreadable is an error") {
  ScratchDir dir;
  write_basic(dir);
  for (const char* name : {"DDRCS0_0.BIN", "DDRCS1_0.BIN", "DDRCS2_0.BIN", "DDRCS3_0.BIN"})
    std::filesystem::remove(dir / name);
  Error e = open_error(dir.path());
  CHECK(contains(e.to_string(), "none of the RAM files"));
  CHECK(contains(e.to_string(), "DDRCS0_0.BIN"));
}

TEST_CASE("Qualcomm bad input: directory with neither load.cmm nor dump_info.txt") {
  ScratchDir dir;
  write_basic(dir);
  std::filesystem::remove(dir / "load.cmm");
  std::filesystem::remove(dir / "dump_info.txt");
  Error e = open_error(dir.path());
  CHECK(e.code() == ErrorCode::BadInput);
  CHECK(e.file() == dir.path());
  CHECK(contains(e.message(), "neither dump_info.txt nor load.cmm"));
}

TEST_CASE("Qualcomm bad input: empty directory") {
  ScratchDir dir;
  Error e = open_error(dir.path());
  CHECK(e.file() == dir.path());
  CHECK(contains(e.message(), "empty directory"));
}

TEST_CASE("Qualcomm bad input: malformed address in load.cmm") {
  ScratchDir dir;
  write_basic(dir, {.load_cmm = true, .dump_info = false});
  write_text(dir / "load.cmm",
             "if OS.FILE(DDRCS0_0.BIN)\n"
             "(\n"
             "  d.load.binary DDRCS0_0.BIN 0x8000zz00 /noclear\n"
             ")\n");
  Error e = open_error(dir.path());
  CHECK(e.code() == ErrorCode::BadInput);
  CHECK(e.file() == dir / "load.cmm");
  CHECK(contains(e.message(), "line 3"));
  CHECK(contains(e.message(), "0x8000zz00"));
}

TEST_CASE("Qualcomm bad input: a RAM file listed twice in dump_info.txt") {
  auto layout = parse_dump_info(
      "   1 0x0000000080000000 4096 DDR DDRCS0_0.BIN\n"
      "   1 0x0000000090000000 4096 DDR DDRCS0_0.BIN\n");
  REQUIRE_FALSE(layout);
  CHECK(contains(layout.error().message(), "line 2"));
  CHECK(contains(layout.error().message(), "first on line 1"));
}

TEST_CASE("Qualcomm file names: RAM, IMEM and the rest as ramparse classifies them") {
  for (const char* ram :
       {"DDRCS0_0.BIN", "ddrcs1_1.bin", "EBICS0.BIN", "EBI1.BIN", "ebi1_cs0.bin", "VMDDR0_0.BIN", "DDRCS0.BIN"})
    CHECK_MESSAGE(classify_qualcomm_file(ram) == QualcommFileKind::Ram, ram);
  for (const char* imem : {"OCIMEM.BIN", "PIMEM.BIN", "ocimem.bin"})
    CHECK_MESSAGE(classify_qualcomm_file(imem) == QualcommFileKind::Imem, imem);
  for (const char* other :
       {"DDR_DATA.BIN", "CODERAM.BIN", "load.cmm", "DDRCS0_0.BIN.bak", "md_OCIMEM.BIN", "DDR.BIN", "PMIC_PON.BIN"})
    CHECK_MESSAGE(classify_qualcomm_file(other) == QualcommFileKind::Other, other);
}

TEST_CASE("load.cmm parser: T32 spellings, comments and other lines") {
  auto layout = parse_load_cmm(
      "; QPST generated\r\n"
      "ENTRY &dir\r\n"
      "if OS.FILE(DDRCS0_0.BIN)\r\n"
      "(\r\n"
      "  d.load.binary DDRCS0_0.BIN 0x80000000 /noclear\r\n"
      ")\r\n"
      "D.LOAD.B \"DDRCS0_1.BIN\" 0X100000000 /noclear /long\r\n"
      "data.load.binary &dir\\DDRCS1_0.BIN A:0x140000000 // access class\r\n"
      "d.load.binary OCIMEM.BIN 14680000 /noclear\r\n"
      "d.load.binary CODERAM.BIN &coderam /noclear\r\n"  // odd line for a file we skip: tolerated
      "d.dump 0x80000000\r\n"
      "print \"done\"\r\n");
  REQUIRE_MESSAGE(layout, (layout ? "" : layout.error().to_string()));
  REQUIRE(layout->entries.size() == 4);
  CHECK(layout->entries[0].file == "DDRCS0_0.BIN");
  CHECK(layout->entries[0].start == PhysAddr{0x80000000});
  CHECK(layout->entries[0].line == 5);
  CHECK_FALSE(layout->entries[0].size);
  CHECK(layout->entries[1].file == "DDRCS0_1.BIN");
  CHECK(layout->entries[1].start == PhysAddr{0x100000000});
  CHECK(layout->entries[2].file == "DDRCS1_0.BIN");
  CHECK(layout->entries[2].start == PhysAddr{0x140000000});
  CHECK(layout->entries[3].kind == QualcommFileKind::Imem);
  CHECK(layout->entries[3].start == PhysAddr{0x14680000});
}

TEST_CASE("load.cmm parser: d.load.binary of a RAM file without an address") {
  auto layout = parse_load_cmm("\n\nd.load.binary DDRCS0_0.BIN /noclear\n", "x/load.cmm");
  REQUIRE_FALSE(layout);
  CHECK(layout.error().to_string() == "x/load.cmm: line 3: d.load.binary 'DDRCS0_0.BIN' without an address");
}

TEST_CASE("dump_info.txt parser: QPST's table, old and new column widths") {
  auto layout = parse_dump_info(
      "pref               base     length               region            file name\r\n"
      "----------------------------------------------------------------------------\r\n"
      "   1 0x0000000014680000           180224               OCIMEM           OCIMEM.BIN\r\n"
      "   1 0x0000000880000000       2147483648   DDR CS1 part0 Memo         DDRCS1_0.BIN\r\n"
      "   1 0x0000000040000000 0000002147483648   DDR CS0 part0 Memo         DDRCS0_0.BIN\r\n"
      "      1 0xFE800000    262144               OCIMEM           PIMEM.BIN\r\n"
      "   2 0x0000000081b476d0             5784           CMM Script             load.cmm\r\n"
      "Dump collected 2024-01-01 12:00:00\r\n");
  REQUIRE_MESSAGE(layout, (layout ? "" : layout.error().to_string()));
  CHECK(layout->problems.empty());
  std::vector<dump_formats::QualcommEntry> used;
  for (const auto& e : layout->entries)
    if (e.kind != QualcommFileKind::Other) used.push_back(e);
  REQUIRE(used.size() == 4);
  CHECK(used[0].file == "OCIMEM.BIN");
  CHECK(used[0].size == 180224u);
  CHECK(used[1].start == PhysAddr{0x880000000});
  CHECK(used[1].size == 2147483648u);
  CHECK(used[2].size == 2147483648u);
  CHECK(used[3].start == PhysAddr{0xFE800000});
  CHECK(used[1].line == 4);
}

TEST_CASE("dump_info.txt parser: malformed length and collector errors") {
  auto bad = parse_dump_info("   1 0x80000000 0x1000 DDR CS0 DDRCS0_0.BIN\n", "d/dump_info.txt");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().to_string() ==
        "d/dump_info.txt: line 1: bad length '0x1000' for 'DDRCS0_0.BIN' (expected decimal bytes)");
  auto noted = parse_dump_info(
      "   1 0x80000000 4096 DDR CS0 DDRCS0_0.BIN\n"
      "Exception CreateMemDebugFile during memory dump\n");
  REQUIRE(noted);
  REQUIRE(noted->problems.size() == 1);
  CHECK(contains(noted->problems[0].to_string(), "line 2"));
}

TEST_CASE("Qualcomm CLI: exit 0 for a good directory, 1 for a missing .BIN, 2 without load.cmm/dump_info.txt") {
  ScratchDir scratch;
  std::string dump = scratch / "dump";
  SpecMemory spec = load_spec("basic.spec");
  REQUIRE(write_qualcomm_dir(spec.source(), dump));

  CliRun ok = run_cli("info --no-kernel " + dump, scratch);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.empty());

  std::filesystem::remove(std::filesystem::path(dump) / "DDRCS2_0.BIN");
  CliRun partial = run_cli("info --no-kernel " + dump, scratch);
  CHECK(partial.exit_code == 1);
  CHECK(contains(partial.err, "ramsift: " + dump + "/DDRCS2_0.BIN: "));

  std::filesystem::remove(std::filesystem::path(dump) / "load.cmm");
  std::filesystem::remove(std::filesystem::path(dump) / "dump_info.txt");
  CliRun failed = run_cli("info --no-kernel " + dump, scratch);
  CHECK(failed.exit_code == 2);
  CHECK(contains(failed.err, "ramsift: " + dump + ": "));
}
