// `ramsift page-owner` as one library operation on opened records: every
// record the filter keeps, handed to a sink in the input's order (the
// kernel's: by pfn), counted. The CLI and the crash extension's pageowner
// parse their flags into a PageOwnerRequest, call list_page_owner() with a
// RecordWriter as the sink (output/page_owner_records.h) and print the
// summary (page_owner_summary()).
//
//   PageOwnerRequest req;  req.filter = ...;
//   RecordWriter w(std::cout, OutputFormat::Text, input.source().text_format());
//   RAMSIFT_TRY(PageOwnerListing l, list_page_owner(input, req, [&](const PageOwnerRecord& r) { w.write(r); }));
//   w.finish();
//
// With `stacks` it reads the kernel's own per-stack counters instead
// (show_stacks.h), whole: the caller refuses filters with it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/analysis/filter.h"
#include "ramsift/analysis/show_stacks.h"
#include "ramsift/symbolize/chunked_walk.h"
#include "ramsift/symbolize/records_input.h"

namespace ramsift {

struct PageOwnerRequest {
  RecordFilter filter;
  bool stacks = false;      // the kernel's page_owner_stacks/show_stacks counters (dumps, 6.9+)
  bool lines = false;       // frames gain file:line and inlined functions (dumps)
  std::string modules_dir;  // .ko files for --lines' module frames
};

struct PageOwnerListing {
  uint64_t records = 0, pages = 0;           // what the sink was given
  std::optional<ShownStacks> kernel_stacks;  // with `stacks`
  std::vector<std::string> lines_problems;   // --lines: what the symbolizer could not read
};

using RecordSink = std::function<void(const PageOwnerRecord&)>;
// Where the walk is (pfn, end pfn), every 1024 records of a dump.
using WalkProgress = std::function<void(uint64_t at, uint64_t end)>;

// Formatting on the walk's threads (symbolize/chunked_walk.h): for a dump
// without --lines, each chunk of pfns gets its own state from make(),
// format() runs on a worker for every record the filter keeps, and write()
// on the caller, chunk after chunk in pfn order: the same text as the sink
// would print, made on every core.
struct ChunkedSink {
  std::function<std::unique_ptr<ChunkedWalk::Chunk>()> make;
  std::function<void(ChunkedWalk::Chunk&, const PageOwnerRecord&)> format;
  std::function<void(ChunkedWalk::Chunk&)> write;
};

// The source's own problems stay in the input (RecordsInput::verdict).
// With `chunked`, a dump's records go there instead of to `sink` (a text
// input, --lines or one thread still use the sink).
Result<PageOwnerListing> list_page_owner(RecordsInput& input, const PageOwnerRequest& request, const RecordSink& sink,
                                         const WalkProgress& progress = {}, const ChunkedSink* chunked = nullptr);

// page-owner's summary line: "N records, P pages" and, for a dump, the
// walk's counts ("(V pfns visited; unreadable: ...)").
std::string page_owner_summary(const PageOwnerListing& listing, RecordsInput& input);

}  // namespace ramsift
