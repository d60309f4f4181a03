#include "records.h"

#include <iostream>

#include "ramsift/decode/page_owner_text.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift::cli {

void add_records_options(CLI::App& command, RecordsOptions& options, const char* positional) {
  if (positional)
    command
        .add_option(positional, options.inputs,
                    "page_owner text (a copy of /sys/kernel/debug/page_owner), or a dump: a file (all parts of a split "
                    "dump), a Qualcomm ramdump directory, or FILE@ADDR[,FILE@ADDR...]")
        ->required();
  add_kernel_options(command, options.kernel);
  command
      .add_option("--threads", options.threads,
                  "Threads that walk a dump's pages (default 0: every core for page-owner's text, one for the rest; "
                  "the output is the same)")
      ->group(kKernelOptionsGroup);
}

RecordsRequest records_request(const RecordsOptions& options) {
  RecordsRequest request;
  request.inputs = options.inputs;
  request.kernel = options.kernel;
  request.walk = options.walk;
  request.threads = options.threads;
  request.symbol_dirs = symbol_dirs();
  return request;
}

std::unique_ptr<OpenedRecords> open_records(const RecordsOptions& options, Context& context) {
  std::vector<Error> dump_problems;
  RecordsRequest request = records_request(options);
  // Inside crash, memory is crash's readmem(), which may report an error by
  // longjmp() to crash's own prompt: only crash's thread may call it.
  if (context.host_dump) request.threads = 1;
  auto opened = RecordsInput::open(request, context.host_dump, &dump_problems);
  for (const Error& e : dump_problems) report(e);
  if (!dump_problems.empty()) context.exit_code = kPartial;
  if (!opened) {
    fail(context, opened.error());
    return nullptr;
  }
  return std::move(*opened);
}

void add_page_size_option(CLI::App& command, std::optional<uint64_t>& page_size) {
  command.add_option("--page-size", page_size,
                     "Bytes per page for sizes of a page_owner text (default 4096); a dump's own page size is used "
                     "for dumps");
}

std::optional<uint64_t> page_size_for(OpenedRecords& records, std::optional<uint64_t> requested, Context& context) {
  bool assumed = false;
  auto size = records.page_size(requested, &assumed);
  if (!size) return fail(context, size.error()), std::nullopt;
  if (assumed) note_page_size_assumed(context);
  return *size;
}

void note_page_size_assumed(const Context& context) {
  if (!context.quiet)
    std::cerr << "ramsift: note: sizes assume 4096-byte pages: a page_owner text does not say its page size "
                 "(--page-size)\n";
}

void walk_over(const PfnRange& range, PageOwnerWalkOptions& walk) {
  walk.first_pfn = range.first;
  walk.end_pfn = range.last == UINT64_MAX ? range.last : range.last + 1;
}

void finish_records(OpenedRecords& records, Context& context) {
  RecordsVerdict verdict = records.verdict();
  for (const std::string& line : verdict.lines) std::cerr << "ramsift: " << line << '\n';
  if (verdict.outcome == RecordsVerdict::Outcome::Nothing)
    context.exit_code = kFailed;
  else if (verdict.outcome == RecordsVerdict::Outcome::Partial && context.exit_code == kOk)
    context.exit_code = kPartial;
}

}  // namespace ramsift::cli
