// ELF core reader and writer: round trips through the synthetic specs, and
// one named case per kind of bad input. Hand-made files are laid out by
// TestElf below, one field per line.
#include "dump/elf_core.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"
#include "ramsift/dump/spec_memory.h"
#include "ramsift/dump/writer.h"
#include "support/test_files.h"

using namespace ramsift;
using ramsift::dump_formats::ElfCore;
namespace fs = std::filesystem;

namespace {

using test::load_spec;
using test::read_file;
using test::write_file;

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("elf") {}
};

std::unique_ptr<Dump> open_one(const std::string& path) {
  std::vector<std::string> inputs{path};
  auto dump = open_dump(inputs, OpenOptions{});
  if (!dump) FAIL_CHECK(dump.error().to_string());
  REQUIRE(dump);
  return std::move(*dump);
}

// Every page of the spec reads back equal; excluded pages are NoData, or
// Fault when they were written as holes.
void check_same_memory(const SpecMemory& spec, const PhysicalMemory& dump, bool holes) {
  const uint64_t page = spec.page_size();
  std::vector<std::byte> want(page), got(page);
  uint64_t pages = 0;
  for (const PhysRange& r : spec.ranges()) {
    for (uint64_t a = r.start.value(); a < r.end().value(); a += page) {
      auto n = dump.read(PhysAddr{a}, got);
      if (spec.excluded(PhysAddr{a})) {
        REQUIRE_FALSE(n);
        CHECK(n.error().code() == (holes ? ErrorCode::Fault : ErrorCode::NoData));
        continue;
      }
      REQUIRE(spec.read_exact(PhysAddr{a}, want));
      Status s = dump.read_exact(PhysAddr{a}, got);
      if (!s) FAIL_CHECK(s.error().to_string());
      REQUIRE(s);
      if (want != got) FAIL_CHECK("page " << hex(a) << " differs");
      ++pages;
    }
  }
  CHECK(pages > 0);
}

void round_trip(const std::string& spec_name, const ElfWriteOptions& options) {
  CAPTURE(spec_name);
  CAPTURE(options.qemu_quirks);
  CAPTURE(options.excluded_as_holes);
  SpecMemory spec = load_spec(spec_name);
  TempDir dir;
  std::string path = dir.file("core");
  Status written = write_elf_core(spec.source(), path, options);
  if (!written) FAIL_CHECK(written.error().to_string());
  REQUIRE(written);

  auto dump = open_one(path);
  const DumpInfo& info = dump->info();
  CHECK(dump->problems().empty());
  CHECK(info.format == "ELF core");
  CHECK(info.arch == spec.arch());
  CHECK(info.elf_machine == arch_row(spec.arch()).elf_machine);
  CHECK(info.vmcoreinfo == spec.vmcoreinfo());
  CHECK(info.prstatus_count == options.prstatus_notes);
  // Page size: VMCOREINFO's PAGESIZE, else 4096 on x86, else unknown.
  CHECK(info.page_size == (spec.vmcoreinfo() || spec.arch() == Arch::Amd64 ? spec.page_size() : 0));
  if (!options.excluded_as_holes) {
    CHECK(info.excluded_pages == spec.excluded_pages());
    CHECK(std::equal(dump->ranges().begin(), dump->ranges().end(), spec.ranges().begin(), spec.ranges().end()));
  } else {
    CHECK(info.excluded_pages == 0);
  }
  check_same_memory(spec, *dump, options.excluded_as_holes);

  // A read that spans a whole range stops at the first missing byte.
  const PhysRange& first = spec.ranges()[0];
  std::vector<std::byte> big(first.size + 4096);
  auto n = dump->read(first.start, big);
  REQUIRE(n);
  CHECK(*n <= first.size);
}

// --- Hand-made ELF files ------------------------------------------------

struct Phdr {
  uint32_t type = 1;  // PT_LOAD
  uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0;
};

struct TestElf {
  bool elf32 = false;
  bool big_endian = false;
  uint16_t e_type = 4;  // ET_CORE
  uint16_t e_machine = 62;
  uint64_t e_phoff = 64;
  uint64_t e_shoff = 0;
  uint16_t e_ehsize = 64;
  std::optional<uint16_t> e_phentsize;  // default: the class's size
  std::optional<uint16_t> e_phnum;      // default: phdrs.size()
  std::vector<Phdr> phdrs;
  std::vector<std::pair<uint64_t, std::vector<std::byte>>> blobs;  // placed at offsets

