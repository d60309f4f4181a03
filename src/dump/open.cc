// The probe list: decides the format of the inputs by content.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string_view>

#include "flattened.h"
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

namespace {

uint64_t load_u64(std::span<const std::byte> b, size_t at, bool big) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    uint64_t byte = static_cast<uint64_t>(b[at + i]);
    v |= big ? byte << (8 * (7 - i)) : byte << (8 * i);
  }
  return v;
}

bool starts_with(std::span<const std::byte> head, std::string_view magic, size_t at = 0) {
  return head.size() >= at + magic.size() && std::memcmp(head.data() + at, magic.data(), magic.size()) == 0;
}

bool magic_u32(std::span<const std::byte> head, std::initializer_list<uint32_t> values) {
  if (head.size() < 4) return false;
  for (uint32_t v : values) {
    uint32_t le = static_cast<uint32_t>(load_u64(head, 0, false));
    uint32_t be = static_cast<uint32_t>(load_u64(head, 0, true) >> 32);
    if (le == v || be == v) return true;
  }
  return false;
}

// The probe table: every format ramsift opens, and those it recognises but
// does not read (named, never taken as a raw image). Rows are tried in
// order; adding a format is a file with its probe and open, and a row.
struct FormatRow {
  const char* name;
  bool (*probe)(std::span<const std::byte> head);  // head: up to kProbeBytes of the file
  // nullptr: recognised, not read; `unsupported` says what to do instead.
  Result<std::unique_ptr<Dump>> (*open)(std::vector<MappedFile> files, const OpenOptions& options);
  bool split_sets;  // several files may be given (kdump --split)
  const char* unsupported;
};

constexpr size_t kProbeBytes = 8192;

Result<std::unique_ptr<Dump>> open_elf(std::vector<MappedFile> files, const OpenOptions& options) {
  return dump_formats::elf_core_open(std::move(files[0]), options);
}

constexpr FormatRow kFormats[] = {
    // A flattened stream of an ELF vmcore (makedumpfile -E -F): the first
    // block, written at offset 0 of the logical file, starts with the ELF magic.
    {"flattened ELF vmcore (makedumpfile -E -F)",
     [](std::span<const std::byte> h) {
       constexpr size_t at = dump_formats::kFlatHeaderSize;
       return dump_formats::flattened_probe(h) && h.size() >= at + 20 && load_u64(h, at, true) == 0 &&
              starts_with(h,
                          "\x7f"
                          "ELF",
                          at + 16);
     },
     nullptr, false, "rebuild the ELF file with `makedumpfile -R vmcore < FILE` and open that"},
    {"kdump-compressed (makedumpfile, QEMU kdump-*), plain or flattened",
     [](std::span<const std::byte> h) { return dump_formats::diskdump_probe(h) || dump_formats::flattened_probe(h); },
     dump_formats::diskdump_open, true, nullptr},
    {"ELF core (/proc/vmcore, QEMU dump-guest-memory, makedumpfile -E)", dump_formats::elf_core_probe, open_elf, false,
     nullptr},
    // Formats crash reads that ramsift does not (crash's lkcd_*.c, sadump.c,
    // xendump.c, vmware_vmss.c; makedumpfile's diskdump_mod.h).
    {"LKCD dump",
     [](std::span<const std::byte> h) {
       return h.size() >= 8 &&
              (load_u64(h, 0, false) == 0xa8190173618f23edULL || load_u64(h, 0, true) == 0xa8190173618f23edULL);
     },
     nullptr, false, "convert it with crash or makedumpfile to an ELF or kdump-compressed vmcore"},
    {"sadump", [](std::span<const std::byte> h) { return starts_with(h, std::string_view("sadump\0\0", 8)); }, nullptr,
     false, "convert it with makedumpfile (it reads sadump) to a kdump-compressed vmcore"},
    {"Xen xc_core dump",
     [](std::span<const std::byte> h) {
       return magic_u32(h, {0xF00FEBEDu, 0xF00FEBEEu});
     },
     nullptr, false, "take a dump of the guest itself (kdump inside it, or QEMU/libvirt dump-guest-memory)"},
    {"VMware suspended state (.vmss/.vmsn)",
     [](std::span<const std::byte> h) {
       return magic_u32(h, {0xbed2bed0u, 0xbad1bad1u, 0xbed2bed2u, 0xbed3bed3u});
     },
     nullptr, false, "convert it with vmss2core to an ELF core"},
    {"diskdump (Red Hat's original, \"DISKDUMP\")",
     [](std::span<const std::byte> h) { return starts_with(h, "DISKDUMP"); }, nullptr, false,
     "convert it with makedumpfile to a kdump-compressed vmcore"},
};

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

  auto head = [](const MappedFile& f) { return f.bytes().first(std::min<size_t>(f.size(), kProbeBytes)); };
  auto row_of = [&](const MappedFile& f) -> const FormatRow* {
    for (const FormatRow& row : kFormats)
      if (row.probe(head(f))) return &row;
    return nullptr;
  };
  const FormatRow* row = row_of(files[0]);
  if (row && !row->open)
    return not_implemented(std::string("a ") + row->name + ", which ramsift does not read: " + row->unsupported)
        .in_file(files[0].path());
  if (files.size() > 1) {
    for (const MappedFile& f : files)
      if (row_of(f) != row || !row->split_sets)
        return bad_input("several files given, but this one is not part of a kdump --split set").in_file(f.path());
  }
  if (row) return row->open(std::move(files), options);
  if (options.phys_base) return raw_open_single(std::move(files[0]), *options.phys_base, options);
  return bad_input("unknown dump format (first bytes " + describe_magic(head(files[0])) +
                   "); for a raw memory image give --phys-base or FILE@ADDR")
      .in_file(files[0].path());
}

}  // namespace

Result<std::unique_ptr<Dump>> open_dump(std::span<const std::string> inputs, const OpenOptions& options) {
  auto dump = open_by_content(inputs, options);
  if (dump && (*dump)->info_.arch == Arch::Unknown) (*dump)->info_.arch = options.arch;
  return dump;
}

}  // namespace ramsift
