// A small ELF file holding only what ramsift read of a vmlinux: the symbol
// table, the compile units of .debug_info that results came from (with the
// abbreviation and string sections they point into, whole), and the bytes
// of initialised sections that were read (linux_banner, the Image header, a
// format string found in .rodata), everything else of those sections zero.
// `ramsift extract --symbols` writes it after running what every command
// reads, so a committed sample carries a few MB instead of a whole vmlinux.
//
//   // after the lookups (extract runs every command's reads first):
//   RAMSIFT_TRY(SymbolsSubset made, write_symbols_subset(kernel.dwarf(), "vmlinux.sym"));
//   made.units;             // 212 of 2,843 compile units
//
// The file keeps every section header of the input in place (same indexes,
// names, addresses and sizes; symbols still point at their sections):
// allocated sections nothing read become SHT_NOBITS, non-allocated ones
// ramsift never opens (line tables, frames, ranges, locations, relocations)
// become SHT_NULL, and .debug_info is the used units one after another.
// Units are copied byte for byte: references inside a unit are relative to
// it, and those into .debug_abbrev, .debug_str, .debug_line_str,
// .debug_str_offsets and .debug_addr keep working because those sections
// are kept whole. A DW_FORM_ref_addr (a reference across units, which GCC
// and clang emit only with LTO or dwz) would break: the test that runs every
// command with the subset against the whole vmlinux is the guard.
//
// It has no program headers and no code: a file for ramsift (and for gdb's
// `ptype`), not for running or disassembling.
#pragma once

#include <cstdint>
#include <string>

#include "ramsift/base/error.h"
#include "ramsift/kernel/dwarf_types.h"

namespace ramsift {

struct SymbolsSubset {
  uint64_t units = 0;             // compile units kept
  uint64_t units_total = 0;       // compile units in the input
  uint64_t debug_info_bytes = 0;  // the subset's .debug_info
  uint64_t file_bytes = 0;        // the whole file written
};

// Writes the subset of what `dwarf` and its ELF file have answered so far to
// `path` (created or truncated: give it an OutputFile's temp_path()). Io on a
// failed write, NotImplemented for compressed debug sections (SHF_COMPRESSED),
// BadInput when no compile unit was used yet.
Result<SymbolsSubset> write_symbols_subset(const DwarfTypes& dwarf, const std::string& path);

}  // namespace ramsift