  void put(std::vector<std::byte>& out, uint64_t at, uint64_t value, int size) const {
    if (out.size() < at + size) out.resize(at + size);
    for (int i = 0; i < size; ++i) {
      int shift = big_endian ? 8 * (size - 1 - i) : 8 * i;
      out[at + i] = std::byte(static_cast<uint8_t>(value >> shift));
    }
  }

  std::vector<std::byte> build() const {
    std::vector<std::byte> out;
    const int word = elf32 ? 4 : 8;
    const uint16_t phentsize = e_phentsize.value_or(elf32 ? 32 : 56);
    put(out, 0, 0x7f, 1);
    put(out, 1, 'E', 1);
    put(out, 2, 'L', 1);
    put(out, 3, 'F', 1);
    put(out, 4, elf32 ? 1 : 2, 1);       // EI_CLASS
    put(out, 5, big_endian ? 2 : 1, 1);  // EI_DATA
    put(out, 6, 1, 1);                   // EI_VERSION
    put(out, 16, e_type, 2);
    put(out, 18, e_machine, 2);
    put(out, 20, 1, 4);                        // e_version
    put(out, elf32 ? 28 : 32, e_phoff, word);  // e_phoff
    put(out, elf32 ? 32 : 40, e_shoff, word);  // e_shoff
    put(out, elf32 ? 40 : 52, e_ehsize, 2);    // e_ehsize
    put(out, elf32 ? 42 : 54, phentsize, 2);   // e_phentsize
    put(out, elf32 ? 44 : 56, e_phnum.value_or(static_cast<uint16_t>(phdrs.size())), 2);
    put(out, elf32 ? 51 : 63, 0, 1);  // header fully present
    for (size_t i = 0; i < phdrs.size(); ++i) {
      const Phdr& p = phdrs[i];
      uint64_t at = e_phoff + i * phentsize;
      put(out, at, p.type, 4);
      if (elf32) {
        put(out, at + 4, p.offset, 4);
        put(out, at + 8, p.vaddr, 4);
        put(out, at + 12, p.paddr, 4);
        put(out, at + 16, p.filesz, 4);
        put(out, at + 20, p.memsz, 4);
        put(out, at + 28, p.align, 4);
      } else {
        put(out, at + 8, p.offset, 8);
        put(out, at + 16, p.vaddr, 8);
        put(out, at + 24, p.paddr, 8);
        put(out, at + 32, p.filesz, 8);
        put(out, at + 40, p.memsz, 8);
        put(out, at + 48, p.align, 8);
      }
    }
    for (const auto& [at, bytes] : blobs) {
      if (out.size() < at + bytes.size()) out.resize(at + bytes.size());
      std::memcpy(out.data() + at, bytes.data(), bytes.size());
    }
    return out;
  }
};

std::vector<std::byte> filled(size_t n, uint8_t first) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::byte(static_cast<uint8_t>(first + i * 7));
  return v;
}

// One note, 4-byte aligned, in the given byte order.
std::vector<std::byte> make_note(const std::string& name, uint32_t type, const std::string& desc,
                                 bool big_endian = false, std::optional<uint32_t> namesz = {},
                                 std::optional<uint32_t> descsz = {}) {
  TestElf enc;
  enc.big_endian = big_endian;
  std::vector<std::byte> out;
  enc.put(out, 0, namesz.value_or(static_cast<uint32_t>(name.size() + 1)), 4);
  enc.put(out, 4, descsz.value_or(static_cast<uint32_t>(desc.size())), 4);
  enc.put(out, 8, type, 4);
  for (char c : name) out.push_back(std::byte(static_cast<uint8_t>(c)));
  out.push_back(std::byte{0});
  while (out.size() % 4) out.push_back(std::byte{0});
  for (char c : desc) out.push_back(std::byte(static_cast<uint8_t>(c)));
  while (out.size() % 4) out.push_back(std::byte{0});
  return out;
}

