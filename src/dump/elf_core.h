// Internal: the ELF core reader, exposed for its tests and its fuzz target.
//
//   RAMSIFT_TRY(auto core, ElfCore::parse(bytes, "vmcore"));   // bytes outlive core
//   core->read(PhysAddr{0x100000}, buf);
//   core->segments()[0].vaddr;                                 // a hint only
//
// What it reads: ELF64 and ELF32, little- and big-endian, as /proc/vmcore
// (copied with cp, or written by makedumpfile -E) and QEMU's
// dump-guest-memory write them. Physical memory comes from the PT_LOADs'
// p_paddr; p_vaddr is recorded but never used to place bytes.
//
// The layout quirks it accepts on purpose:
//   - QEMU 7.2 writes e_ehsize = 8 (sizeof a pointer, not of the header):
//     e_ehsize is ignored, e_phoff/e_phentsize/e_phnum are trusted.
//   - More than 0xfffe program headers: e_phnum = PN_XNUM (0xffff) and the
//     real count is section header 0's sh_info (QEMU does this for big guests).
//   - PT_LOAD offsets that are not page aligned (QEMU), a section header table.
//   - p_filesz < p_memsz: the tail is described but not in the file
//     (makedumpfile -E writes excluded pages so): reads there are NoData.
//   - A PT_LOAD that runs past the end of the file (a truncated copy): its
//     readable prefix is kept, the rest is NoData, and a problem is recorded.
//   - PT_LOADs whose physical ranges overlap (x86_64 kdump lists the kernel
//     text once more besides the RAM segment holding it): for each physical
//     byte the first PT_LOAD, in program header order, that has the byte in
//     the file wins; a byte no segment has in the file is NoData. ranges() is
//     the union of all segments, sorted and disjoint, adjacent ones merged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ramsift/base/mapped_file.h"
#include "ramsift/dump/dump.h"

namespace ramsift::dump_formats {

class ElfCore : public Dump {
 public:
  // One PT_LOAD as the file describes it.
  struct Segment {
    unsigned index = 0;  // position in the program header table
    PhysAddr paddr;
    uint64_t vaddr = 0;  // recorded, never relied on
    uint64_t file_offset = 0;
    uint64_t file_size = 0;  // p_filesz
    uint64_t mem_size = 0;   // p_memsz
    uint64_t readable = 0;   // bytes of p_filesz actually in the file
  };

  // Parses bytes that must outlive the result; origin names them in errors.
  static Result<std::unique_ptr<ElfCore>> parse(std::span<const std::byte> bytes, std::string origin);
  // Takes the mapped file along.
  static Result<std::unique_ptr<ElfCore>> open(MappedFile file);

  std::span<const PhysRange> ranges() const override { return ranges_; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override;

  const std::vector<Segment>& segments() const { return segments_; }
  unsigned class_bits() const { return class_bits_; }

 private:
  // A piece of physical memory served by one segment: [start, start + size)
  // is at file offset `file_offset` when has_data, else NoData.
  struct Piece {
    PhysAddr start;
    uint64_t size = 0;
    bool has_data = false;
    uint64_t file_offset = 0;
    PhysAddr end() const { return start + size; }
  };

  ElfCore() = default;
  Status load();
  Status read_program_headers(uint64_t phoff, uint64_t phentsize, uint64_t phnum);
  void read_notes(uint64_t offset, uint64_t size, uint64_t align, unsigned index);
  void build_pieces();

  std::optional<MappedFile> file_;
  std::string origin_;
  ByteReader reader_;
  unsigned class_bits_ = 64;
  std::vector<Segment> segments_;
  std::vector<Piece> pieces_;
  std::vector<PhysRange> ranges_;
};

}  // namespace ramsift::dump_formats
