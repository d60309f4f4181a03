// ELF64 little-endian cores, laid out like /proc/vmcore or like QEMU 7.2's
// dump-guest-memory (ElfWriteOptions::qemu_quirks).
//
// Layouts:
//   plain: ELF header | program headers | notes | PT_LOAD data, each segment
//          at a page-aligned offset (as /proc/vmcore since it supports mmap)
//          [| section header 0 when e_phnum is PN_XNUM, as the kernel's own
//          core writer puts it at the end]
//   qemu:  ELF header (e_ehsize 8) | section headers (NULL, .shstrtab) |
//          program headers | notes | PT_LOAD data back to back, so offsets
//          are not page aligned | .shstrtab bytes
//
// Two passes over the source: the first decides which pages are in the dump
// (the program headers come first in the file and need the count), the
// second copies their bytes.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "ramsift/dump/writer.h"

namespace ramsift {

namespace {

constexpr uint16_t kPnXnum = 0xffff;
constexpr uint64_t kEhdrSize = 64, kPhdrSize = 56, kShdrSize = 64;
constexpr std::string_view kShstrtab{"\0.shstrtab\0", 11};

struct Segment {
  uint64_t paddr = 0;
  uint64_t file_size = 0;
  uint64_t mem_size = 0;
  uint64_t offset = 0;
};

// Little-endian encoder for headers.
class Bytes {
 public:
  void u8(uint8_t v) { data_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void text(std::string_view s) { data_.append(s); }
  void zeros(size_t n) { data_.append(n, '\0'); }
  void align(size_t a) { zeros((a - data_.size() % a) % a); }
  const std::string& data() const { return data_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) data_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string data_;
};

class Output {
 public:
  static Result<Output> create(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return io_error(std::strerror(errno)).in_file(path);
    return Output(f, path);
  }
  Status write(const void* data, size_t n) {
    if (n && std::fwrite(data, 1, n, file_.get()) != n)
      return io_error(std::strerror(errno)).in_file(path_).at_offset(pos_);
    pos_ += n;
    return {};
  }
  Status write(const std::string& s) { return write(s.data(), s.size()); }
  Status pad_to(uint64_t offset) {
    static const char zeros[4096] = {};
    while (pos_ < offset) RAMSIFT_TRY_STATUS(write(zeros, std::min<uint64_t>(sizeof zeros, offset - pos_)));
    return {};
  }
  Status close() {
    if (std::fclose(file_.release()) != 0) return io_error(std::strerror(errno)).in_file(path_);
    return {};
  }
  uint64_t pos() const { return pos_; }

