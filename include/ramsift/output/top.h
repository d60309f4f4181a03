// `ramsift top` output: a table for people, JSON or CSV for scripts.
//
//   print_top(result, OutputFormat::Text, 4096, std::cout);
//
// Text: a summary line, then one row per group (pages, size, records, the
// scalar keys; a tgid with its process name); with the stack as a key its
// frames follow the row, indented. JSON, one document: {"schema": "ramsift.top",
// "version": 1, "records", "pages", "page_size", ..., "groups": [{"pages",
// "bytes", "records", <key>: value, "process" after "tgid", "stack": [frames]}]}.
// CSV: one row per group, columns pages,bytes,records,<keys> (tgid followed by
// process), the stack's frames joined by ";".
#pragma once

#include <cstdint>
#include <ostream>

#include "ramsift/analysis/top.h"
#include "ramsift/analysis/top_report.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

void print_top(const TopResult& result, OutputFormat format, uint64_t page_size, std::ostream& out);
// run_top()'s report: page_owner_sort's text, show_stacks' wording (the
// kernel's counters or the groups by stack), or print_top().
void print_top_report(const TopReport& report, OutputFormat format, std::ostream& out);

}  // namespace ramsift
