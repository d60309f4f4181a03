// `ramsift extract` as a library operation: read what the analyses read
// (info, page-owner with --freed, page of an allocated, a compound and a
// freed page, ps, page-owner --stacks) through a RecordingDump, so its
// recorded pages are what a small dump must keep; then write those pages as
// a zstd kdump with a VMCOREINFO that finds the layout again.
//
//   RecordingDump recording(*dump, 4096);
//   RAMSIFT_TRY(auto kernel, Kernel::open(recording, options));
//   RAMSIFT_TRY(ExtractRead read, read_for_extract(*kernel, walk));
//   RAMSIFT_TRY(auto files, write_extract(*kernel, *dump, recording.pages(), temp_path));
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/dump/writer.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct ExtractRead {
  uint64_t records = 0;         // page_owner records read (freed ones included)
  std::vector<Error> problems;  // what could not be read: the extract lacks it too
};

// Every read goes through `kernel`'s dump (a RecordingDump records it).
// Fails only when page_owner's records cannot be walked at all.
Result<ExtractRead> read_for_extract(const Kernel& kernel, PageOwnerWalkOptions walk);

// VMCOREINFO for a file written from this kernel: the dump's own when it has
// one, else the facts ramsift found (so the file opens without a scan), the
// layout keys listed in Vmcoreinfo::kDerivedKey.
std::string vmcoreinfo_for(const Kernel& kernel);

// The pages of `memory` (4 KiB units, as a RecordingDump at 4096 records
// them) as a zstd kdump at `path`, in the kernel's own page size.
Result<std::vector<std::string>> write_extract(const Kernel& kernel, const PhysicalMemory& memory,
                                               const std::set<uint64_t>& pages, const std::string& path);

}  // namespace ramsift
