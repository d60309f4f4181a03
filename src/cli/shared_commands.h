// The commands the crash extension runs too (src/crash/commands.cc): their
// flags, declared once, and the parse of those flags into the library
// operation's request. Both callers then only open the input, call the
// operation and print its report:
//
//   TopCommand c;  CLI::App* cmd = declare_top(app, c);       // parse ...
//   auto request = top_request(c, *cmd, context);             // ... (null: reported)
//   auto input = open_records(c.input, context);              // open
//   auto report = run_top(*input, *request);                  // call (analysis/top_report.h)
//   print_top_report(*report, parse_format(c.format), out);   // print (output/top.h)
//
// input = false: no positional dump (a host program holds it); the kernel
// options stay, to override the host's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "filter_options.h"
#include "ramsift/analysis/page_owner_listing.h"
#include "ramsift/analysis/page_story.h"
#include "ramsift/analysis/top_report.h"
#include "ramsift/analysis/vtop.h"
#include "ramsift/output/page_owner_records.h"
#include "records.h"

namespace ramsift::cli {

struct TopCommand {
  RecordsOptions input;
  FilterOptionsText filters;
  std::string compat;
  std::string by;
  std::string format = "text";
  size_t top = 0;
  uint64_t min_pages = 0;
  std::optional<uint64_t> page_size;
  bool stacks = false;
  // page_owner_sort's options; their order matters to it, so they are read
  // back from CLI11's parse order, not from these variables.
  std::vector<std::string> pids, tgids, names, culls, sorts;
  bool flag = false;
  std::unique_ptr<CategoryRules> rules;  // --categories, loaded by top_request()
};
CLI::App* declare_top(CLI::App& app, TopCommand& c, bool input = true);
std::optional<TopRequest> top_request(TopCommand& c, const CLI::App& cmd, Context& context);
// Prints the report and its problems (the kernel counters' unreadable parts: exit 1).
void print_top_command(const TopReport& report, const TopCommand& c, Context& context);

struct PageOwnerCommand {
  RecordsOptions records;
  std::string format = "text";
  FilterOptionsText filters;
  bool freed = false;
  bool quiet = false;
  bool lines = false;
  bool stacks = false;
};
CLI::App* declare_page_owner(CLI::App& app, PageOwnerCommand& c, bool input = true);
// Also sets the walk's range and --freed in c.records.
std::optional<PageOwnerRequest> page_owner_request(PageOwnerCommand& c, Context& context);
// The writer's records formatted on the walk's threads (list_page_owner's ChunkedSink).
ChunkedSink chunked_writer(RecordWriter& writer);
// After list_page_owner(): the kernel's counters (--stacks) or the writer
// finished; the source's problems, --lines' problems and the summary on
// stderr (not with -q); the exit code.
void finish_page_owner_command(const PageOwnerListing& listing, RecordWriter& writer, OpenedRecords& opened,
                               const PageOwnerCommand& c, Context& context);

struct PageCommand {
  std::vector<std::string> inputs;  // the dump's files, then ADDR last (input = false: ADDR only)
  KernelOptionsText kernel;
  std::string format = "text";
  std::string handle;
};
struct PageRequest {
  DumpOptions dump;                    // the dump's files (and the kernel options)
  std::vector<PageAddress> addresses;  // parsed before the (slow) open: a typo fails fast
  std::optional<uint32_t> handle;      // --handle: one stack depot record instead
};
CLI::App* declare_page(CLI::App& app, PageCommand& c, bool input = true);
std::optional<PageRequest> page_request(const PageCommand& c, bool input, Context& context);
// The report on std::cout, each failed address and each story's problems on
// stderr; exit 2 when every address failed, 1 when some did or a story has
// problems.
void print_pages_command(const PagesReport& report, OutputFormat format, Context& context);

struct VtopCommand {
  std::vector<std::string> inputs;  // the dump's files, then the addresses (input = false: addresses only)
  KernelOptionsText kernel;
  std::string format = "text";
  bool check_fast_paths = false;
  uint64_t samples = 65536;
};
CLI::App* declare_vtop(CLI::App& app, VtopCommand& c, bool input = true);
// The dump's words and the addresses apart (input = false: every word is an address).
std::optional<std::pair<DumpOptions, std::vector<std::string>>> vtop_request(const VtopCommand& c, bool input,
                                                                             Context& context);
// --check-fast-paths (a diagnostic): the comparison printed, the exit code
// set. False when it could not run (reported).
bool check_fast_paths_command(const VtopCommand& c, const Kernel& kernel, Context& context);
// vtop()'s report on std::cout, its errors on stderr; exit 2 when nothing
// was translated, 1 when some address failed.
void print_vtop_command(const VtopReport& report, OutputFormat format, Context& context);

}  // namespace ramsift::cli
