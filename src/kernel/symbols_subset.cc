#include "ramsift/kernel/symbols_subset.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "vmlinux_elf_impl.h"

namespace ramsift {

namespace {

// Non-allocated sections kept whole: the DWARF units point into them by
// section offset, and the symbol table is what every lookup starts from.
constexpr std::array<std::string_view, 8> kKeptWhole = {
    ".debug_abbrev", ".debug_str", ".debug_line_str", ".debug_str_offsets",
    ".debug_addr",   ".symtab",    ".strtab",         ".shstrtab",
};

std::string elf_problem(std::string_view what) {
  const char* m = elf_errmsg(-1);
  return std::string(what) + ": " + (m ? m : "libelf error");
}

struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Sorted, overlapping and touching ranges merged.
std::vector<Range> merged(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (r.end <= r.begin) continue;
    if (!out.empty() && r.begin <= out.back().end)
      out.back().end = std::max(out.back().end, r.end);
    else
      out.push_back(r);
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

Result<SymbolsSubset> write_symbols_subset(const DwarfTypes& dwarf, const std::string& path) {
  const VmlinuxElf& elf = dwarf.elf();
  const VmlinuxElf::Impl& in = elf.impl();
  std::vector<DwarfTypes::UnitRange> units = dwarf.used_units();
  if (units.empty()) return bad_input("no compile unit was read yet: nothing to keep").in_file(in.path);

  std::vector<Range> reads;
  for (const VmlinuxElf::FileRange& r : elf.bytes_read()) reads.push_back({r.offset, r.offset + r.size});
  reads = merged(std::move(reads));
  std::vector<Range> unit_ranges;
  for (const DwarfTypes::UnitRange& u : units) unit_ranges.push_back({u.begin, u.end});
  unit_ranges = merged(std::move(unit_ranges));

  GElf_Ehdr ehdr;
  if (!gelf_getehdr(in.elf, &ehdr)) return corrupt(elf_problem("ELF header")).in_file(in.path);
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(in.elf, &shstrndx) != 0) return corrupt(elf_problem("section name table")).in_file(in.path);
  if (shstrndx >= SHN_LORESERVE)
    return not_implemented("an extended section name table index (" + std::to_string(shstrndx) + ")").in_file(in.path);

  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return io_error(std::strerror(errno)).in_file(path);
  Elf* out = elf_begin(fd.get(), ELF_C_WRITE, nullptr);
  if (!out) return io_error(elf_problem("creating the ELF file")).in_file(path);
  struct Closer {
    Elf* e;
    ~Closer() { elf_end(e); }
  } closer{out};

  int elf_class = gelf_getclass(in.elf);
  if (!gelf_newehdr(out, elf_class)) return io_error(elf_problem("ELF header")).in_file(path);
  GElf_Ehdr oh;
  gelf_getehdr(out, &oh);
  oh.e_ident[EI_DATA] = ehdr.e_ident[EI_DATA];
  oh.e_ident[EI_OSABI] = ehdr.e_ident[EI_OSABI];
  oh.e_type = ehdr.e_type;
  oh.e_machine = ehdr.e_machine;
  oh.e_version = ehdr.e_version;
  oh.e_entry = ehdr.e_entry;
  oh.e_flags = ehdr.e_flags;
  oh.e_shstrndx = static_cast<GElf_Half>(shstrndx);
  if (!gelf_update_ehdr(out, &oh)) return io_error(elf_problem("ELF header")).in_file(path);

  ByteReader file(in.file, in.path);
  std::vector<std::vector<std::byte>> owned;  // buffers libelf writes at elf_update()
  SymbolsSubset made;
  made.units = units.size();
  made.units_total = dwarf.stats().compile_units;

  for (Elf_Scn* scn = elf_nextscn(in.elf, nullptr); scn; scn = elf_nextscn(in.elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) return corrupt(elf_problem("section header")).in_file(in.path);
    const char* raw_name = elf_strptr(in.elf, shstrndx, sh.sh_name);
    std::string_view name = raw_name ? raw_name : "";
    Elf_Scn* os = elf_newscn(out);
    if (!os) return io_error(elf_problem("adding section " + std::string(name))).in_file(path);
    Elf_Data* data = elf_newdata(os);
    if (!data) return io_error(elf_problem("adding section " + std::string(name))).in_file(path);
    data->d_type = ELF_T_BYTE;
    data->d_version = EV_CURRENT;
    data->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
    data->d_off = 0;
    bool has_bytes = sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && sh.sh_size > 0;
    if (has_bytes && (sh.sh_flags & SHF_COMPRESSED))
      return not_implemented("compressed section " + std::string(name) + " (SHF_COMPRESSED)").in_file(in.path);
    std::span<const std::byte> bytes;
    if (has_bytes) {
      auto span = file.span(sh.sh_offset, sh.sh_size);
      if (!span) return std::move(span).error().with_context("section " + std::string(name));
      bytes = *span;
    }
    auto keep_whole = [&] { data->d_buf = const_cast<std::byte*>(bytes.data()), data->d_size = bytes.size(); };
    if (!has_bytes) {
      data->d_buf = nullptr;
      data->d_size = sh.sh_type == SHT_NOBITS ? sh.sh_size : 0;
    } else if (sh.sh_flags & SHF_ALLOC) {
      std::vector<std::byte> kept;
      if (sh.sh_type == SHT_NOTE) {
        keep_whole();
      } else {
        for (const Range& r : reads) {
          uint64_t lo = std::max(r.begin, sh.sh_offset), hi = std::min(r.end, sh.sh_offset + sh.sh_size);
          if (lo >= hi) continue;
          if (kept.empty()) kept.assign(sh.sh_size, std::byte{0});
          std::memcpy(kept.data() + (lo - sh.sh_offset), bytes.data() + (lo - sh.sh_offset), hi - lo);
        }
        if (kept.empty()) {
          sh.sh_type = SHT_NOBITS;
          data->d_buf = nullptr;
          data->d_size = sh.sh_size;
        } else {
          owned.push_back(std::move(kept));
          data->d_buf = owned.back().data();
          data->d_size = owned.back().size();
        }
      }
    } else if (name == ".debug_info") {
      std::vector<std::byte> info;
      for (const Range& r : unit_ranges) {
        if (r.end > sh.sh_size)
          return corrupt("compile unit at " + hex(r.begin) + " runs past the end of .debug_info").in_file(in.path);
        info.insert(info.end(), bytes.begin() + static_cast<ptrdiff_t>(r.begin),
                    bytes.begin() + static_cast<ptrdiff_t>(r.end));
      }
      made.debug_info_bytes = info.size();
      owned.push_back(std::move(info));
      data->d_buf = owned.back().data();
      data->d_size = owned.back().size();
    } else if (std::find(kKeptWhole.begin(), kKeptWhole.end(), name) != kKeptWhole.end()) {
      keep_whole();
    } else {
      // Never opened by ramsift: an empty, nameless section keeps the indexes.
      sh.sh_type = SHT_NULL;
      sh.sh_name = 0;
      sh.sh_flags = 0;
      sh.sh_addr = 0;
      sh.sh_link = 0;
      sh.sh_info = 0;
      sh.sh_entsize = 0;
      data->d_buf = nullptr;
      data->d_size = 0;
    }
    sh.sh_size = data->d_size;
    GElf_Shdr osh;
    gelf_getshdr(os, &osh);
    osh = sh;
    osh.sh_offset = 0;  // laid out by libelf
    if (!gelf_update_shdr(os, &osh))
      return io_error(elf_problem("section header of " + std::string(name))).in_file(path);
  }
  if (elf_update(out, ELF_C_NULL) < 0) return io_error(elf_problem("laying out the file")).in_file(path);
  off_t written = elf_update(out, ELF_C_WRITE);
  if (written < 0) return io_error(elf_problem("writing")).in_file(path);
  made.file_bytes = static_cast<uint64_t>(written);
  elf_end(out);
  closer.e = nullptr;
  if (::fsync(fd.get()) != 0) return io_error(std::strerror(errno)).in_file(path);
  if (::close(fd.release()) != 0) return io_error(std::strerror(errno)).in_file(path);
  return made;
}

}  // namespace ramsift
