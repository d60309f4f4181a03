// `ramsift diff` output: a table for people, one JSON document or CSV for scripts.
//
//   print_diff(result, OutputFormat::Text, 4096, std::cout);
//
// Text: a summary (both sides, net change, counts of new / vanished / grown
// / shrunk keys), then one row per changed key, biggest change first:
// BEFORE, AFTER, DELTA pages, the delta's size, the change, the key (by
// stack: the frames follow, indented, "?" for a bare address).
// JSON: {"schema": "ramsift.diff", "version": 1, "by", "page_size",
// "before": {side}, "after": {side}, "delta_pages", "delta_bytes", "counts":
// {...}, "entries": [{"change", "before_pages", "after_pages",
// "delta_pages", "delta_bytes", "before_records", "after_records", <by>:
// key (by stack: "stack": [frames])}]} (docs/diff.md).
// CSV: change,before_pages,after_pages,delta_pages,delta_bytes,before_records,after_records,<by>.
#pragma once

#include <cstdint>
#include <ostream>

#include "ramsift/analysis/diff.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

void print_diff(const DiffResult& result, OutputFormat format, uint64_t page_size, std::ostream& out);
// "+1.2 MiB", "-16 KiB", "0 B".
std::string signed_size(int64_t bytes);

}  // namespace ramsift
