// open_dump()'s probe table: formats recognised but not read are named and
// refused, also with --phys-base (never taken as a raw image).
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"

using namespace ramsift;

namespace {

struct ScratchDir {
  std::string path;
  ScratchDir() {
    char tmpl[] = "/tmp/ramsift-open-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~ScratchDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::vector<unsigned char>& bytes) const {
    std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file;
  }
};

std::vector<unsigned char> with_head(std::vector<unsigned char> head, size_t size = 16384) {
  head.resize(size, 0);
  return head;
}

void put_be64(std::vector<unsigned char>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + static_cast<size_t>(i)] = static_cast<unsigned char>(v >> (8 * (7 - i)));
}

}  // namespace

TEST_CASE("open_dump names the dump formats it does not read, with or without --phys-base") {
  ScratchDir dir;
  std::vector<unsigned char> flat_elf(16384, 0);
  std::memcpy(flat_elf.data(), "makedumpfile", 12);
  put_be64(flat_elf, 16, 1);         // type
  put_be64(flat_elf, 24, 1);         // version
  put_be64(flat_elf, 4096, 0);       // first block: logical offset 0
  put_be64(flat_elf, 4096 + 8, 64);  // 64 bytes
  std::memcpy(flat_elf.data() + 4096 + 16,
              "\x7f"
              "ELF",
              4);
  struct Case {
    const char* name;
    std::vector<unsigned char> bytes;
    const char* says;
  };
  std::vector<Case> cases = {
      {"lkcd", with_head({0xed, 0x23, 0x8f, 0x61, 0x73, 0x01, 0x19, 0xa8}), "LKCD"},
      {"lkcd-be", with_head({0xa8, 0x19, 0x01, 0x73, 0x61, 0x8f, 0x23, 0xed}), "LKCD"},
      {"sadump", with_head({'s', 'a', 'd', 'u', 'm', 'p', 0, 0}), "sadump"},
      {"xen", with_head({0xed, 0xeb, 0x0f, 0xf0}), "Xen"},
      {"vmss", with_head({0xd2, 0xbe, 0xd2, 0xbe}), "VMware"},
      {"diskdump", with_head({'D', 'I', 'S', 'K', 'D', 'U', 'M', 'P'}), "DISKDUMP"},
      {"flat-elf", flat_elf, "makedumpfile -R"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string file = dir.write(c.name, c.bytes);
    std::vector<std::string> inputs{file};
    for (bool raw : {false, true}) {
      CAPTURE(raw);
      OpenOptions options;
      if (raw) options.phys_base = 0x40000000;
      auto dump = open_dump(inputs, options);
      REQUIRE_FALSE(dump);
      CHECK(dump.error().code() == ErrorCode::NotImplemented);
      CHECK(dump.error().file() == file);
      CHECK(dump.error().message().find(c.says) != std::string::npos);
      CHECK(dump.error().message().find("does not read") != std::string::npos);
    }
  }
  // Bytes of no format: unknown, and raw with --phys-base.
  std::string plain = dir.write("plain", std::vector<unsigned char>(16384, 0x5a));
  std::vector<std::string> inputs{plain};
  auto unknown = open_dump(inputs, OpenOptions{});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message().find("unknown dump format") != std::string::npos);
  OpenOptions raw;
  raw.phys_base = 0x40000000;
  CHECK(open_dump(inputs, raw));
}
