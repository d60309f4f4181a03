// The subcommands. Each `add_*` declares its flags once (CLI11) and sets the
// callback; the callback stores the exit code in `exit_code`.
//
// Exit codes everywhere: 0 everything read; 1 a result with parts missing,
// each problem named on stderr; 2 nothing usable.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"
#include "ramsift/kernel/kernel.h"
#include "ramsift/kernel/kernel_options.h"
#include "ramsift/output/dump_info.h"

namespace ramsift::cli {

enum Exit { kOk = 0, kPartial = 1, kFailed = 2 };

// Options every command that opens a dump shares.
struct DumpOptions {
  std::vector<std::string> inputs;
  KernelOptionsText kernel;
  std::string format = "text";
};

struct Context {
  int exit_code = kOk;
  // -q on any command: no summary or note on stderr (problems still are).
  bool quiet = false;
  // Where the memory comes from when a host program holds the dump (the
  // crash extension: crash's readmem). Unset: commands open their inputs.
  // When set, a command's dump inputs only name the dump in messages.
  std::function<Result<std::unique_ptr<Dump>>()> host_dump;
};

// format: --format too (for the commands whose output has a format).
void add_dump_options(CLI::App& command, DumpOptions& options, bool format = true);
// --vmlinux, --modules, --kaslr-offset, --phys-offset, --kimage-voffset,
// --va-bits, --arch, --phys-base; in the help's kKernelOptionsGroup.
inline constexpr const char* kKernelOptionsGroup = "Dump and kernel";
void add_kernel_options(CLI::App& command, KernelOptionsText& options);
// Opens the dump (or takes the host's, Context::host_dump); prints its
// problems. nullptr (and exit code 2) on failure.
std::unique_ptr<Dump> open_or_report(const DumpOptions& options, Context& context);
OutputFormat parse_format(const std::string& name);
// For counts such as --top N: a whole number >= `min`, said plainly when not.
CLI::Validator whole_number_at_least(uint64_t min);
// The kernel in the dump (vmlinux from --vmlinux or the symbol store);
// prints the problem and sets exit code 2 on failure.
std::unique_ptr<Kernel> open_kernel(const Dump& dump, const KernelOptionsText& options, Context& context);
// Where vmlinux files are looked for: $RAMSIFT_SYMBOLS (':'-separated), then
// the symbols/ store next to the program.
std::vector<std::string> symbol_dirs();
// "ramsift: <file>: <offset>: <message>" on stderr.
void report(const Error& error);
// Each problem reported; exit code 1 (when it was 0) if there were any.
void report_problems(const std::vector<Error>& problems, Context& context);
// report(error) and exit code 2: `if (!x) return fail(context, x.error());`
void fail(Context& context, const Error& error);

void add_info(CLI::App& app, Context& context);
void add_top(CLI::App& app, Context& context);
void add_page_owner(CLI::App& app, Context& context);
void add_extract(CLI::App& app, Context& context);
// ramsift page-tracking DUMP -o DIR: ramparse's page tracking files (page_tracking.cc).
void add_page_tracking(CLI::App& app, Context& context);

}  // namespace ramsift::cli
