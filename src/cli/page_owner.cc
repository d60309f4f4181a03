// ramsift page-owner: the kernel's /sys/kernel/debug/page_owner text, from a dump.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "filter_options.h"
#include "ramsift/decode/page_owner_text.h"
#include "ramsift/output/page_owner_records.h"
#include "ramsift/symbolize/dump_records.h"
#include "records.h"
#include "show_stacks.h"

namespace ramsift::cli {

namespace {

struct PageOwnerCommand {
  RecordsOptions records;
  std::string format = "text";
  FilterOptionsText filters;
  bool freed = false;
  bool quiet = false;
  bool lines = false;
  bool stacks = false;
};

// A progress line on stderr, only on a terminal, only after a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void update(uint64_t at, uint64_t end) {
    if (!enabled_ || (++calls_ & 1023)) return;
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
  uint64_t calls_ = 0;
  bool shown_ = false;
};

}  // namespace

void add_page_owner(CLI::App& app, Context& context) {
  auto c = std::make_shared<PageOwnerCommand>();
  CLI::App* cmd = app.add_subcommand(
      "page-owner", "Every page_owner record in a dump, printed as the kernel prints /sys/kernel/debug/page_owner");
  add_records_options(*cmd, c->records, "dump");
  cmd->add_option("--format", c->format, "text (the kernel's debugfs text), json (JSON Lines) or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  add_filter_options(*cmd, c->filters, /*process_lists=*/true, /*categories=*/false);
  cmd->add_flag("--freed", c->freed,
                "Also pages whose last owner freed them, in __dump_page_owner()'s wording (buddy pages included)");
  cmd->add_flag("-q,--quiet", c->quiet, "No summary on stderr");
  cmd->add_flag("--stacks", c->stacks,
                "Print the kernel's own per-stack counts instead, as page_owner_stacks/show_stacks does (6.9+)");
  cmd->add_flag("--lines", c->lines,
                "Frames gain file:line and inlined functions (LLVM symbolizer; module frames need --modules DIR). "
                "Not the kernel's text any more");
  cmd->callback([c, &context] {
    auto filter = make_filter(c->filters, c->records, context);
    if (!filter) return;
    c->records.walk.freed = c->freed;
    if (filter->pfns) walk_over(*filter->pfns, c->records.walk);  // the walk starts at A and ends after B
    // --stacks prints the kernel's own counters, whole: a filter or another
    // format would be silently ignored, so it is refused (top --stacks
    // computes per-stack pages from the filtered records).
    if (c->stacks && (!filter->empty() || c->freed || c->format != "text" || c->lines))
      return fail(context, bad_input("--stacks prints the kernel's per-stack counters as show_stacks does: no "
                                     "filters, --freed, --lines or --format (for filtered per-stack pages: "
                                     "ramsift top --stacks with filters)"));
    auto opened = open_records(c->records, context);
    if (!opened) return;
    DumpRecords* dump = dump_records_of(*opened);
    if (c->stacks) {
      if (!dump) return fail(context, bad_input("--stacks needs a dump"));
      auto stacks = read_page_owner_stacks(dump->kernel(), dump->depot());
      if (!stacks) return fail(context, stacks.error());
      print_kernel_show_stacks(*dump, *stacks, context);
      return;
    }
    PageOwnerSource& source = opened->source();
    if (c->lines) {
      if (!dump) return fail(context, bad_input("--lines needs a dump (a text file has no addresses)"));
      dump->enable_lines(c->records.kernel.modules);
    }
    OutputFormat format = parse_format(c->format);
    RecordWriter writer(std::cout, format, source.text_format());
    Progress progress(!c->quiet && dump);
    PageOwnerRecord r;
    uint64_t printed = 0, pages = 0;
    while (source.next(r)) {
      if (dump) progress.update(dump->walker().position(), dump->walker().end());
      if (!filter->matches(r)) continue;
      writer.write(r);
      ++printed;
      pages += r.pages();
    }
    writer.finish();
    std::cout.flush();
    finish_records(*opened, context);
    if (dump && dump->lines())
      for (const std::string& p : dump->lines()->problems()) std::fprintf(stderr, "ramsift: --lines: %s\n", p.c_str());
    if (!c->quiet) {
      std::fprintf(stderr, "ramsift: %llu records, %llu pages", static_cast<unsigned long long>(printed),
                   static_cast<unsigned long long>(pages));
      if (dump) {
        const PageOwnerWalkStats& s = dump->stats();
        std::fprintf(
            stderr, " (%llu pfns visited; unreadable: %llu struct pages, %llu page_ext entries, %llu stack handles)",
            static_cast<unsigned long long>(s.pfns_visited), static_cast<unsigned long long>(s.unreadable_pages),
            static_cast<unsigned long long>(s.unreadable_page_ext), static_cast<unsigned long long>(s.bad_handles));
        if (s.problems > dump->walker().problems().size())
          std::fprintf(stderr, "; %llu problems, the first %zu shown", static_cast<unsigned long long>(s.problems),
                       dump->walker().problems().size());
      }
      std::fputc('\n', stderr);
    }
  });
}

}  // namespace ramsift::cli
