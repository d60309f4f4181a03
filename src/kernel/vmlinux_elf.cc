#include "ramsift/kernel/vmlinux_elf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "ramsift/base/bytes.h"
#include "vmlinux_elf_impl.h"

namespace ramsift {
namespace {

constexpr uint64_t kMaxBannerBytes = 4096;

std::string elf_message(const char* what) {
  const char* msg = elf_errmsg(-1);
  return std::string(what) + ": " + (msg ? msg : "libelf error");
}

// The identification bytes, checked before libelf sees the file so that a
// text file or an empty file gets a plain answer.
Status check_ident(std::span<const std::byte> bytes, const std::string& path) {
  ByteReader r(bytes, path);
  if (bytes.size() < 16) return bad_input("not an ELF file (" + std::to_string(bytes.size()) + " bytes)").in_file(path);
  RAMSIFT_TRY(auto magic, r.span(0, 4));
  if (std::memcmp(magic.data(),
                  "\x7f"
                  "ELF",
                  4) != 0)
    return bad_input("not an ELF file (no \\x7fELF magic)").in_file(path);
  RAMSIFT_TRY(uint8_t cls, r.u8(4));
  RAMSIFT_TRY(uint8_t data, r.u8(5));
  if (cls != ELFCLASS32 && cls != ELFCLASS64)
    return corrupt("unknown ELF class " + std::to_string(cls)).in_file(path).at_offset(4);
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return corrupt("unknown ELF data encoding " + std::to_string(data)).in_file(path).at_offset(5);
  uint64_t ehdr_size = cls == ELFCLASS64 ? 64 : 52;
  if (bytes.size() < ehdr_size) return r.out_of_bounds(0, ehdr_size).with_context("ELF header");
  return {};
}

// NT_GNU_BUILD_ID from the notes in [offset, offset + size) of the file.
Result<std::optional<std::string>> find_build_id(const ByteReader& file, uint64_t offset, uint64_t size) {
  RAMSIFT_TRY(ByteReader notes, file.sub(offset, size));
  uint64_t pos = 0;
  while (pos + 12 <= notes.size()) {
    RAMSIFT_TRY(uint32_t namesz, notes.u32(pos));
    RAMSIFT_TRY(uint32_t descsz, notes.u32(pos + 4));
    RAMSIFT_TRY(uint32_t type, notes.u32(pos + 8));
    uint64_t name_at = pos + 12;
    uint64_t desc_at = name_at + ((uint64_t{namesz} + 3) & ~uint64_t{3});
    uint64_t next = desc_at + ((uint64_t{descsz} + 3) & ~uint64_t{3});
    RAMSIFT_TRY(std::string name, notes.fixed_string(name_at, namesz));
    RAMSIFT_TRY(auto desc, notes.span(desc_at, descsz));
    if (name == "GNU" && type == NT_GNU_BUILD_ID) {
      static const char digits[] = "0123456789abcdef";
      std::string hex_id;
      for (std::byte b : desc) {
        hex_id += digits[std::to_integer<unsigned>(b) >> 4];
        hex_id += digits[std::to_integer<unsigned>(b) & 0xf];
      }
      return std::optional<std::string>(hex_id);
    }
    pos = next;
  }
  return std::optional<std::string>();
}

ElfSymbol::Kind symbol_kind(unsigned type) {
  switch (type) {
    case STT_OBJECT:
    case STT_TLS: return ElfSymbol::Kind::Object;
    case STT_FUNC:
    case STT_GNU_IFUNC: return ElfSymbol::Kind::Function;
    default: return ElfSymbol::Kind::Other;
  }
}

Status read_sections(VmlinuxElf::Impl& d) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(d.elf, &shstrndx) != 0) return corrupt(elf_message("section name table")).in_file(d.path);
  ByteReader file(d.file, d.path);
  for (Elf_Scn* scn = elf_nextscn(d.elf, nullptr); scn; scn = elf_nextscn(d.elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) return corrupt(elf_message("section header")).in_file(d.path);
    const char* name = elf_strptr(d.elf, shstrndx, shdr.sh_name);
    VmlinuxElf::Impl::Section s{name ? name : "", shdr.sh_type,   shdr.sh_flags,
                                shdr.sh_addr,     shdr.sh_offset, shdr.sh_size};
    if (s.type != SHT_NOBITS && s.size > 0 && !file.span(s.offset, s.size))
      return file.out_of_bounds(s.offset, s.size)
          .with_context("section " + s.name + " lies beyond the end of the file");
    if (s.type == SHT_NOTE && !d.build_id) {
      RAMSIFT_TRY(d.build_id, find_build_id(file, s.offset, s.size));
    }
    d.sections.push_back(std::move(s));
  }
  return {};
}

