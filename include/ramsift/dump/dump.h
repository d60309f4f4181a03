// Opening a dump: every format behind one PhysicalMemory.
//
//   OpenOptions options;
//   RAMSIFT_TRY(auto dump, open_dump({"vmcore"}, options));
//   dump->info().format;     // "kdump-compressed"
//   dump->read(PhysAddr{0x1000}, buf);
//   for (const Error& e : dump->problems()) ...  // non-fatal: exit code 1
//
// Inputs, detected by content (magic), never by file name:
//   - one or more files: ELF core, kdump-compressed (diskdump), makedumpfile
//     flattened, or the parts of a `makedumpfile --split` set;
//   - a directory: a Qualcomm ramdump (load.cmm and/or dump_info.txt);
//   - "FILE@ADDR[,FILE@ADDR...]": raw RAM images at physical addresses;
//   - a single file of no known format with OpenOptions::phys_base: raw.
//
// How to add a format:
//   1. src/dump/<format>.cc with a `probe` on the first bytes and an `open`
//      returning a Dump subclass; keep format knowledge in that one file.
//   2. Add it to the probe list in src/dump/open.cc (order matters only when
//      two magics could both match).
//   3. Add a writer in src/dump/write/ so the synthetic tests cover it,
//      bad-input tests in tests/unit/dump/, and a fuzz target in tests/fuzz/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/arch.h"
#include "ramsift/base/error.h"
#include "ramsift/dump/memory.h"

namespace ramsift {

// A file that belongs to the dump but is not RAM (Qualcomm IMEM such as
// OCIMEM.BIN): kept aside for the kernel layer (the KASLR record lives there).
struct AuxFile {
  std::string name;  // as the dump calls it, e.g. "OCIMEM.BIN"
  std::string path;
  std::optional<PhysAddr> base;
  uint64_t size = 0;
};

struct DumpInfo {
  std::string format;                     // "ELF core", "kdump-compressed", "Qualcomm ramdump", "raw"
  std::vector<std::string> files;         // every file the memory comes from
  uint16_t elf_machine = 0;               // EM_X86_64, EM_AARCH64, ... where the format tells; 0 if not
  Arch arch = Arch::Unknown;              // Unknown when the dump does not say
  uint32_t page_size = 0;                 // 0 when the format does not say
  std::optional<std::string> vmcoreinfo;  // raw VMCOREINFO text, unparsed
  std::optional<uint64_t> phys_base;      // kdump sub-header
  std::string release;                    // kdump header utsname.release, when present
  unsigned prstatus_count = 0;            // NT_PRSTATUS notes (CPUs)
  uint64_t excluded_pages = 0;            // pages described but not dumped
  bool flattened = false;                 // read from makedumpfile's flattened (-F) stream
  unsigned split_parts = 0;               // > 1 for a --split set
  std::vector<AuxFile> aux_files;
};

struct OpenOptions {
  std::optional<uint64_t> phys_base;  // for a single raw image
  Arch arch = Arch::Unknown;          // --arch, for formats that do not say
  size_t cache_pages = 4096;          // decompressed pages kept (bounded cache)
};

class Dump : public PhysicalMemory {
 public:
  const DumpInfo& info() const { return info_; }
  // Problems that left a usable result: each names the file and offset.
  const std::vector<Error>& problems() const { return problems_; }

 protected:
  friend Result<std::unique_ptr<Dump>> open_dump(std::span<const std::string> inputs, const OpenOptions& options);
  DumpInfo info_;
  std::vector<Error> problems_;
};

// inputs: as typed on the command line (see the file comment).
Result<std::unique_ptr<Dump>> open_dump(std::span<const std::string> inputs, const OpenOptions& options);

}  // namespace ramsift
