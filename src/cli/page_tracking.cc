// ramsift page-tracking: Qualcomm ramparse's page tracking files
// (--print-pagetracking) from a dump, records found as the kernel finds them.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "commands.h"
#include "ramsift/base/output_file.h"
#include "ramsift/output/ramparse.h"
#include "ramsift/symbolize/dump_records.h"
#include "records.h"

namespace ramsift::cli {

namespace {

struct PageTrackingCommand {
  RecordsOptions records;
  std::string output_dir;
  bool quiet = false;
};

// %pS text ("func+0x1c/0x80", "func+0x1c/0x80 [mod]", "0xffff...") to
// ramparse's name and offset ("func", "func[mod]"; empty name when bare).
RamparseFrame frame_of(uint64_t address, const std::string& text) {
  RamparseFrame f;
  f.address = address;
  size_t space = text.find(' ');
  std::string main = text.substr(0, space);
  size_t slash = main.rfind('/');
  size_t plus = slash == std::string::npos ? std::string::npos : main.rfind('+', slash);
  if (plus == std::string::npos) return f;
  f.symbol = main.substr(0, plus);
  f.offset = std::strtoull(main.substr(plus + 1, slash - plus - 1).c_str(), nullptr, 16);
  if (space != std::string::npos && text.size() > space + 2 && text[space + 1] == '[')
    f.symbol += text.substr(space + 1);
  return f;
}

}  // namespace

void add_page_tracking(CLI::App& app, Context& context) {
  auto c = std::make_shared<PageTrackingCommand>();
  CLI::App* cmd =
      app.add_subcommand("page-tracking",
                         "Write Qualcomm ramparse's page tracking files (--print-pagetracking): page_tracking.txt, "
                         "page_tracking_freed.txt, page_frequency.txt");
  add_records_options(*cmd, c->records, "dump");
  cmd->add_option("-o,--output", c->output_dir, "The directory to write the three files into")->required();
  cmd->add_flag("-q,--quiet", c->quiet, "No summary on stderr");
  cmd->callback([c, &context] {
    c->records.walk.freed = true;
    auto opened = open_records(c->records, context);
    if (!opened) return;
    DumpRecords* dump = dump_records_of(*opened);
    if (!dump) {
      report(bad_input("page-tracking needs a dump (a page_owner text file has no addresses)"));
      context.exit_code = kFailed;
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(c->output_dir, ec);
    // Each file written beside and renamed into place; none may be an input.
    std::vector<OutputFile> files;
    std::vector<std::ofstream> streams;
    for (const char* name : {"page_tracking.txt", "page_tracking_freed.txt", "page_frequency.txt"}) {
      auto file = OutputFile::create((std::filesystem::path(c->output_dir) / name).string(), c->records.inputs);
      if (!file) {
        report(file.error());
        context.exit_code = kFailed;
        return;
      }
      streams.emplace_back(file->temp_path(), std::ios::binary);
      if (!streams.back()) {
        report(io_error("cannot write").in_file(file->temp_path()));
        context.exit_code = kFailed;
        return;
      }
      files.push_back(std::move(*file));
    }
    std::ofstream& tracking = streams[0];
    std::ofstream& freed = streams[1];
    std::ofstream& frequency = streams[2];
    const Kernel& kernel = dump->kernel();
    const Symbolizer& symbols = dump->symbolizer();
    RamparseFrequency freq(kernel.page_size() >> 10);
    PageOwnerRecord r;
    PageOwnerFrames frames;
    RamparseRecord out;
    uint64_t allocated = 0, freed_records = 0, no_free_stack = 0, unreadable = 0;
    while (dump->walker().next(r, frames)) {
      std::span<const uint64_t> stack = r.freed ? frames.free : frames.alloc;
      // ramparse skips a block whose stack handle is 0 (never freed since
      // it was allocated, for the freed side) or does not decode.
      if (stack.empty()) {
        ++no_free_stack;
        continue;
      }
      auto page = dump->model().page_address(r.pfn);
      auto ext = dump->model().page_ext_address(r.pfn);
      Result<uint64_t> flags = ext && *ext ? kernel.read_u64(**ext) : Result<uint64_t>(uint64_t{0});
      if (!page || !ext || !*ext || !flags) {
        ++unreadable;
        continue;
      }
      out.pfn = r.pfn;
      out.order = r.order;
      out.page = page->value();
      out.gfp_mask = r.gfp_mask;
      out.page_ext_flags = *flags;
      out.frames.clear();
      for (uint64_t a : stack) out.frames.push_back(frame_of(a, symbols.format(a)));
      if (r.freed) {
        out.pid = r.free_pid.value_or(-1);
        out.comm.reset();
        out.ts_nsec = r.free_ts_nsec.value_or(0);
        write_ramparse_record(freed, out);
        ++freed_records;
      } else {
        out.pid = r.pid.value_or(-1);
        out.comm = r.comm;
        out.ts_nsec = r.ts_nsec.value_or(0);
        write_ramparse_record(tracking, out);
        freq.add(out);
        ++allocated;
      }
    }
    freq.write(frequency);
    tracking.close();
    freed.close();
    frequency.close();
    if (!tracking || !freed || !frequency) {
      report(Error(ErrorCode::Io, "write failed").with_context(c->output_dir));
      context.exit_code = kFailed;
      return;
    }
    for (OutputFile& f : files)
      if (auto done = f.commit(); !done) {
        report(done.error());
        context.exit_code = kFailed;
        return;
      }
    finish_records(*opened, context);
    if (unreadable && context.exit_code == kOk) context.exit_code = kPartial;
    if (!c->quiet)
      std::fprintf(stderr,
                   "ramsift: wrote %s: %llu allocated, %llu freed records (%llu freed without a free stack skipped, "
                   "%llu unreadable)\n",
                   c->output_dir.c_str(), static_cast<unsigned long long>(allocated),
                   static_cast<unsigned long long>(freed_records), static_cast<unsigned long long>(no_free_stack),
                   static_cast<unsigned long long>(unreadable));
  });
}

}  // namespace ramsift::cli
