// ELF cores: /proc/vmcore copies, makedumpfile -E, QEMU dump-guest-memory.
// See elf_core.h for what is accepted and why.
#include "elf_core.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "formats.h"

namespace ramsift::dump_formats {

namespace {

constexpr uint16_t kElfTypeCore = 4;  // ET_CORE
constexpr uint16_t kPnXnum = 0xffff;  // PN_XNUM: the count is in section 0
constexpr uint32_t kPtLoad = 1;       // PT_LOAD
constexpr uint32_t kPtNote = 4;       // PT_NOTE
constexpr uint32_t kNtPrstatus = 1;   // NT_PRSTATUS
constexpr uint16_t kEmX86_64 = 62;
constexpr uint16_t kEm386 = 3;

// Field offsets that differ between the two ELF classes.
struct ClassLayout {
  unsigned ehdr_size;
  unsigned e_phoff, e_shoff, e_phentsize, e_phnum;
  unsigned phdr_size;
  unsigned p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
  unsigned sh_info;  // in a section header
  unsigned word;     // 4 or 8: size of an address or offset
};
constexpr ClassLayout kElf32{52, 28, 32, 42, 44, 32, 0, 4, 8, 12, 16, 20, 28, 28, 4};
constexpr ClassLayout kElf64{64, 32, 40, 54, 56, 56, 0, 8, 16, 24, 32, 40, 48, 44, 8};

Result<uint64_t> read_word(const ByteReader& r, uint64_t offset, const ClassLayout& layout) {
  if (layout.word == 4) {
    RAMSIFT_TRY(uint32_t v, r.u32(offset));
    return uint64_t{v};
  }
  return r.u64(offset);
}

uint64_t align_up(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

// PAGESIZE=<decimal> from the VMCOREINFO text, 0 if absent or implausible.
uint32_t page_size_from_vmcoreinfo(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("PAGESIZE=")) {
      line.remove_prefix(9);
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
      if (ec == std::errc() && value >= 512 && value <= (1u << 24) && (value & (value - 1)) == 0)
        return static_cast<uint32_t>(value);
      return 0;
    }
    pos = end + 1;
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<ElfCore>> ElfCore::parse(std::span<const std::byte> bytes, std::string origin) {
  std::unique_ptr<ElfCore> core(new ElfCore());
  core->origin_ = std::move(origin);
  core->reader_ = ByteReader(bytes, core->origin_);
  RAMSIFT_TRY_STATUS(core->load());
  return core;
}

Result<std::unique_ptr<ElfCore>> ElfCore::open(MappedFile file) {
  std::unique_ptr<ElfCore> core(new ElfCore());
  core->file_ = std::move(file);
  core->origin_ = core->file_->path();
  core->reader_ = ByteReader(core->file_->bytes(), core->origin_);
  RAMSIFT_TRY_STATUS(core->load());
  return core;
}

Status ElfCore::load() {
  const ByteReader& r = reader_;
  auto bad = [&](std::string message, uint64_t offset) {
    return corrupt(std::move(message)).in_file(origin_).at_offset(offset);
  };

  RAMSIFT_TRY(auto ident, r.span(0, 16));
  if (!elf_core_probe(ident)) return bad("not an ELF file (wrong magic)", 0);
  uint8_t elf_class = static_cast<uint8_t>(ident[4]);
  uint8_t elf_data = static_cast<uint8_t>(ident[5]);
  if (elf_class != 1 && elf_class != 2) return bad("unknown ELF class " + std::to_string(elf_class), 4);
  if (elf_data != 1 && elf_data != 2) return bad("unknown ELF data encoding " + std::to_string(elf_data), 5);
  reader_.set_endian(elf_data == 1 ? Endian::Little : Endian::Big);
  class_bits_ = elf_class == 1 ? 32 : 64;
  const ClassLayout& layout = elf_class == 1 ? kElf32 : kElf64;

  // The whole header must be there; e_ehsize itself is not trusted (QEMU 7.2
  // writes 8).
  RAMSIFT_TRY(ByteReader ehdr, r.sub(0, layout.ehdr_size));
  RAMSIFT_TRY(uint16_t type, ehdr.u16(16));
  if (type != kElfTypeCore)
    return bad_input("an ELF file, but not a core dump (e_type " + std::to_string(type) +
                     "; a vmlinux or module is not a dump)")
        .in_file(origin_)
        .at_offset(16);
  RAMSIFT_TRY(uint16_t machine, ehdr.u16(18));
  RAMSIFT_TRY(uint64_t phoff, read_word(ehdr, layout.e_phoff, layout));
  RAMSIFT_TRY(uint64_t shoff, read_word(ehdr, layout.e_shoff, layout));
  RAMSIFT_TRY(uint16_t phentsize, ehdr.u16(layout.e_phentsize));
  RAMSIFT_TRY(uint16_t phnum16, ehdr.u16(layout.e_phnum));

  uint64_t phnum = phnum16;
  if (phnum16 == kPnXnum) {
    if (shoff == 0) return bad("e_phnum is PN_XNUM but there is no section header 0 to hold the count", layout.e_phnum);
    auto shdr0 = r.sub(shoff, layout.sh_info + 4);
    if (!shdr0)
      return std::move(shdr0).error().with_context("section header 0 (holding the PN_XNUM program header count)");
    RAMSIFT_TRY(uint32_t count, shdr0->u32(layout.sh_info));
    phnum = count;
  }
  if (phnum == 0) return bad("no program headers", layout.e_phnum);
  if (phentsize < layout.phdr_size)
    return bad("e_phentsize " + std::to_string(phentsize) + " is smaller than a program header (" +
                   std::to_string(layout.phdr_size) + ")",
               layout.e_phentsize);

  info_.format = "ELF core";
  info_.files = {origin_};
  info_.elf_machine = machine;
  info_.arch = arch_from_elf_machine(machine);

  RAMSIFT_TRY_STATUS(read_program_headers(phoff, phentsize, phnum));
  if (segments_.empty()) return bad("no PT_LOAD segment: the file holds no memory", phoff);
  build_pieces();

  if (info_.vmcoreinfo) info_.page_size = page_size_from_vmcoreinfo(*info_.vmcoreinfo);
  // x86 has one base page size; other architectures choose theirs at build
  // time and only VMCOREINFO tells.
  if (info_.page_size == 0 && (machine == kEmX86_64 || machine == kEm386)) info_.page_size = 4096;

  uint64_t page = info_.page_size ? info_.page_size : 4096;
  for (const Piece& p : pieces_) {
    if (p.has_data) continue;
    uint64_t first = p.start.value() / page;
    uint64_t last = (p.end().value() - 1) / page;
    info_.excluded_pages += last - first + 1;
  }
  return {};
}

Status ElfCore::read_program_headers(uint64_t phoff, uint64_t phentsize, uint64_t phnum) {
  const ByteReader& r = reader_;
  const ClassLayout& layout = class_bits_ == 32 ? kElf32 : kElf64;
  uint64_t table_size;
  if (mul_overflows(phentsize, phnum, &table_size))
    return corrupt("program header table size overflows").in_file(origin_).at_offset(phoff);
  auto table = r.sub(phoff, table_size);
  if (!table)
    return std::move(table).error().with_context("program header table (" + std::to_string(phnum) + " entries of " +
                                                 std::to_string(phentsize) + " bytes at " + hex(phoff) + ")");

  const uint64_t file_size = r.size();
  std::vector<unsigned> truncated;
  for (uint64_t i = 0; i < phnum; ++i) {
    RAMSIFT_TRY(ByteReader ph, table->sub(i * phentsize, layout.phdr_size));
    RAMSIFT_TRY(uint32_t type, ph.u32(layout.p_type));
    if (type != kPtLoad && type != kPtNote) continue;
    RAMSIFT_TRY(uint64_t offset, read_word(ph, layout.p_offset, layout));
    RAMSIFT_TRY(uint64_t vaddr, read_word(ph, layout.p_vaddr, layout));
    RAMSIFT_TRY(uint64_t paddr, read_word(ph, layout.p_paddr, layout));
    RAMSIFT_TRY(uint64_t filesz, read_word(ph, layout.p_filesz, layout));
    RAMSIFT_TRY(uint64_t memsz, read_word(ph, layout.p_memsz, layout));
    RAMSIFT_TRY(uint64_t align, read_word(ph, layout.p_align, layout));
    const unsigned index = static_cast<unsigned>(i);
    const std::string name = "program header " + std::to_string(index);

    if (type == kPtNote) {
      read_notes(offset, filesz, align, index);
      continue;
    }
    if (filesz > memsz) {
      problems_.push_back(
          corrupt(name + ": p_filesz " + hex(filesz) + " > p_memsz " + hex(memsz) + "; the file bytes are used")
              .in_file(origin_)
              .at_offset(ph.base_offset()));
      memsz = filesz;
    }
    if (memsz == 0) continue;
    uint64_t end;
    if (add_overflows(paddr, memsz, &end)) {
      problems_.push_back(
          corrupt(name + ": physical range " + hex(paddr) + " + " + hex(memsz) + " wraps around; segment ignored")
              .in_file(origin_)
              .at_offset(ph.base_offset()));
      continue;
    }
    Segment s;
    s.index = index;
    s.paddr = PhysAddr{paddr};
    s.vaddr = vaddr;
    s.file_offset = offset;
    s.file_size = filesz;
    s.mem_size = memsz;
    s.readable = offset >= file_size ? 0 : std::min(filesz, file_size - offset);
    if (s.readable < filesz) truncated.push_back(static_cast<unsigned>(segments_.size()));
    segments_.push_back(s);
  }

  // A truncated copy: one problem for the first damaged segment (the usual
  // case is a copy cut short, so every later segment is damaged too) and one
  // counting the rest.
  if (!truncated.empty()) {
    const Segment& s = segments_[truncated.front()];
    problems_.push_back(r.out_of_bounds(s.file_offset, s.file_size)
                            .with_context("program header " + std::to_string(s.index) + " (PT_LOAD for physical " +
                                          hex(s.paddr.value()) + "-" + hex(s.paddr.value() + s.mem_size - 1) +
                                          ") runs past the end of the file; its first " + hex(s.readable) +
                                          " bytes are read, the rest is NoData"));
    if (truncated.size() > 1)
      problems_.push_back(corrupt(std::to_string(truncated.size() - 1) +
                                  " more PT_LOAD segments lie wholly or partly past the end of the file (size " +
                                  hex(file_size) + "); their missing bytes are NoData")
                              .in_file(origin_)
                              .at_offset(file_size));
  }
  return {};
}

void ElfCore::read_notes(uint64_t offset, uint64_t size, uint64_t align, unsigned index) {
  const std::string where = "PT_NOTE (program header " + std::to_string(index) + ")";
  auto notes = reader_.sub(offset, size);
  if (!notes) {
    problems_.push_back(std::move(notes).error().with_context(where + " past the end of the file; notes ignored"));
    return;
  }
  // Core notes are 4-byte aligned even in ELF64 (the kernel's and QEMU's);
  // honour 8 only when the segment says so.
  const uint64_t a = align == 8 ? 8 : 4;
  uint64_t pos = 0;
  while (pos + 12 <= notes->size()) {
    const uint64_t header = pos;
    auto fail = [&](Result<ByteReader> r, const std::string& what) {
      problems_.push_back(Error(r.error()).with_context(where + ": note at " + hex(notes->base_offset() + header) +
                                                        ": " + what + "; later notes ignored"));
    };
    uint32_t namesz = *notes->u32(pos);
    uint32_t descsz = *notes->u32(pos + 4);
    uint32_t type = *notes->u32(pos + 8);
    // Zero padding after the last note (the kernel's per-CPU note buffers).
    if (namesz == 0 && descsz == 0 && type == 0) break;
    uint64_t name_at = pos + 12;
    auto name = notes->sub(name_at, namesz);
    if (!name) {
      fail(std::move(name), "namesz " + hex(namesz) + " too large");
      return;
    }
    uint64_t desc_at = name_at + align_up(namesz, a);
    auto desc = notes->sub(desc_at, descsz);
    if (!desc) {
      fail(std::move(desc), "descsz " + hex(descsz) + " too large");
      return;
    }
    pos = desc_at + align_up(descsz, a);

    std::string_view name_text(reinterpret_cast<const char*>(name->bytes().data()), name->size());
    name_text = name_text.substr(0, name_text.find('\0'));
    if (name_text == "CORE" && type == kNtPrstatus) {
      ++info_.prstatus_count;
    } else if (name_text == "VMCOREINFO" && !info_.vmcoreinfo) {
      std::string_view text(reinterpret_cast<const char*>(desc->bytes().data()), desc->size());
      info_.vmcoreinfo = std::string(text.substr(0, text.find('\0')));
    }
  }
}

void ElfCore::build_pieces() {
  // Each segment contributes up to two intervals: the bytes in the file and
  // the described tail that is not. Sweep over their boundaries; between two
  // boundaries the winner is the first segment with file bytes there, else
  // the first without (NoData).
  struct Interval {
    uint64_t start, end;
    bool has_data;
    size_t segment;
  };
  std::vector<Interval> intervals;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    uint64_t start = s.paddr.value();
    if (s.readable) intervals.push_back({start, start + s.readable, true, i});
    if (s.readable < s.mem_size) intervals.push_back({start + s.readable, start + s.mem_size, false, i});
  }
  std::vector<uint64_t> bounds;
  for (const Interval& iv : intervals) {
    bounds.push_back(iv.start);
    bounds.push_back(iv.end);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  std::vector<size_t> by_start(intervals.size()), by_end(intervals.size());
  for (size_t i = 0; i < intervals.size(); ++i) by_start[i] = by_end[i] = i;
  std::sort(by_start.begin(), by_start.end(),
            [&](size_t a, size_t b) { return intervals[a].start < intervals[b].start; });
  std::sort(by_end.begin(), by_end.end(), [&](size_t a, size_t b) { return intervals[a].end < intervals[b].end; });

  // Ordered by (no data, segment): *begin() is the winner.
  std::set<std::pair<bool, size_t>> active;
  auto key = [&](size_t i) { return std::make_pair(!intervals[i].has_data, intervals[i].segment); };
  size_t next_start = 0, next_end = 0;
  for (size_t b = 0; b + 1 < bounds.size(); ++b) {
    const uint64_t here = bounds[b];
    while (next_end < by_end.size() && intervals[by_end[next_end]].end <= here) active.erase(key(by_end[next_end++]));
    while (next_start < by_start.size() && intervals[by_start[next_start]].start <= here)
      active.insert(key(by_start[next_start++]));
    if (active.empty()) continue;
    const auto [no_data, seg] = *active.begin();
    const Segment& s = segments_[seg];
    Piece p;
    p.start = PhysAddr{here};
    p.size = bounds[b + 1] - here;
    p.has_data = !no_data;
    p.file_offset = p.has_data ? s.file_offset + (here - s.paddr.value()) : 0;
    if (!pieces_.empty()) {
      Piece& last = pieces_.back();
      bool contiguous = last.end() == p.start && last.has_data == p.has_data &&
                        (!p.has_data || last.file_offset + last.size == p.file_offset);
      if (contiguous) {
        last.size += p.size;
        continue;
      }
    }
    pieces_.push_back(p);
  }

  for (const Piece& p : pieces_) {
    if (!ranges_.empty() && ranges_.back().end() == p.start)
      ranges_.back().size += p.size;
    else
      ranges_.push_back({p.start, p.size});
  }
}

Result<size_t> ElfCore::read(PhysAddr addr, std::span<std::byte> out) const {
  auto it =
      std::upper_bound(pieces_.begin(), pieces_.end(), addr, [](PhysAddr a, const Piece& p) { return a < p.start; });
  if (it == pieces_.begin() || (it - 1)->end() <= addr)
    return fault("not in any PT_LOAD segment").in_file(origin_).at_address(addr);
  --it;
  if (!it->has_data)
    return no_data("described by a PT_LOAD but not in the file (p_filesz < p_memsz, or the file is truncated)")
        .in_file(origin_)
        .at_address(addr);
  size_t done = 0;
  while (done < out.size()) {
    PhysAddr here = addr + done;
    uint64_t into = here - it->start;
    uint64_t n = std::min<uint64_t>(out.size() - done, it->size - into);
    RAMSIFT_TRY(auto bytes, reader_.span(it->file_offset + into, n));
    std::memcpy(out.data() + done, bytes.data(), n);
    done += n;
    ++it;
    if (it == pieces_.end() || !it->has_data || it->start != addr + done) break;
  }
  return done;
}

bool elf_core_probe(std::span<const std::byte> head) {
  return head.size() >= 4 && head[0] == std::byte{0x7f} && head[1] == std::byte{'E'} && head[2] == std::byte{'L'} &&
         head[3] == std::byte{'F'};
}

Result<std::unique_ptr<Dump>> elf_core_open(MappedFile file, const OpenOptions&) {
  RAMSIFT_TRY(std::unique_ptr<ElfCore> core, ElfCore::open(std::move(file)));
  return std::unique_ptr<Dump>(std::move(core));
}

}  // namespace ramsift::dump_formats
