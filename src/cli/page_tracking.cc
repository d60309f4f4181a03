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
    if (!dump) return fail(context, bad_input("page-tracking needs a dump (a page_owner text file has no addresses)"));
    std::error_code ec;
    std::filesystem::create_directories(c->output_dir, ec);
    // Each file written beside and renamed into place; none may be an input.
    std::vector<OutputFile> files;
    std::vector<std::ofstream> streams;
    for (const char* name : {"page_tracking.txt", "page_tracking_freed.txt", "page_frequency.txt"}) {
      auto file = OutputFile::create((std::filesystem::path(c->output_dir) / name).string(), c->records.inputs);
      if (!file) return fail(context, file.error());
      streams.emplace_back(file->temp_path(), std::ios::binary);
      if (!streams.back()) return fail(context, io_error("cannot write").in_file(file->temp_path()));
      files.push_back(std::move(*file));
    }
    std::ofstream& tracking = streams[0];
    std::ofstream& freed = streams[1];
    std::ofstream& frequency = streams[2];
    PageTrackingCounts n = write_page_tracking(*dump, tracking, freed, frequency);
    tracking.close();
    freed.close();
    frequency.close();
    if (!tracking || !freed || !frequency)
      return fail(context, Error(ErrorCode::Io, "write failed").with_context(c->output_dir));
    for (OutputFile& f : files)
      if (auto done = f.commit(); !done) return fail(context, done.error());
    finish_records(*opened, context);
    if (n.unreadable && context.exit_code == kOk) context.exit_code = kPartial;
    if (!c->quiet)
      std::fprintf(stderr,
                   "ramsift: wrote %s: %llu allocated, %llu freed records (%llu freed without a free stack skipped, "
                   "%llu unreadable)\n",
                   c->output_dir.c_str(), static_cast<unsigned long long>(n.allocated),
                   static_cast<unsigned long long>(n.freed), static_cast<unsigned long long>(n.no_free_stack),
                   static_cast<unsigned long long>(n.unreadable));
  });
}

}  // namespace ramsift::cli