Status read_symbols(VmlinuxElf::Impl& d) {
  Elf_Scn* table = nullptr;
  GElf_Shdr table_shdr{};
  for (uint32_t wanted : {uint32_t{SHT_SYMTAB}, uint32_t{SHT_DYNSYM}}) {
    for (Elf_Scn* scn = elf_nextscn(d.elf, nullptr); scn && !table; scn = elf_nextscn(d.elf, scn)) {
      GElf_Shdr shdr;
      if (gelf_getshdr(scn, &shdr) && shdr.sh_type == wanted) {
        table = scn;
        table_shdr = shdr;
      }
    }
    if (table) break;
  }
  if (!table) return {};  // fully stripped: lookups find nothing
  Elf_Data* data = elf_getdata(table, nullptr);
  if (!data) return corrupt(elf_message("symbol table")).in_file(d.path);
  size_t entry = gelf_fsize(d.elf, ELF_T_SYM, 1, EV_CURRENT);
  if (entry == 0) return corrupt("symbol table entry size 0").in_file(d.path);
  size_t count = data->d_size / entry;
  d.symbols.reserve(count);
  std::string current_file;
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) return corrupt(elf_message("symbol")).in_file(d.path);
    const char* name = elf_strptr(d.elf, table_shdr.sh_link, sym.st_name);
    unsigned type = GELF_ST_TYPE(sym.st_info);
    unsigned bind = GELF_ST_BIND(sym.st_info);
    if (type == STT_FILE) {
      current_file = name ? name : "";
      continue;
    }
    if (type == STT_SECTION || !name || !*name) continue;
    ElfSymbol s;
    s.name = name;
    s.address = sym.st_value;
    s.size = sym.st_size;
    s.kind = symbol_kind(type);
    s.global = bind == STB_GLOBAL || bind == STB_WEAK;
    if (!s.global) s.file = current_file;
    d.symbols.push_back(std::move(s));
    d.symbol_section.push_back(sym.st_shndx);
  }
  d.by_name.resize(d.symbols.size());
  for (uint32_t i = 0; i < d.by_name.size(); ++i) d.by_name[i] = i;
  d.by_address = d.by_name;
  std::stable_sort(d.by_name.begin(), d.by_name.end(),
                   [&](uint32_t a, uint32_t b) { return d.symbols[a].name < d.symbols[b].name; });
  std::stable_sort(d.by_address.begin(), d.by_address.end(),
                   [&](uint32_t a, uint32_t b) { return d.symbols[a].address < d.symbols[b].address; });
  return {};
}

Result<VmlinuxElf::Impl*> finish_open(VmlinuxElf::Impl& d) {
  RAMSIFT_TRY_STATUS(check_ident(d.file, d.path));
  if (elf_kind(d.elf) != ELF_K_ELF) return bad_input("not an ELF file").in_file(d.path);
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(d.elf, &ehdr)) return corrupt(elf_message("ELF header")).in_file(d.path);
  d.machine = ehdr.e_machine;
  d.is_64bit = ehdr.e_ident[EI_CLASS] == ELFCLASS64;
  d.little_endian = ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
  // The section header table sits at the end of a linked file: a truncated
  // copy loses it first, and libelf then lists no sections at all (which
  // would read as "stripped").
  if (ehdr.e_shoff != 0) {
    uint64_t table = uint64_t{ehdr.e_shentsize} * std::max<uint64_t>(ehdr.e_shnum, 1);
    if (ehdr.e_shoff > d.file.size() || table > d.file.size() - ehdr.e_shoff)
      return corrupt("truncated: the section header table at offset " + hex(ehdr.e_shoff) + " (" +
                     std::to_string(table) + " bytes) lies beyond the end of the file (" +
                     std::to_string(d.file.size()) + " bytes)")
          .in_file(d.path)
          .at_offset(ehdr.e_shoff);
  }
  RAMSIFT_TRY_STATUS(read_sections(d));
  RAMSIFT_TRY_STATUS(read_symbols(d));
  return &d;
}

}  // namespace

VmlinuxElf::Impl::~Impl() {
  if (elf) elf_end(elf);
  if (fd >= 0) ::close(fd);
}