void append(std::vector<std::byte>& to, const std::vector<std::byte>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// A small valid core: PT_NOTE (prstatus, VMCOREINFO) and two PT_LOADs.
TestElf small_core() {
  TestElf elf;
  std::vector<std::byte> notes = make_note("CORE", 1, std::string(336, '\0'));
  append(notes, make_note("VMCOREINFO", 0, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"));
  elf.phdrs = {
      {.type = 4, .offset = 0x200, .filesz = notes.size(), .memsz = notes.size()},  // PT_NOTE
      {.offset = 0x1000, .paddr = 0x100000, .filesz = 0x2000, .memsz = 0x2000},     // RAM
      {.offset = 0x3000, .paddr = 0x200000, .filesz = 0x1000, .memsz = 0x3000},     // tail not in file
  };
  elf.blobs = {{0x200, notes}, {0x1000, filled(0x2000, 1)}, {0x3000, filled(0x1000, 2)}};
  return elf;
}

// A parsed core and the bytes it reads from (ElfCore::parse does not copy).
struct Parsed {
  std::vector<std::byte> bytes;
  std::unique_ptr<ElfCore> core;
  ElfCore* operator->() const { return core.get(); }
  ElfCore& operator*() const { return *core; }
};

Parsed parse_ok(std::vector<std::byte> bytes) {
  Parsed parsed{std::move(bytes), nullptr};  // moving keeps the buffer where it is
  auto core = ElfCore::parse(parsed.bytes, "test.elf");
  if (!core) FAIL_CHECK(core.error().to_string());
  REQUIRE(core);
  parsed.core = std::move(*core);
  return parsed;
}

Error parse_error(const std::vector<std::byte>& bytes) {
  auto core = ElfCore::parse(bytes, "test.elf");
  REQUIRE_FALSE(core);
  CHECK(core.error().file() == "test.elf");
  return core.error();
}

ErrorCode read_error(const PhysicalMemory& m, uint64_t addr) {
  std::byte b[1];
  auto n = m.read(PhysAddr{addr}, b);
  REQUIRE_FALSE(n);
  return n.error().code();
}

std::byte read_byte(const PhysicalMemory& m, uint64_t addr) {
  std::byte b[1];
  auto n = m.read(PhysAddr{addr}, b);
  if (!n) FAIL_CHECK(n.error().to_string());
  REQUIRE(n);
  return b[0];
}

// Where the parts of a written plain core are.
struct Layout {
  uint64_t phoff, phnum, notes_off, notes_size, first_data;
};
Layout layout_of(const std::vector<std::byte>& file) {
  ByteReader r(file, "layout");
  Layout l{};
  l.phoff = *r.u64(32);
  l.phnum = *r.u16(56);
  l.notes_off = *r.u64(l.phoff + 8);  // the first program header is PT_NOTE
  l.notes_size = *r.u64(l.phoff + 32);
  l.first_data = *r.u64(l.phoff + 56 + 8);
  return l;
}

}  // namespace

// --- Round trips -----------------------------------------------------------

TEST_CASE("ELF round trip: basic.spec, plain /proc/vmcore layout") {
  round_trip("basic.spec", {});
}
TEST_CASE("ELF round trip: basic.spec, QEMU 7.2 layout") {
  round_trip("basic.spec", {.qemu_quirks = true});
}
TEST_CASE("ELF round trip: basic.spec, excluded pages as holes, 4 CPUs") {
  round_trip("basic.spec", {.prstatus_notes = 4, .excluded_as_holes = true});
}
TEST_CASE("ELF round trip: arm64.spec, plain layout") {
  round_trip("arm64.spec", {});
}
TEST_CASE("ELF round trip: arm64.spec, QEMU layout, no prstatus, holes") {
  round_trip("arm64.spec", {.qemu_quirks = true, .prstatus_notes = 0, .excluded_as_holes = true});
}

TEST_CASE("ELF writer: QEMU layout has QEMU 7.2's quirks") {
  SpecMemory spec = load_spec("basic.spec");
  TempDir dir;
  REQUIRE(write_elf_core(spec.source(), dir.file("q"), {.qemu_quirks = true}));
  auto file = read_file(dir.file("q"));
  ByteReader r(file, "q");
  CHECK(*r.u16(52) == 8);   // e_ehsize
  CHECK(*r.u64(40) == 64);  // e_shoff: section headers right after the ELF header
  CHECK(*r.u16(60) == 2);   // e_shnum
  bool unaligned = false;
  auto core = parse_ok(file);
  for (const auto& s : core->segments()) {
    unaligned |= s.file_offset % 4096 != 0;
    CHECK(s.vaddr == s.paddr.value());
  }
  CHECK(unaligned);
}

TEST_CASE("ELF writer and reader: more than 0xfffe program headers use PN_XNUM") {
  // 70000 one-page ranges of 512 bytes with gaps: one PT_LOAD each.
  std::string text = "arch arm64\npage_size 512\n";
  for (uint64_t i = 0; i < 70000; ++i) text += "range " + hex(i * 1024) + " 0x200 seed " + std::to_string(i % 5) + "\n";
  auto spec = SpecMemory::parse(text);
  REQUIRE(spec);
  TempDir dir;
  for (bool qemu : {false, true}) {
    CAPTURE(qemu);
    std::string path = dir.file(qemu ? "q" : "p");
    REQUIRE(write_elf_core(spec->source(), path, {.qemu_quirks = qemu}));
    auto dump = open_one(path);
    CHECK(dump->ranges().size() == 70000);
    std::vector<std::byte> want(512), got(512);
    for (uint64_t i : {0ull, 1ull, 65534ull, 65535ull, 69999ull}) {
      REQUIRE(spec->read_exact(PhysAddr{i * 1024}, want));
      REQUIRE(dump->read_exact(PhysAddr{i * 1024}, got));
      CHECK(want == got);
    }
    CHECK(read_error(*dump, 512) == ErrorCode::Fault);
  }
}

// --- Hand-made cores: what the reader accepts -------------------------------

TEST_CASE("ELF reader: notes, tail beyond p_filesz is NoData, gaps are Fault") {
  auto core = parse_ok(small_core().build());
  CHECK(core->problems().empty());
  CHECK(core->info().prstatus_count == 1);
  CHECK(core->info().vmcoreinfo == "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
  CHECK(core->info().page_size == 4096);
  CHECK(core->info().arch == Arch::Amd64);
  CHECK(core->info().excluded_pages == 2);
  REQUIRE(core->ranges().size() == 2);
  CHECK(core->ranges()[0] == PhysRange{PhysAddr{0x100000}, 0x2000});
  CHECK(core->ranges()[1] == PhysRange{PhysAddr{0x200000}, 0x3000});
  CHECK(read_byte(*core, 0x100001) == filled(0x2000, 1)[1]);
  CHECK(read_byte(*core, 0x200fff) == filled(0x1000, 2)[0xfff]);
  CHECK(read_error(*core, 0x201000) == ErrorCode::NoData);
  CHECK(read_error(*core, 0x102000) == ErrorCode::Fault);
  CHECK(read_error(*core, 0) == ErrorCode::Fault);
  // A read crossing into the tail stops there.
  std::vector<std::byte> buf(0x2000);
  auto n = core->read(PhysAddr{0x200800}, buf);
  REQUIRE(n);
  CHECK(*n == 0x800);
}

TEST_CASE("ELF reader: e_ehsize is not trusted (QEMU 7.2 writes 8)") {
  TestElf elf = small_core();
  elf.e_ehsize = 8;
  auto core = parse_ok(elf.build());
  CHECK(core->problems().empty());
  CHECK(core->ranges().size() == 2);
}

TEST_CASE("ELF reader: overlapping PT_LOADs give sorted disjoint ranges, first segment with data wins") {
  TestElf elf;
  elf.phdrs = {
      // Like x86_64 kdump's kernel text segment: listed first, overlaps RAM.
      {.offset = 0x1000, .vaddr = 0xffffffff81000000, .paddr = 0x2000, .filesz = 0x2000, .memsz = 0x2000},
      // RAM, whose head has no file bytes: the text segment above covers it.
      {.offset = 0x3000, .paddr = 0x1000, .filesz = 0x4000, .memsz = 0x6000},
      // Described only, inside RAM's data: RAM's bytes win.
      {.offset = 0x0, .paddr = 0x1800, .filesz = 0, .memsz = 0x1000},
  };
  elf.blobs = {{0x1000, filled(0x2000, 10)}, {0x3000, filled(0x4000, 20)}};
  auto core = parse_ok(elf.build());
  REQUIRE(core->ranges().size() == 1);
  CHECK(core->ranges()[0] == PhysRange{PhysAddr{0x1000}, 0x6000});
  CHECK(read_byte(*core, 0x1000) == filled(0x4000, 20)[0]);
  CHECK(read_byte(*core, 0x1800) == filled(0x4000, 20)[0x800]);
  CHECK(read_byte(*core, 0x2000) == filled(0x2000, 10)[0]);  // first segment wins
  CHECK(read_byte(*core, 0x3fff) == filled(0x2000, 10)[0x1fff]);
  CHECK(read_byte(*core, 0x4000) == filled(0x4000, 20)[0x3000]);
  CHECK(read_error(*core, 0x5000) == ErrorCode::NoData);
  CHECK(core->segments()[0].vaddr == 0xffffffff81000000);
  // One read runs across the segment boundaries, taking each byte's winner.
  std::vector<std::byte> buf(0x4000);
  auto n = core->read(PhysAddr{0x1000}, buf);
  REQUIRE(n);
  CHECK(*n == 0x4000);
  CHECK(buf[0x1000] == filled(0x2000, 10)[0]);
  CHECK(buf[0x3000] == filled(0x4000, 20)[0x3000]);
}

TEST_CASE("ELF reader: PN_XNUM takes the program header count from section header 0") {
  TestElf elf;
  elf.e_phnum = 0xffff;
  elf.e_shoff = 0x400;
  elf.phdrs = {{.offset = 0x1000, .paddr = 0x0, .filesz = 0x1000, .memsz = 0x1000},
               {.offset = 0x2000, .paddr = 0x10000, .filesz = 0x1000, .memsz = 0x1000}};
  std::vector<std::byte> shdr0(64);
  elf.put(shdr0, 44, 2, 4);  // sh_info: the real count
  elf.blobs = {{0x400, shdr0}, {0x1000, filled(0x1000, 3)}, {0x2000, filled(0x1000, 4)}};
  auto core = parse_ok(elf.build());
  CHECK(core->ranges().size() == 2);
  CHECK(read_byte(*core, 0x10000) == filled(0x1000, 4)[0]);
}

TEST_CASE("ELF reader: ELF32 and big-endian cores") {
  for (bool elf32 : {false, true}) {
    for (bool big : {false, true}) {
      CAPTURE(elf32);
      CAPTURE(big);
      TestElf elf;
      elf.elf32 = elf32;
      elf.big_endian = big;
      elf.e_machine = big ? 22 : 40;  // s390, arm
      elf.e_phoff = 64;
      std::vector<std::byte> notes = make_note("VMCOREINFO", 0, "PAGESIZE=65536\n", big);
      elf.phdrs = {{.type = 4, .offset = 0x100, .filesz = notes.size(), .memsz = notes.size()},
                   {.offset = 0x1000, .paddr = 0x80000000, .filesz = 0x1000, .memsz = 0x1000}};
      elf.blobs = {{0x100, notes}, {0x1000, filled(0x1000, 5)}};
      auto core = parse_ok(elf.build());
      CHECK(core->class_bits() == (elf32 ? 32u : 64u));
      CHECK(core->problems().empty());
      CHECK(core->info().page_size == 65536);
      CHECK(core->info().elf_machine == elf.e_machine);
      CHECK(read_byte(*core, 0x80000fff) == filled(0x1000, 5)[0xfff]);
    }
  }
}

TEST_CASE("ELF reader: page size unknown without VMCOREINFO off x86") {
  TestElf elf;
  elf.e_machine = 183;  // EM_AARCH64
  elf.phdrs = {{.offset = 0x1000, .paddr = 0x40000000, .filesz = 0x1000, .memsz = 0x1000}};
  elf.blobs = {{0x1000, filled(0x1000, 0)}};
  auto core = parse_ok(elf.build());
  CHECK(core->info().page_size == 0);
  CHECK(core->info().arch == Arch::Arm64);
  CHECK_FALSE(core->info().vmcoreinfo);
}

// --- Bad input, one case each --------------------------------------------------

TEST_CASE("ELF bad input: wrong magic") {
  auto bytes = small_core().build();
  bytes[3] = std::byte{'G'};
  CHECK(parse_error(bytes).code() == ErrorCode::Corrupt);
  TempDir dir;
  write_file(dir.file("notelf"), bytes);
  std::vector<std::string> inputs{dir.file("notelf")};
  auto dump = open_dump(inputs, OpenOptions{});
  REQUIRE_FALSE(dump);
  CHECK(dump.error().message().find("unknown dump format") != std::string::npos);
}

TEST_CASE("ELF bad input: zero-length file") {
  CHECK(parse_error({}).code() == ErrorCode::Corrupt);
  TempDir dir;
  write_file(dir.file("empty"), {});
  std::vector<std::string> inputs{dir.file("empty")};
  auto dump = open_dump(inputs, OpenOptions{});
  REQUIRE_FALSE(dump);
  CHECK(dump.error().file() == dir.file("empty"));
}

TEST_CASE("ELF bad input: unknown class and data encoding") {
  auto bytes = small_core().build();
  bytes[4] = std::byte{3};
  CHECK(parse_error(bytes).offset() == 4u);
  bytes = small_core().build();
  bytes[5] = std::byte{0};
  CHECK(parse_error(bytes).offset() == 5u);
}

TEST_CASE("ELF bad input: an executable is not a core") {
  TestElf elf = small_core();
  elf.e_type = 2;  // ET_EXEC: a vmlinux given by mistake
  CHECK(parse_error(elf.build()).code() == ErrorCode::BadInput);
}

TEST_CASE("ELF bad input: truncated inside the ELF header") {
  auto bytes = small_core().build();
  for (size_t cut = 0; cut < 64; ++cut) {
    CAPTURE(cut);
    std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
    Error e = parse_error(part);
    CHECK(e.code() == ErrorCode::Corrupt);
    CHECK(e.offset().has_value());
  }
}

TEST_CASE("ELF bad input: truncated inside the program headers") {
  SpecMemory spec = load_spec("basic.spec");
  TempDir dir;
  REQUIRE(write_elf_core(spec.source(), dir.file("core"), {}));
  auto bytes = read_file(dir.file("core"));
  Layout l = layout_of(bytes);
  for (uint64_t cut = l.phoff; cut < l.phoff + l.phnum * 56; cut += 7) {
    CAPTURE(cut);
    std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
    Error e = parse_error(part);
    CHECK(e.code() == ErrorCode::Corrupt);
    CHECK(e.message().find("program header table") != std::string::npos);
  }
}

TEST_CASE("ELF bad input: truncated inside the notes") {
  SpecMemory spec = load_spec("basic.spec");
  TempDir dir;
  REQUIRE(write_elf_core(spec.source(), dir.file("core"), {}));
  auto bytes = read_file(dir.file("core"));
  Layout l = layout_of(bytes);
  for (uint64_t cut = l.notes_off; cut < l.notes_off + l.notes_size; cut += 5) {
    CAPTURE(cut);
    std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
    auto core = parse_ok(part);  // the program headers are intact: usable, with problems
    CHECK_FALSE(core->problems().empty());
    CHECK_FALSE(core->info().vmcoreinfo);
    CHECK(core->ranges().size() == spec.ranges().size());
    CHECK(read_error(*core, 0x100000) == ErrorCode::NoData);
  }
}

TEST_CASE("ELF bad input: truncated inside segment data keeps the readable prefix") {
  SpecMemory spec = load_spec("basic.spec");
  TempDir dir;
  REQUIRE(write_elf_core(spec.source(), dir.file("core"), {}));
  auto bytes = read_file(dir.file("core"));
  auto whole = parse_ok(bytes);
  for (const auto& seg : whole->segments()) {
    if (seg.file_size == 0) continue;
    for (uint64_t into : {uint64_t{0}, uint64_t{1}, seg.file_size / 2 + 3}) {
      uint64_t cut = seg.file_offset + into;
      CAPTURE(cut);
      std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
      std::string path = dir.file("cut");
      write_file(path, part);
      auto dump = open_one(path);  // through the CLI's path: the problems name the file
      REQUIRE_FALSE(dump->problems().empty());
      CHECK(dump->problems()[0].file() == path);
      CHECK(dump->problems()[0].offset() == seg.file_offset);
      CHECK(std::equal(dump->ranges().begin(), dump->ranges().end(), spec.ranges().begin(), spec.ranges().end()));
      if (into > 0) {
        std::vector<std::byte> want(into), got(into);
        REQUIRE(spec.read_exact(seg.paddr, want));
        REQUIRE(dump->read_exact(seg.paddr, got));
        CHECK(want == got);
      }
      CHECK(read_error(*dump, seg.paddr.value() + into) == ErrorCode::NoData);
    }
  }
}

TEST_CASE("ELF bad input: e_phnum absurd") {
  TestElf elf = small_core();
  elf.e_phnum = 0xfffe;
  Error e = parse_error(elf.build());
  CHECK(e.code() == ErrorCode::Corrupt);
  CHECK(e.message().find("program header table") != std::string::npos);
  // PN_XNUM with a count of 4 billion: refused by bounds, nothing allocated.
  elf.e_phnum = 0xffff;
  elf.e_shoff = 0x100;
  std::vector<std::byte> shdr0(64);
  elf.put(shdr0, 44, 0xffffffff, 4);
  elf.blobs.push_back({0x100, shdr0});
  CHECK(parse_error(elf.build()).code() == ErrorCode::Corrupt);
  // PN_XNUM but no section header table.
  elf.e_shoff = 0;
  CHECK(parse_error(elf.build()).message().find("PN_XNUM") != std::string::npos);
  // Zero program headers, and e_phentsize too small.
  elf = small_core();
  elf.e_phnum = 0;
  CHECK(parse_error(elf.build()).code() == ErrorCode::Corrupt);
  elf = small_core();
  elf.e_phentsize = 20;
  CHECK(parse_error(elf.build()).message().find("e_phentsize") != std::string::npos);
}

TEST_CASE("ELF bad input: PT_LOAD offset past end of file") {
  TestElf elf = small_core();
  elf.phdrs[1].offset = uint64_t{1} << 40;
  auto core = parse_ok(elf.build());
  REQUIRE(core->problems().size() == 1);
  CHECK(core->problems()[0].offset() == uint64_t{1} << 40);
  CHECK(read_error(*core, 0x100000) == ErrorCode::NoData);
  CHECK(read_byte(*core, 0x200000) == filled(0x1000, 2)[0]);  // the other segment is fine
  // An offset so large that offset + size wraps.
  elf.phdrs[1].offset = ~uint64_t{0} - 0x10;
  core = parse_ok(elf.build());
  CHECK(core->problems().size() == 1);
  CHECK(read_error(*core, 0x100000) == ErrorCode::NoData);
}

TEST_CASE("ELF bad input: PT_LOAD physical range wraps around") {
  TestElf elf = small_core();
  elf.phdrs[1].paddr = ~uint64_t{0} - 0xfff;
  auto core = parse_ok(elf.build());
  CHECK(core->problems().size() == 1);
  CHECK(core->ranges().size() == 1);
}

TEST_CASE("ELF bad input: note with bad namesz") {
  TestElf elf = small_core();
  std::vector<std::byte> notes = make_note("CORE", 1, std::string(336, '\0'));
  append(notes, make_note("VMCOREINFO", 0, "PAGESIZE=4096\n", false, 0x7fffffff));
  elf.phdrs[0].filesz = notes.size();
  elf.blobs[0].second = notes;
  auto core = parse_ok(elf.build());
  REQUIRE(core->problems().size() == 1);
  CHECK(core->problems()[0].message().find("namesz") != std::string::npos);
  CHECK(core->info().prstatus_count == 1);  // notes before the bad one are kept
  CHECK_FALSE(core->info().vmcoreinfo);
  CHECK(read_byte(*core, 0x100000) == filled(0x2000, 1)[0]);
}

TEST_CASE("ELF bad input: note with bad descsz") {
  TestElf elf = small_core();
  std::vector<std::byte> notes = make_note("VMCOREINFO", 0, "PAGESIZE=4096\n", false, {}, 0xfffffff0);
  elf.phdrs[0].filesz = notes.size();
  elf.blobs[0].second = notes;
  auto core = parse_ok(elf.build());
  REQUIRE(core->problems().size() == 1);
  CHECK(core->problems()[0].message().find("descsz") != std::string::npos);
  CHECK(core->problems()[0].offset().has_value());
  CHECK_FALSE(core->info().vmcoreinfo);
}

TEST_CASE("ELF bad input: PT_NOTE past the end of the file") {
  TestElf elf = small_core();
  elf.phdrs[0].offset = 0x100000;
  auto core = parse_ok(elf.build());
  REQUIRE(core->problems().size() == 1);
  CHECK(core->problems()[0].offset() == 0x100000u);
  CHECK(core->info().prstatus_count == 0);
}

TEST_CASE("ELF bad input: no PT_LOAD at all") {
  TestElf elf = small_core();
  elf.phdrs.resize(1);
  CHECK(parse_error(elf.build()).message().find("no PT_LOAD") != std::string::npos);
}
