// ramsift-mkdump SPEC FORMAT OUT
// Writes the synthetic memory of SPEC (see spec_memory.h) as FORMAT:
//   elf | elf-qemu | kdump-{none,zlib,lzo,snappy,zstd}[-flat][-split<N>][-v<version>]
//   | qualcomm (OUT is a directory) | raw (OUT is a prefix; prints FILE@ADDR,...)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ramsift/dump/spec_memory.h"
#include "ramsift/dump/writer.h"

using namespace ramsift;

namespace {

Status write(const SpecMemory& memory, const std::string& format, const std::string& out) {
  WriteSource source = memory.source();
  if (format == "elf") return write_elf_core(source, out);
  if (format == "elf-qemu") return write_elf_core(source, out, {.qemu_quirks = true});
  if (format == "qualcomm") return write_qualcomm_dir(source, out);
  if (format == "raw") {
    RAMSIFT_TRY(std::string list, write_raw_files(source, out));
    std::cout << list << '\n';
    return {};
  }
  if (format.starts_with("kdump-")) {
    KdumpWriteOptions options;
    std::string rest = format.substr(6);
    auto take = [&](const std::string& word) {
      if (!rest.starts_with(word)) return false;
      rest.erase(0, word.size());
      return true;
    };
    if (take("none"))
      options.codec = KdumpCodec::None;
    else if (take("zlib"))
      options.codec = KdumpCodec::Zlib;
    else if (take("lzo"))
      options.codec = KdumpCodec::Lzo;
    else if (take("snappy"))
      options.codec = KdumpCodec::Snappy;
    else if (take("zstd"))
      options.codec = KdumpCodec::Zstd;
    else
      return bad_input("unknown codec in " + format);
    while (!rest.empty()) {
      if (take("-flat")) {
        options.flattened = true;
      } else if (take("-split")) {
        options.split_parts = static_cast<unsigned>(std::stoul(rest));
        rest.erase(0, rest.find_first_not_of("0123456789"));
        if (rest.find_first_not_of("0123456789") == std::string::npos) rest.clear();
      } else if (take("-v")) {
        options.header_version = std::stoi(rest);
        rest.erase(0, rest.find_first_not_of("0123456789") == std::string::npos ? rest.size()
                                                                                : rest.find_first_not_of("0123456789"));
      } else {
        return bad_input("unknown suffix in " + format);
      }
    }
    RAMSIFT_TRY(auto files, write_kdump(source, out, options));
    for (const std::string& f : files) std::cout << f << '\n';
    return {};
  }
  return bad_input("unknown format " + format);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: ramsift-mkdump SPEC FORMAT OUT\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "ramsift-mkdump: cannot read " << argv[1] << '\n';
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto memory = SpecMemory::parse(text.str());
  if (!memory) {
    std::cerr << "ramsift-mkdump: " << argv[1] << ": " << memory.error().to_string() << '\n';
    return 2;
  }
  Status s = write(*memory, argv[2], argv[3]);
  if (!s) {
    std::cerr << "ramsift-mkdump: " << s.error().to_string() << '\n';
    return 2;
  }
  return 0;
}
