// ramsift: who owns memory in a Linux kernel dump.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "commands.h"
#include "kernel_commands.h"
#include "report_commands.h"

namespace {

// A reader that went away (`ramsift page-owner DUMP | head -40`): writes then
// fail with EPIPE instead of killing the process, and the run ends quietly.
volatile std::sig_atomic_t broken_pipe = 0;
extern "C" void on_sigpipe(int) {
  broken_pipe = 1;
}

// Every command's output is checked once at the end: a write that failed
// (a full disk, /dev/full) is exit 2 with the reason; a closed pipe is not
// an error.
int finish_output(int exit_code) {
  std::cout.flush();
  errno = 0;
  bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
  int error = errno;
  if (!failed || broken_pipe) return exit_code;
  std::fprintf(stderr, "ramsift: writing the output failed: %s\n", error ? std::strerror(error) : "write error");
  return ramsift::cli::kFailed;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, on_sigpipe);
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
  // -q on every command, one meaning: no summary or note on stderr. Commands
  // with their own -q (page-owner, page-tracking) keep it and set this too.
  for (CLI::App* sub : app.get_subcommands({})) {
    if (CLI::Option* own = sub->get_option_no_throw("-q")) {
      own->each([&context](const std::string&) { context.quiet = true; });
      continue;
    }
    sub->add_flag("-q,--quiet", context.quiet, "No summary or note on stderr (problems are still said)");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : ramsift::cli::kFailed;
  }
  return finish_output(context.exit_code);
}
