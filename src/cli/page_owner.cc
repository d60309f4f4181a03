// ramsift page-owner: the kernel's /sys/kernel/debug/page_owner text, from a
// dump (analysis/page_owner_listing.h list_page_owner()).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "ramsift/output/page_owner_records.h"
#include "ramsift/output/show_stacks.h"
#include "shared_commands.h"

namespace ramsift::cli {

namespace {

// A progress line on stderr, only on a terminal, only after a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void update(uint64_t at, uint64_t end) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1)) return;
    shown_ = true;
    std::fprintf(stderr, "\rramsift: scanning pfn %#llx of %#llx (%3.0f%%)", static_cast<unsigned long long>(at),
                 static_cast<unsigned long long>(end),
                 end ? 100.0 * static_cast<double>(at) / static_cast<double>(end) : 100.0);
  }
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  bool shown_ = false;
};

}  // namespace

ChunkedSink chunked_writer(RecordWriter& writer) {
  struct Text : ChunkedWalk::Chunk {
    std::string text;
    uint64_t records = 0;
  };
  return ChunkedSink{[] { return std::make_unique<Text>(); },
                     [&writer](ChunkedWalk::Chunk& c, const PageOwnerRecord& r) {
                       auto& t = static_cast<Text&>(c);
                       writer.format(t.text, r);
                       ++t.records;
                     },
                     [&writer](ChunkedWalk::Chunk& c) {
                       auto& t = static_cast<Text&>(c);
                       writer.write_formatted(t.text, t.records);
                     }};
}

CLI::App* declare_page_owner(CLI::App& app, PageOwnerCommand& c, bool input) {
  CLI::App* cmd = app.add_subcommand(
      "page-owner", "Every page_owner record in a dump, printed as the kernel prints /sys/kernel/debug/page_owner");
  add_records_options(*cmd, c.records, input ? "dump" : nullptr);
  cmd->add_option("--format", c.format, "text (the kernel's debugfs text), json (JSON Lines) or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  add_filter_options(*cmd, c.filters, /*process_lists=*/true, /*categories=*/false);
  cmd->add_flag("--freed", c.freed,
                "Also pages whose last owner freed them, in __dump_page_owner()'s wording (buddy pages included)");
  cmd->add_flag("-q,--quiet", c.quiet, "No summary on stderr");
  cmd->add_flag("--stacks", c.stacks,
                "Print the kernel's own per-stack counts instead, as page_owner_stacks/show_stacks does (6.9+)");
  cmd->add_flag("--lines", c.lines,
                "Frames gain file:line and inlined functions (LLVM symbolizer; module frames need --modules DIR). "
                "Not the kernel's text any more");
  return cmd;
}

std::optional<PageOwnerRequest> page_owner_request(PageOwnerCommand& c, Context& context) {
  auto filter = make_filter(c.filters, c.records, context);
  if (!filter) return std::nullopt;
  c.records.walk.freed = c.freed;
  if (filter->pfns) walk_over(*filter->pfns, c.records.walk);  // the walk starts at A and ends after B
  // --stacks prints the kernel's own counters, whole: a filter or another
  // format would be silently ignored, so it is refused (top --stacks
  // computes per-stack pages from the filtered records).
  if (c.stacks && (!filter->empty() || c.freed || c.format != "text" || c.lines))
    return fail(context, bad_input("--stacks prints the kernel's per-stack counters as show_stacks does: no "
                                   "filters, --freed, --lines or --format (for filtered per-stack pages: "
                                   "ramsift top --stacks with filters)")),
           std::nullopt;
  PageOwnerRequest request;
  request.filter = std::move(*filter);
  request.stacks = c.stacks;
  request.lines = c.lines;
  request.modules_dir = c.records.kernel.modules;
  return request;
}

void finish_page_owner_command(const PageOwnerListing& listing, RecordWriter& writer, OpenedRecords& opened,
                               const PageOwnerCommand& c, Context& context) {
  if (listing.kernel_stacks) {
    print_show_stacks(*listing.kernel_stacks, std::cout);
    report_problems(listing.kernel_stacks->problems, context);
    return;
  }
  writer.finish();
  std::cout.flush();
  finish_records(opened, context);
  for (const std::string& p : listing.lines_problems) std::fprintf(stderr, "ramsift: --lines: %s\n", p.c_str());
  if (!c.quiet) std::fprintf(stderr, "ramsift: %s\n", page_owner_summary(listing, opened).c_str());
}

void add_page_owner(CLI::App& app, Context& context) {
  auto c = std::make_shared<PageOwnerCommand>();
  CLI::App* cmd = declare_page_owner(app, *c);
  cmd->callback([c, &context] {
    auto request = page_owner_request(*c, context);
    if (!request) return;
    auto opened = open_records(c->records, context);
    if (!opened) return;
    RecordWriter writer(std::cout, parse_format(c->format), opened->source().text_format());
    Progress progress(!c->quiet && opened->dump());
    ChunkedSink chunked = chunked_writer(writer);
    auto listing = list_page_owner(
        *opened, *request, [&](const PageOwnerRecord& r) { writer.write(r); },
        [&](uint64_t at, uint64_t end) { progress.update(at, end); }, &chunked);
    if (!listing) return fail(context, listing.error());
    finish_page_owner_command(*listing, writer, *opened, *c, context);
  });
}

}  // namespace ramsift::cli
