// ramsift: who owns memory in a Linux kernel dump.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"
#include "kernel_commands.h"
#include "report_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"ramsift: who owns memory in a Linux kernel dump"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ramsift 0.1.0");
  ramsift::cli::Context context;
  ramsift::cli::add_info(app, context);
  ramsift::cli::add_top(app, context);
  ramsift::cli::add_diff(app, context);
  ramsift::cli::add_flamegraph(app, context);
  ramsift::cli::add_page_owner(app, context);
  ramsift::cli::add_ps(app, context);
  ramsift::cli::add_page(app, context);
  ramsift::cli::add_vtop(app, context);
  ramsift::cli::add_extract(app, context);
  ramsift::cli::add_page_tracking(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : ramsift::cli::kFailed;
  }
  std::cout.flush();
  return context.exit_code;
}
