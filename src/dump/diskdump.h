// Internal: the kdump-compressed (diskdump) format that makedumpfile and
// QEMU write, shared by the reader (diskdump.cc) and the writer
// (write/kdump_writer.cc).
//
// File layout, in blocks of block_size bytes (= the kernel page size):
//   block 0                 struct disk_dump_header ("KDUMP   ", 464 bytes on
//                           64-bit machines)
//   block 1 ..              struct kdump_sub_header (sub_hdr_size blocks,
//                           followed there by the ELF notes and VMCOREINFO
//                           from version 3/4 on)
//   then bitmap_blocks      two bitmaps of equal size, 1 bit per pfn, LSB
//                           first: 1st = RAM present, 2nd = page dumped
//   then                    one page_desc_t {i64 offset; u32 size; u32 flags;
//                           u64 page_flags} per set bit of the 2nd bitmap,
//                           in pfn order
//   then                    the page data, compressed or not
// A `makedumpfile --split` part is a whole file of this shape whose
// sub-header says split = 1 and [start_pfn, end_pfn): its bitmaps cover
// every pfn, its descriptors only the dumped pages of its own range.
//
// The reader also works on bytes in memory, so it can be fuzzed:
//   std::vector<DiskdumpInput> in{{"vmcore", bytes}};
//   RAMSIFT_TRY(auto dump, diskdump_open_bytes(in, {}));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"

namespace ramsift::dump_formats {

namespace diskdump {

// struct disk_dump_header, 64-bit layout (makedumpfile diskdump_mod.h).
inline constexpr uint64_t kSignatureSize = 8;
inline constexpr uint64_t kOffHeaderVersion = 8;  // int
// makedumpfile has written header versions 1 to 6 (6: 64-bit max_mapnr).
inline constexpr int32_t kKnownHeaderVersion = 6;
inline constexpr uint64_t kOffUtsname = 12;        // struct new_utsname
inline constexpr uint64_t kUtsFieldSize = 65;      // sysname, nodename, release, version, machine, domainname
inline constexpr uint64_t kOffTimestamp = 408;     // struct timeval, 8-aligned after 390 bytes of utsname
inline constexpr uint64_t kOffStatus = 424;        // unsigned int
inline constexpr uint64_t kOffBlockSize = 428;     // int
inline constexpr uint64_t kOffSubHdrSize = 432;    // int, in blocks
inline constexpr uint64_t kOffBitmapBlocks = 436;  // unsigned int
inline constexpr uint64_t kOffMaxMapnr = 440;      // unsigned int (full 64 bits in the sub-header from v6)
inline constexpr uint64_t kOffTotalRamBlocks = 444;
inline constexpr uint64_t kOffDeviceBlocks = 448;
inline constexpr uint64_t kOffWrittenBlocks = 452;
inline constexpr uint64_t kOffCurrentCpu = 456;
inline constexpr uint64_t kOffNrCpus = 460;  // int
inline constexpr uint64_t kHeaderSize = 464;

// struct kdump_sub_header, 64-bit layout, at block 1.
inline constexpr uint64_t kSubPhysBase = 0;           // v1
inline constexpr uint64_t kSubDumpLevel = 8;          // v1, int
inline constexpr uint64_t kSubSplit = 12;             // v2, int
inline constexpr uint64_t kSubStartPfn = 16;          // v2 (unsigned long)
inline constexpr uint64_t kSubEndPfn = 24;            // v2
inline constexpr uint64_t kSubOffsetVmcoreinfo = 32;  // v3
inline constexpr uint64_t kSubSizeVmcoreinfo = 40;    // v3
inline constexpr uint64_t kSubOffsetNote = 48;        // v4
inline constexpr uint64_t kSubSizeNote = 56;          // v4
inline constexpr uint64_t kSubOffsetEraseinfo = 64;   // v5
inline constexpr uint64_t kSubSizeEraseinfo = 72;     // v5
inline constexpr uint64_t kSubStartPfn64 = 80;        // v6
inline constexpr uint64_t kSubEndPfn64 = 88;          // v6
inline constexpr uint64_t kSubMaxMapnr64 = 96;        // v6
inline constexpr uint64_t kSubHeaderSize = 104;

// Bytes of the sub-header a given header version defines.
inline uint64_t sub_header_size(int version) {
  if (version <= 0) return 0;
  if (version == 1) return kSubSplit;
  if (version == 2) return kSubOffsetVmcoreinfo;
  if (version == 3) return kSubOffsetNote;
  if (version == 4) return kSubOffsetEraseinfo;
  if (version == 5) return kSubStartPfn64;
  return kSubHeaderSize;
}

inline constexpr uint64_t kPageDescSize = 24;

// page_desc_t.flags (and disk_dump_header.status for the codec in use).
inline constexpr uint32_t kCompressedZlib = 0x1;
inline constexpr uint32_t kCompressedLzo = 0x2;
inline constexpr uint32_t kCompressedSnappy = 0x4;
inline constexpr uint32_t kCompressedIncomplete = 0x8;  // status only: makedumpfile ran out of space
inline constexpr uint32_t kExcludedVmemmap = 0x10;      // status only
inline constexpr uint32_t kCompressedZstd = 0x20;
inline constexpr uint32_t kCompressionMask = kCompressedZlib | kCompressedLzo | kCompressedSnappy | kCompressedZstd;

// ELF note types (the arch names: base/arch.h).
inline constexpr uint32_t kNtPrstatus = 1;

}  // namespace diskdump

struct DiskdumpInput {
  std::string name;                  // for messages and DumpInfo::files
  std::span<const std::byte> bytes;  // must outlive the dump
};

// Every part of one dump (a single file, or the parts of a --split set in
// any order), each plain or flattened.
Result<std::unique_ptr<Dump>> diskdump_open_bytes(std::vector<DiskdumpInput> inputs, const OpenOptions& options);

}  // namespace ramsift::dump_formats
