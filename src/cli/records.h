// Where a command's page_owner records come from: a debugfs text file (what
// page_owner_sort users hold) or a dump with its vmlinux. Every command that
// reads records (top, diff, flamegraph, page-owner) goes through this, so
// each takes both kinds of input the same way.
//
//   RecordsOptions in;  add_records_options(*cmd, in);
//   auto records = open_records(in, context);   // null: reported, exit code set
//   PageOwnerRecord r;
//   while (records->source().next(r)) ...
//   finish_records(*records, context);          // problems to stderr, exit 1 if any
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "ramsift/analysis/filter.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/page_owner_source.h"
#include "ramsift/symbolize/records_input.h"

namespace ramsift::cli {

struct RecordsOptions {
  // One input: a page_owner text file, or a dump (several files for a split
  // dump, a Qualcomm directory, FILE@ADDR lists).
  std::vector<std::string> inputs;
  KernelOptionsText kernel;   // --vmlinux, --modules, overrides (dumps only)
  PageOwnerWalkOptions walk;  // dumps only: pfn range, --freed
  unsigned threads = 0;       // dumps only: walker threads, 0 every core
};

// The library's opening chain (symbolize/records_input.h).
using OpenedRecords = RecordsInput;

// The request the options make (symbol_dirs: symbol_dirs()).
RecordsRequest records_request(const RecordsOptions& options);

// --pfn-range A-B (both included, analysis/filter.h) as a walk over [A, B + 1).
void walk_over(const PfnRange& range, PageOwnerWalkOptions& walk);
// Declares `input` (positional, required; null: none, a host holds the
// dump) and the kernel options.
void add_records_options(CLI::App& command, RecordsOptions& options, const char* positional = "input");
// RecordsInput::open() on the options (the host's dump when Context has
// one); the dump's problems and a failure reported. Null: exit code set.
std::unique_ptr<OpenedRecords> open_records(const RecordsOptions& options, Context& context);
// The dump side of opened records (stats, the kernel), or null for text input.
inline DumpRecords* dump_records_of(OpenedRecords& records) {
  return records.dump();
}
// The bytes per page that sizes are computed with: a dump's own page size
// (a --page-size that contradicts it is refused); for a text, --page-size,
// else 4096 with a note on stderr (the text does not say). A size that is no
// power of two from 4096 to 262144 (the kernel's PAGE_SIZE choices) is
// refused. Empty: reported, exit code set.
std::optional<uint64_t> page_size_for(OpenedRecords& records, std::optional<uint64_t> requested, Context& context);
// The note page_size_for() prints when a text's sizes assume 4096-byte pages.
void note_page_size_assumed(const Context& context);
// Declares --page-size on a command that prints sizes.
void add_page_size_option(CLI::App& command, std::optional<uint64_t>& page_size);
// Reports the source's problems on stderr; sets exit code 1 when there were
// any, 2 when there were and not one record could be read.
void finish_records(OpenedRecords& records, Context& context);

}  // namespace ramsift::cli
