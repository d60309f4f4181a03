// ramsift vtop: kernel virtual addresses to physical ones, as crash's vtop,
// with the fast path's answer beside the page-table walk's (analysis/vtop.h).
#include "ramsift/output/vtop.h"

#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "shared_commands.h"

namespace ramsift::cli {

CLI::App* declare_vtop(CLI::App& app, VtopCommand& c, bool input) {
  CLI::App* cmd = app.add_subcommand(
      "vtop",
      "Kernel virtual addresses to physical, as crash's vtop: the page-table entries of every level, the page size, "
      "and the fast path (linear map, kernel image) checked against the walk");
  cmd->add_option(input ? "dump_and_addresses" : "addresses", c.inputs,
                  input ? "The dump (as for every command), then addresses: hex, with or without 0x, or vmlinux symbols"
                        : "Addresses: hex, with or without 0x, or vmlinux symbols")
      ->required();
  add_kernel_options(*cmd, c.kernel);
  cmd->add_option("--format", c.format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  // A diagnostic for the fixture tests: hidden from the help.
  cmd->add_flag("--check-fast-paths", c.check_fast_paths,
                "Walk every kernel image page and --samples linear-map addresses, compare with the fast paths")
      ->group("");
  cmd->add_option("--samples", c.samples, "Linear-map addresses for --check-fast-paths")->group("");
  return cmd;
}

std::optional<std::pair<DumpOptions, std::vector<std::string>>> vtop_request(const VtopCommand& c, bool input,
                                                                             Context& context) {
  DumpOptions dump;
  dump.kernel = c.kernel;
  std::vector<std::string> addresses;
  for (const std::string& s : c.inputs) {
    // The dump's words (each part of a split dump is one) name existing
    // files or directories; an address never does.
    struct stat st;
    if (input && addresses.empty() && (dump.inputs.empty() || ::stat(s.c_str(), &st) == 0))
      dump.inputs.push_back(s);
    else
      addresses.push_back(s);
  }
  if (addresses.empty() && !c.check_fast_paths)
    return fail(context, bad_input("vtop: want DUMP ADDR... (hex addresses or vmlinux symbols)")), std::nullopt;
  return std::make_pair(std::move(dump), std::move(addresses));
}

void print_vtop_command(const VtopReport& r, OutputFormat format, Context& context) {
  for (const Error& e : r.errors) report(e);
  print_vtop(r.entries, format, std::cout);
  if (!r.errors.empty() && context.exit_code == kOk) context.exit_code = r.entries.empty() ? kFailed : kPartial;
}

bool check_fast_paths_command(const VtopCommand& c, const Kernel& kernel, Context& context) {
  if (!c.check_fast_paths) return true;
  auto checked = check_fast_paths(kernel, c.samples);
  if (!checked) return fail(context, checked.error()), false;
  print_fast_path_report(*checked, std::cout);
  context.exit_code = checked->ok() ? kOk : kPartial;
  return true;
}

void add_vtop(CLI::App& app, Context& context) {
  auto c = std::make_shared<VtopCommand>();
  CLI::App* cmd = declare_vtop(app, *c);
  cmd->callback([c, &context] {
    auto request = vtop_request(*c, /*input=*/true, context);
    if (!request) return;
    auto& [dump_options, addresses] = *request;
    std::unique_ptr<Dump> dump = open_or_report(dump_options, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    if (!check_fast_paths_command(*c, *kernel, context) || addresses.empty()) return;
    print_vtop_command(vtop(*kernel, addresses), parse_format(c->format), context);
  });
}

}  // namespace ramsift::cli
