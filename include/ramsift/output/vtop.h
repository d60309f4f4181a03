// `ramsift vtop`: virtual-to-physical translations as crash's vtop shows
// them, one block per address: the physical address, the size of the page
// or block that maps it, which fast path (direct / linear map, kernel image)
// covers it and whether that path agrees with the page-table walk, then
// every table entry the walk read (table address, index, entry address,
// entry value). JSON: one object per address; CSV: one row per address,
// the entries in one field.
//
//   print_vtop(vtop(kernel, words).entries, OutputFormat::Text, std::cout);  // analysis/vtop.h
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ramsift/analysis/vtop.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

void print_vtop(const std::vector<VtopEntry>& entries, OutputFormat format, std::ostream& out);
// --check-fast-paths: the mappings, then each tally with its spans of
// unmapped addresses and examples, then the verdict line.
void print_fast_path_report(const FastPathReport& report, std::ostream& out);

}  // namespace ramsift