 private:
  struct Closer {
    void operator()(FILE* f) const { std::fclose(f); }
  };
  Output(FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::unique_ptr<FILE, Closer> file_;
  std::string path_;
  uint64_t pos_ = 0;
};

void note(Bytes& out, std::string_view name, uint32_t type, std::string_view desc) {
  out.u32(static_cast<uint32_t>(name.size() + 1));
  out.u32(static_cast<uint32_t>(desc.size()));
  out.u32(type);
  out.text(name);
  out.u8(0);
  out.align(4);
  out.text(desc);
  out.align(4);
}

// Pass 1: the PT_LOADs. A page is in the dump when `include` accepts it and
// the source has its bytes; NoData and Fault make it excluded.
Result<std::vector<Segment>> plan_segments(const WriteSource& source, bool excluded_as_holes) {
  const uint64_t page = source.page_size;
  std::vector<Segment> segments;
  std::vector<std::byte> buf(page);
  for (const PhysRange& range : source.memory->ranges()) {
    bool open = false;  // segments.back() may still grow
    for (uint64_t at = range.start.value(); at < range.end().value();) {
      uint64_t chunk = std::min(range.end().value(), (at / page + 1) * page) - at;
      bool included = !source.include || source.include(at / page);
      if (included) {
        Status s = source.memory->read_exact(PhysAddr{at}, std::span(buf).first(chunk));
        if (!s) {
          if (s.error().code() != ErrorCode::NoData && s.error().code() != ErrorCode::Fault)
            return Error(s.error()).with_context("writing ELF core: reading " + hex(at));
          included = false;
        }
      }
      if (included) {
        if (open && segments.back().file_size == segments.back().mem_size) {
          segments.back().file_size += chunk;
          segments.back().mem_size += chunk;
        } else {
          segments.push_back({at, chunk, chunk, 0});
          open = true;
        }
      } else if (excluded_as_holes) {
        open = false;
      } else if (open) {
        segments.back().mem_size += chunk;
      } else {
        segments.push_back({at, 0, chunk, 0});
        open = true;
      }
      at += chunk;
    }
  }
  return segments;
}

}  // namespace

Status write_elf_core(const WriteSource& source, const std::string& path, const ElfWriteOptions& options) {
  const ArchRow* arch = &arch_row(source.arch);
  if (!arch->elf_machine || !arch->prstatus_size)
    return bad_input("writing ELF core: unknown architecture").in_file(path);
  if (!source.memory) return bad_input("writing ELF core: no memory").in_file(path);
  if (source.page_size == 0 || (source.page_size & (source.page_size - 1)))
    return bad_input("writing ELF core: bad page size " + std::to_string(source.page_size)).in_file(path);

  RAMSIFT_TRY(std::vector<Segment> segments, plan_segments(source, options.excluded_as_holes));

  Bytes notes;
  const std::string prstatus(arch->prstatus_size, '\0');
  for (unsigned i = 0; i < options.prstatus_notes; ++i) note(notes, "CORE", 1, prstatus);  // NT_PRSTATUS
  if (source.vmcoreinfo) note(notes, "VMCOREINFO", 0, *source.vmcoreinfo);

  const bool qemu = options.qemu_quirks;
  const uint64_t phnum = segments.size() + 1;
  const bool xnum = phnum >= kPnXnum;
  // QEMU always writes NULL + .shstrtab; the plain layout needs section 0
  // only to hold a PN_XNUM count.
  const uint64_t shnum = qemu ? 2 : (xnum ? 1 : 0);
  const uint64_t phoff = qemu ? kEhdrSize + shnum * kShdrSize : kEhdrSize;
  const uint64_t notes_off = phoff + phnum * kPhdrSize;
  uint64_t offset = notes_off + notes.data().size();
  for (Segment& s : segments) {
    if (!qemu) offset = (offset + source.page_size - 1) / source.page_size * source.page_size;
    s.offset = offset;
    offset += s.file_size;
  }
  const uint64_t data_end = offset;
  // Where the section headers go, and QEMU's string table after the data.
  const uint64_t shoff = qemu ? kEhdrSize : (xnum ? (data_end + 7) / 8 * 8 : 0);
  const uint64_t shstrtab_off = data_end;

  Bytes head;
  head.text(
      "\x7f"
      "ELF");
  head.u8(2);  // ELFCLASS64
  head.u8(1);  // ELFDATA2LSB
  head.u8(1);  // EV_CURRENT
  head.zeros(9);
  head.u16(4);  // ET_CORE
  head.u16(arch->elf_machine);
  head.u32(1);  // e_version
  head.u64(0);  // e_entry
  head.u64(phoff);
  head.u64(shoff);
  head.u32(0);                     // e_flags
  head.u16(qemu ? 8 : kEhdrSize);  // QEMU 7.2 wrote sizeof(a pointer)
  head.u16(kPhdrSize);
  head.u16(xnum ? kPnXnum : static_cast<uint16_t>(phnum));
  head.u16(shnum ? kShdrSize : 0);
  head.u16(static_cast<uint16_t>(shnum));
  head.u16(qemu ? 1 : 0);  // e_shstrndx

  Bytes section_headers;
  if (shnum) {
    section_headers.zeros(44);  // NULL section up to sh_info
    section_headers.u32(xnum ? static_cast<uint32_t>(phnum) : 0);
    section_headers.zeros(16);
    if (qemu) {
      section_headers.u32(1);  // sh_name: ".shstrtab"
      section_headers.u32(3);  // SHT_STRTAB
      section_headers.u64(0);  // sh_flags
      section_headers.u64(0);  // sh_addr
      section_headers.u64(shstrtab_off);
      section_headers.u64(kShstrtab.size());
      section_headers.zeros(24);
    }
  }
  if (qemu) head.text(section_headers.data());

  head.u32(4);  // PT_NOTE
  head.u32(0);
  head.u64(notes_off);
  head.u64(0);
  head.u64(0);
  head.u64(notes.data().size());
  head.u64(notes.data().size());
  head.u64(0);
  for (const Segment& s : segments) {
    head.u32(1);             // PT_LOAD
    head.u32(qemu ? 0 : 7);  // kexec-tools marks RAM RWX; QEMU writes 0
    head.u64(s.offset);
    head.u64(qemu ? s.paddr : 0);  // QEMU without paging: vaddr = paddr
    head.u64(s.paddr);
    head.u64(s.file_size);
    head.u64(s.mem_size);
    head.u64(0);
  }
  head.text(notes.data());

  RAMSIFT_TRY(Output out, Output::create(path));
  RAMSIFT_TRY_STATUS(out.write(head.data()));

  // Pass 2: the bytes.
  std::vector<std::byte> buf(std::max<uint64_t>(source.page_size, 1 << 20));
  for (const Segment& s : segments) {
    RAMSIFT_TRY_STATUS(out.pad_to(s.offset));
    for (uint64_t done = 0; done < s.file_size;) {
      uint64_t n = std::min<uint64_t>(buf.size(), s.file_size - done);
      Status read = source.memory->read_exact(PhysAddr{s.paddr + done}, std::span(buf).first(n));
      if (!read) return Error(read.error()).with_context("writing ELF core: the source changed between passes");
      RAMSIFT_TRY_STATUS(out.write(buf.data(), n));
      done += n;
    }
  }
  if (qemu) {
    RAMSIFT_TRY_STATUS(out.write(kShstrtab.data(), kShstrtab.size()));
  } else if (xnum) {
    RAMSIFT_TRY_STATUS(out.pad_to(shoff));
    RAMSIFT_TRY_STATUS(out.write(section_headers.data()));
  }
  return out.close();
}

}  // namespace ramsift