Result<VmlinuxElf> VmlinuxElf::open(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) return not_implemented(elf_message("libelf"));
  auto d = std::make_unique<Impl>();
  d->path = path;
  d->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (d->fd < 0) return io_error(std::strerror(errno)).in_file(path);
  struct stat st;
  if (fstat(d->fd, &st) != 0) return io_error(std::strerror(errno)).in_file(path);
  if (S_ISDIR(st.st_mode)) return bad_input("is a directory").in_file(path);
  if (st.st_size == 0) return bad_input("not an ELF file (empty)").in_file(path);
  // Private and writable: libdwarf relocates the DWARF of relocatable
  // objects in place; nothing is written back.
  d->elf = elf_begin(d->fd, ELF_C_READ_MMAP_PRIVATE, nullptr);
  if (!d->elf) return bad_input(elf_message("not an ELF file")).in_file(path);
  size_t size = 0;
  const char* raw = elf_rawfile(d->elf, &size);
  if (!raw) return bad_input(elf_message("not an ELF file")).in_file(path);
  d->file = std::span(reinterpret_cast<const std::byte*>(raw), size);
  RAMSIFT_TRY_STATUS(finish_open(*d));
  return VmlinuxElf(std::move(d));
}

Result<VmlinuxElf> VmlinuxElf::open_memory(std::vector<std::byte> bytes, std::string name) {
  if (elf_version(EV_CURRENT) == EV_NONE) return not_implemented(elf_message("libelf"));
  auto d = std::make_unique<Impl>();
  d->path = std::move(name);
  d->memory = std::move(bytes);
  RAMSIFT_TRY_STATUS(check_ident(d->memory, d->path));
  d->elf = elf_memory(reinterpret_cast<char*>(d->memory.data()), d->memory.size());
  if (!d->elf) return bad_input(elf_message("not an ELF file")).in_file(d->path);
  d->file = d->memory;
  RAMSIFT_TRY_STATUS(finish_open(*d));
  return VmlinuxElf(std::move(d));
}

