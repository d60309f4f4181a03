// The probe list: decides the format of the inputs by content.
#include <sys/stat.h>

#include <algorithm>

#include "formats.h"
#include "ramsift/dump/dump.h"

namespace ramsift {

namespace {

bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string describe_magic(std::span<const std::byte> head) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(head.size(), 8); ++i) {
    char buf[4];
    snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(head[i]));
    out += buf;
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace

std::string arch_from_elf_machine(uint16_t machine) {
  switch (machine) {
    case 62: return "x86_64";    // EM_X86_64
    case 183: return "arm64";    // EM_AARCH64
    case 3: return "x86";        // EM_386
    case 40: return "arm";       // EM_ARM
    case 243: return "riscv64";  // EM_RISCV
    default: return "";
  }
}

namespace {

Result<std::unique_ptr<Dump>> open_by_content(std::span<const std::string> inputs, const OpenOptions& options) {
  using namespace dump_formats;
  if (inputs.empty()) return bad_input("no dump given");

  if (inputs.size() == 1) {
    const std::string& input = inputs[0];
    if (is_directory(input)) return qualcomm_open(input, options);
    if (!exists(input) && input.find('@') != std::string::npos) return raw_open(input, options);
  }

  std::vector<MappedFile> files;
  for (const std::string& path : inputs) {
    if (is_directory(path)) return bad_input("a directory can only be given alone (a Qualcomm ramdump)").in_file(path);
    RAMSIFT_TRY(MappedFile file, MappedFile::open(path));
    if (file.size() == 0) return bad_input("empty file").in_file(path);
    files.push_back(std::move(file));
  }

  auto head = [](const MappedFile& f) { return f.bytes().first(std::min<size_t>(f.size(), 4096)); };
  bool all_diskdump = std::all_of(files.begin(), files.end(), [&](const MappedFile& f) {
    return diskdump_probe(head(f)) || flattened_probe(head(f));
  });
  if (all_diskdump) return diskdump_open(std::move(files), options);

  if (files.size() > 1) {
    for (const MappedFile& f : files)
      if (!diskdump_probe(head(f)) && !flattened_probe(head(f)))
        return bad_input("several files given, but this one is not part of a kdump --split set").in_file(f.path());
  }
  MappedFile& file = files[0];
  if (elf_core_probe(head(file))) return elf_core_open(std::move(file), options);
  if (options.phys_base) return raw_open_single(std::move(file), *options.phys_base, options);
  return bad_input("unknown dump format (first bytes " + describe_magic(head(file)) +
                   "); for a raw memory image give --phys-base or FILE@ADDR")
      .in_file(file.path());
}

}  // namespace

Result<std::unique_ptr<Dump>> open_dump(std::span<const std::string> inputs, const OpenOptions& options) {
  auto dump = open_by_content(inputs, options);
  if (dump && (*dump)->info_.arch.empty()) (*dump)->info_.arch = options.arch;
  return dump;
}

}  // namespace ramsift
