// ramsift vtop: kernel virtual addresses to physical ones, as crash's vtop,
// with the fast path's answer beside the page-table walk's.
#include "ramsift/output/vtop.h"

#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "kernel_commands.h"

namespace ramsift::cli {

namespace {

struct VtopCommand {
  std::vector<std::string> inputs;  // the dump's files, then the addresses
  KernelOptionsText kernel;
  std::string format = "text";
  bool check_fast_paths = false;
  uint64_t samples = 65536;
};

bool is_path(const std::string& s) {
  struct stat st;
  // The dump's words (each part of a split dump is one) name existing
  // files or directories; an address never does.
  return ::stat(s.c_str(), &st) == 0;
}

}  // namespace

void add_vtop(CLI::App& app, Context& context) {
  auto c = std::make_shared<VtopCommand>();
  CLI::App* cmd = app.add_subcommand(
      "vtop",
      "Kernel virtual addresses to physical, as crash's vtop: the page-table entries of every level, the page size, "
      "and the fast path (linear map, kernel image) checked against the walk");
  cmd->add_option("dump_and_addresses", c->inputs,
                  "The dump (as for every command), then addresses: hex, with or without 0x, or vmlinux symbols")
      ->required();
  add_kernel_options(*cmd, c->kernel);
  cmd->add_option("--format", c->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  // A diagnostic for the fixture tests: hidden from the help.
  cmd->add_flag("--check-fast-paths", c->check_fast_paths,
                "Walk every kernel image page and --samples linear-map addresses, compare with the fast paths")
      ->group("");
  cmd->add_option("--samples", c->samples, "Linear-map addresses for --check-fast-paths")->group("");
  cmd->callback([c, &context] {
    DumpOptions dump_options;
    dump_options.kernel = c->kernel;
    std::vector<std::string> addresses;
    for (const std::string& s : c->inputs) {
      if (addresses.empty() && (dump_options.inputs.empty() || is_path(s)))
        dump_options.inputs.push_back(s);
      else
        addresses.push_back(s);
    }
    if (addresses.empty() && !c->check_fast_paths)
      return fail(context, bad_input("vtop: want DUMP ADDR... (hex addresses or vmlinux symbols)"));
    std::unique_ptr<Dump> dump = open_or_report(dump_options, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    if (c->check_fast_paths) {
      auto checked = check_fast_paths(*kernel, c->samples);
      if (!checked) return fail(context, checked.error());
      print_fast_path_report(*checked, std::cout);
      context.exit_code = checked->ok() ? kOk : kPartial;
      if (addresses.empty()) return;
    }
    VtopReport r = vtop(*kernel, addresses);
    for (const Error& e : r.errors) report(e);
    print_vtop(r.entries, parse_format(c->format), std::cout);
    if (!r.errors.empty() && context.exit_code == kOk) context.exit_code = r.entries.empty() ? kFailed : kPartial;
  });
}

}  // namespace ramsift::cli