VmlinuxElf::VmlinuxElf(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VmlinuxElf::VmlinuxElf(VmlinuxElf&&) noexcept = default;
VmlinuxElf& VmlinuxElf::operator=(VmlinuxElf&&) noexcept = default;
VmlinuxElf::~VmlinuxElf() = default;

const std::string& VmlinuxElf::path() const {
  return impl_->path;
}
uint16_t VmlinuxElf::machine() const {
  return impl_->machine;
}
bool VmlinuxElf::is_64bit() const {
  return impl_->is_64bit;
}
bool VmlinuxElf::little_endian() const {
  return impl_->little_endian;
}
std::optional<std::string> VmlinuxElf::build_id() const {
  return impl_->build_id;
}
size_t VmlinuxElf::symbol_count() const {
  return impl_->symbols.size();
}

bool VmlinuxElf::has_section(std::string_view name) const {
  return std::any_of(impl_->sections.begin(), impl_->sections.end(),
                     [&](const Impl::Section& s) { return s.name == name; });
}

std::optional<bool> VmlinuxElf::section_contains(std::string_view name, std::string_view needle) const {
  for (const Impl::Section& s : impl_->sections) {
    if (s.name != name || s.type == SHT_NOBITS) continue;
    ByteReader file(impl_->file, impl_->path);
    auto bytes = file.span(s.offset, s.size);
    if (!bytes) return std::nullopt;
    std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    size_t at = text.find(needle);
    // A `ramsift extract --symbols` subset keeps only the bytes read when it
    // was cut (the rest zero, .text without contents): a needle it lacks may
    // have been in the vmlinux.
    if (at == std::string_view::npos) return subset() ? std::nullopt : std::optional<bool>(false);
    impl_->note_read(s.offset + at, needle.size());
    return true;
  }
  return std::nullopt;
}

bool VmlinuxElf::subset() const {
  // Every kernel's linker script gives .text contents; the subset writer
  // (kernel/symbols_subset.cc) makes a section it read nothing of NOBITS.
  for (const Impl::Section& s : impl_->sections)
    if (s.name == ".text") return s.type == SHT_NOBITS;
  return false;
}

std::vector<VmlinuxElf::FileRange> VmlinuxElf::bytes_read() const {
  std::lock_guard lock(impl_->read_mutex);
  return impl_->reads;
}

Result<std::span<const std::byte>> VmlinuxElf::bytes_at(uint64_t address, uint64_t size) const {
  for (const Impl::Section& s : impl_->sections) {
    if (!(s.flags & SHF_ALLOC) || s.type == SHT_NOBITS || address < s.address) continue;
    uint64_t rel = address - s.address;
    if (rel > s.size || size > s.size - rel) continue;
    ByteReader file(impl_->file, impl_->path);
    auto bytes = file.span(s.offset + rel, size);
    if (bytes) impl_->note_read(s.offset + rel, size);
    return bytes;
  }
  return fault("no section of the file holds " + std::to_string(size) + " bytes at " + hex(address))
      .in_file(impl_->path)
      .at_address(VirtAddr(address));  // a link-time address
}

Result<std::string> VmlinuxElf::linux_banner() const {
  auto sym = symbol("linux_banner");
  if (!sym) return not_found("no symbol linux_banner").in_file(impl_->path);
  // The symbol's size is the array's (strlen + 1); without one, read on to
  // the end of the section, at most a page.
  uint64_t want = sym->size ? sym->size : kMaxBannerBytes;
  for (; want > 0; want /= 2) {
    auto bytes = bytes_at(sym->address, want);
    if (!bytes) continue;
    std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    size_t nul = text.find('\0');
    if (nul == std::string_view::npos && sym->size)
      return corrupt("linux_banner is not NUL-terminated").in_file(impl_->path);
    return std::string(text.substr(0, nul));
  }
  return fault("linux_banner at " + hex(sym->address) + " is not in a section with file contents (.bss?)")
      .in_file(impl_->path)
      .at_address(VirtAddr(sym->address));
}

std::vector<ElfSymbol> VmlinuxElf::symbols_named(std::string_view name) const {
  const Impl& d = *impl_;
  auto lo = std::lower_bound(d.by_name.begin(), d.by_name.end(), name,
                             [&](uint32_t i, std::string_view n) { return d.symbols[i].name < n; });
  std::vector<ElfSymbol> out;
  for (auto it = lo; it != d.by_name.end() && d.symbols[*it].name == name; ++it) out.push_back(d.symbols[*it]);
  return out;
}

std::optional<ElfSymbol> VmlinuxElf::symbol(std::string_view name) const {
  std::vector<ElfSymbol> all = symbols_named(name);
  if (all.empty()) return std::nullopt;
  auto global = std::find_if(all.begin(), all.end(), [](const ElfSymbol& s) { return s.global; });
  return global != all.end() ? *global : all.front();
}

std::optional<ElfSymbol> VmlinuxElf::symbol_at(uint64_t address) const {
  const Impl& d = *impl_;
  auto hi = std::upper_bound(d.by_address.begin(), d.by_address.end(), address,
                             [&](uint64_t a, uint32_t i) { return a < d.symbols[i].address; });
  if (hi == d.by_address.begin()) return std::nullopt;
  // Among the symbols at the nearest address at or below, prefer one whose
  // size covers the address.
  auto it = hi - 1;
  uint64_t at = d.symbols[*it].address;
  std::optional<ElfSymbol> best;
  for (;; --it) {
    const ElfSymbol& s = d.symbols[*it];
    if (s.address != at) break;
    if (!best || (address - s.address < s.size && !(address - best->address < best->size))) best = s;
    if (it == d.by_address.begin()) break;
  }
  return best;
}

std::vector<std::string> VmlinuxElf::files_near(uint64_t address, size_t max_files) const {
  const Impl& d = *impl_;
  std::vector<std::string> files;
  auto pos = std::lower_bound(d.by_address.begin(), d.by_address.end(), address,
                              [&](uint32_t i, uint64_t a) { return d.symbols[i].address < a; });
  size_t center = static_cast<size_t>(pos - d.by_address.begin());
  if (d.by_address.empty()) return files;
  uint32_t section = d.symbol_section[d.by_address[std::min(center, d.by_address.size() - 1)]];
  constexpr size_t kMaxSteps = 256;
  auto consider = [&](size_t k) {
    uint32_t i = d.by_address[k];
    const ElfSymbol& s = d.symbols[i];
    if (d.symbol_section[i] != section || s.file.empty()) return;
    if (std::find(files.begin(), files.end(), s.file) == files.end()) files.push_back(s.file);
  };
  // Walk outwards, nearest first.
  for (size_t step = 0; step < kMaxSteps && files.size() < max_files; ++step) {
    if (center + step < d.by_address.size()) consider(center + step);
    if (step > 0 && step <= center && files.size() < max_files) consider(center - step);
  }
  return files;
}

}  // namespace ramsift
