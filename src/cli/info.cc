#include <iostream>
#include <memory>

#include "commands.h"

namespace ramsift::cli {

void add_info(CLI::App& app, Context& context) {
  auto options = std::make_shared<DumpOptions>();
  CLI::App* info = app.add_subcommand("info", "What a dump holds: format, files, architecture, memory ranges, vmcoreinfo");
  add_dump_options(*info, *options);
  info->callback([options, &context] {
    std::unique_ptr<Dump> dump = open_or_report(*options, context);
    if (!dump) return;
    print_dump_info(*dump, parse_format(options->format), std::cout);
  });
}

}  // namespace ramsift::cli
