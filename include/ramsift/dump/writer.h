// Writing dumps: any PhysicalMemory into any format ramsift reads.
//
//   WriteSource src{&memory, Arch::Amd64, 4096};
//   write_kdump(src, "out.kdump", {.codec = KdumpCodec::Zstd});
//
// Used by the synthetic test fixtures (the same memory written into every
// format and codec must read back identically) and by `ramsift extract`
// (a trimmed dump keeping only the pages an analysis needs). A page whose
// read() says NoData, or that `include` rejects, is written as excluded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/base/arch.h"
#include "ramsift/base/error.h"
#include "ramsift/dump/memory.h"

namespace ramsift {

struct WriteSource {
  const PhysicalMemory* memory = nullptr;
  Arch arch = Arch::Amd64;  // sets e_machine / the kdump utsname machine
  uint32_t page_size = 4096;
  std::optional<std::string> vmcoreinfo;
  std::string release;                        // utsname release for the kdump header
  std::optional<uint64_t> phys_base;          // kdump sub-header
  std::function<bool(uint64_t pfn)> include;  // null: every page
};

// ELF core as /proc/vmcore (cp) or QEMU's dump-guest-memory writes it.
struct ElfWriteOptions {
  bool qemu_quirks = false;  // e_ehsize 8, a section header table, unaligned PT_LOAD offsets
  unsigned prstatus_notes = 1;
  // Excluded pages: false (makedumpfile -E) makes them the tail of the
  // PT_LOAD before them, p_filesz < p_memsz, read back as NoData; true leaves
  // them out of every PT_LOAD (a hole, read back as Fault).
  bool excluded_as_holes = false;
};
Status write_elf_core(const WriteSource& source, const std::string& path, const ElfWriteOptions& options = {});

enum class KdumpCodec { None, Zlib, Lzo, Snappy, Zstd };
const char* kdump_codec_name(KdumpCodec codec);

struct KdumpWriteOptions {
  KdumpCodec codec = KdumpCodec::Zlib;
  int header_version = 6;        // makedumpfile writes 1..6 over its history
  bool flattened = false;        // makedumpfile -F / QEMU's kdump output
  unsigned split_parts = 1;      // > 1: makedumpfile --split; files are path.1 .. path.N
  unsigned prstatus_notes = 1;   // NT_PRSTATUS notes (CPUs) in the note area, version >= 4
  bool share_zero_pages = true;  // all-zero pages point at one stored zero page (makedumpfile -d 1)
};
// Returns the files written.
Result<std::vector<std::string>> write_kdump(const WriteSource& source, const std::string& path,
                                             const KdumpWriteOptions& options = {});

// A Qualcomm ramdump directory: DDRCS<n>_<m>.BIN per range plus load.cmm
// and/or dump_info.txt, and optionally an IMEM file.
struct QualcommWriteOptions {
  bool load_cmm = true;
  bool dump_info = true;
  uint64_t max_file_size = 0;  // split ranges into several .BIN files when > 0
  struct Imem {
    std::string name = "OCIMEM.BIN";
    uint64_t base = 0x14680000;
    std::vector<std::byte> bytes;
  };
  std::optional<Imem> imem;
};
Status write_qualcomm_dir(const WriteSource& source, const std::string& dir, const QualcommWriteOptions& options = {});

// One raw file per range; returns the "FILE@ADDR,FILE@ADDR" argument that
// reads them back.
Result<std::string> write_raw_files(const WriteSource& source, const std::string& path_prefix);

}  // namespace ramsift
