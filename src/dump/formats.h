// Internal: the probe list's entries. One file per format implements its
// pair; src/dump/open.cc calls them in order. See include/ramsift/dump/dump.h
// for how to add a format.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ramsift/base/mapped_file.h"
#include "ramsift/dump/dump.h"

namespace ramsift::dump_formats {

// elf_core.cc: ELF cores (/proc/vmcore copies, makedumpfile -E, QEMU).
bool elf_core_probe(std::span<const std::byte> head);
Result<std::unique_ptr<Dump>> elf_core_open(MappedFile file, const OpenOptions& options);

// diskdump.cc: kdump-compressed, flattened (-F) and split (--split) sets.
bool diskdump_probe(std::span<const std::byte> head);   // "KDUMP   "
bool flattened_probe(std::span<const std::byte> head);  // "makedumpfile"
Result<std::unique_ptr<Dump>> diskdump_open(std::vector<MappedFile> files, const OpenOptions& options);

// qualcomm.cc: a ramdump directory with load.cmm and/or dump_info.txt.
Result<std::unique_ptr<Dump>> qualcomm_open(const std::string& directory, const OpenOptions& options);

// raw.cc: FILE@ADDR lists and a single raw image at --phys-base.
Result<std::unique_ptr<Dump>> raw_open(const std::string& file_at_addr_list, const OpenOptions& options);
Result<std::unique_ptr<Dump>> raw_open_single(MappedFile file, uint64_t phys_base, const OpenOptions& options);

}  // namespace ramsift::dump_formats
