// Internal: the text parsers of a Qualcomm ramdump directory, apart from the
// files so that the unit tests and the fuzz targets call them on bytes.
//
//   RAMSIFT_TRY(QualcommLayout layout, parse_dump_info(text, "dump/dump_info.txt"));
//   for (const QualcommEntry& e : layout.entries) ...  // e.file, e.start, e.size
//
// A ramdump directory, as QPST/PCAT or the boot loader's USB download writes it:
//
//   load.cmm       the Lauterbach T32 script that loads the files back:
//                    if OS.FILE(DDRCS0_0.BIN)
//                    (
//                      d.load.binary DDRCS0_0.BIN 0x80000000 /noclear
//                    )
//                  Only `d.load.binary FILE ADDR [/option...]` lines matter;
//                  the command is case-insensitive and may be abbreviated the
//                  T32 way (data.load.binary, D.LOAD.B); every other T32 line
//                  is ignored. It gives no sizes: those are the files'.
//   dump_info.txt  the collector's table; the file name is the last token,
//                  the base the second (hex), the length the third (decimal):
//                    pref               base     length               region            file name
//                    ----------------------------------------------------------------------------
//                       1 0x0000000014680000           180224               OCIMEM           OCIMEM.BIN
//                       1 0x0000000080000000       2147483648   DDR CS0 part0 Memo         DDRCS0_0.BIN
//                       2 0x0000000081b476d0             5784           CMM Script             load.cmm
//                  Header, separator and timestamp lines are ignored.
//                  ramparse (ramdump.py, AutoDumpInfoDumpInfoTXT) reads it
//                  the same way and prefers it over load.cmm; so do we.
//
// Only lines naming a file we use (RAM or IMEM, see classify_qualcomm_file)
// must be well-formed: a malformed one is an error naming the file and line.
// Lines for the other files a dump holds (CODERAM.BIN, PMIC_PON.BIN, ...)
// are kept with kind Other and never rejected, so an odd line for a file we
// do not read cannot make a dump unreadable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/error.h"

namespace ramsift::dump_formats {

enum class QualcommFileKind {
  Ram,    // DDRCS0_0.BIN, EBICS0.BIN, EBI1.BIN, ebi1_cs0.bin, VMDDR0_0.BIN
  Imem,   // OCIMEM.BIN, PIMEM.BIN, ... (the KASLR record lives in IMEM)
  Other,  // everything else: other subsystems' memories and registers
};

// ramparse's rule (ramdump.py is_ramdump_file), case-insensitive:
// RAM is "(DDR|EBI|VMDDR)[0-9_CS]+.BIN", IMEM ends in "IMEM.BIN" and is not a
// minidump "md_" file.
QualcommFileKind classify_qualcomm_file(std::string_view name);

struct QualcommEntry {
  std::string file;  // base name as listed (directories stripped)
  PhysAddr start;
  std::optional<uint64_t> size;  // dump_info.txt gives it; load.cmm does not
  int line = 0;                  // 1-based, in the file it came from
  QualcommFileKind kind = QualcommFileKind::Other;
};

struct QualcommLayout {
  std::vector<QualcommEntry> entries;  // in the order listed
  std::vector<Error> problems;         // non-fatal (collector errors noted in the file)
};

// origin names the file in errors ("dir/load.cmm").
Result<QualcommLayout> parse_load_cmm(std::string_view text, std::string_view origin = "load.cmm");
Result<QualcommLayout> parse_dump_info(std::string_view text, std::string_view origin = "dump_info.txt");

}  // namespace ramsift::dump_formats
