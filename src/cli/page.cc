// ramsift page: one page frame of a dump, and its page_owner story.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <optional>

#include "kernel_commands.h"
#include "ramsift/output/page_info.h"

namespace ramsift::cli {

namespace {

struct PageCommand {
  std::vector<std::string> inputs;  // the dump's files, then ADDR last
  KernelOptionsText kernel;
  std::string format = "text";
  std::string handle;
};

void print_handle(const Kernel& kernel, const std::string& text, OutputFormat format, Context& context) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || *end || v > 0xffffffffull)
    return fail(context, bad_input("--handle: not a stack depot handle: \"" + text + "\""));
  auto r = stack_record(kernel, static_cast<uint32_t>(v));
  if (!r) return fail(context, r.error());
  print_stack_record(*r, format, std::cout);
}

}  // namespace

void add_page(CLI::App& app, Context& context) {
  auto c = std::make_shared<PageCommand>();
  CLI::App* cmd = app.add_subcommand(
      "page",
      "One page frame: its struct page as crash's kmem -p shows it, flags, node and zone, buddy block or "
      "compound head, pageblock migratetype, page_ext, and the page_owner story with both stacks");
  cmd->add_option("dump_and_address", c->inputs,
                  "The dump (as for every command), then one or more ADDR: pfn:N, pa:0x..., va:0x... (through the "
                  "kernel's page tables), page:0x... (a struct page) or a bare pfn; with --handle, the dump alone")
      ->required();
  add_kernel_options(*cmd, c->kernel);
  cmd->add_option("--format", c->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--handle", c->handle, "Print one stack depot record (a depot_stack_handle_t) instead of a page");
  cmd->callback([c, &context] {
    // The dump's files come first (every word that names an existing file
    // or directory), then the addresses: several, as kmem -p takes them.
    DumpOptions dump_options;
    dump_options.kernel = c->kernel;
    std::vector<std::string> addresses;
    for (const std::string& s : c->inputs) {
      struct stat st;
      if (addresses.empty() && (dump_options.inputs.empty() || ::stat(s.c_str(), &st) == 0))
        dump_options.inputs.push_back(s);
      else
        addresses.push_back(s);
    }
    if (c->handle.empty() && addresses.empty())
      return fail(context, bad_input("page: want DUMP ADDR... (ADDR: pfn:N, pa:0x..., va:0x..., page:0x... or a pfn)"));
    if (!c->handle.empty() && !addresses.empty())
      return fail(context,
                  bad_input("page: --handle prints one stack depot record, not pages: give no addresses with it"));
    // Parse before the (slow) open so a typo fails fast.
    std::vector<PageAddress> parsed;
    for (const std::string& address : addresses) {
      auto a = parse_page_address(address);
      if (!a) return fail(context, a.error());
      parsed.push_back(*a);
    }
    std::unique_ptr<Dump> dump = open_or_report(dump_options, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    OutputFormat format = parse_format(c->format);
    if (!c->handle.empty()) return print_handle(*kernel, c->handle, format, context);

    auto stories = PageStories::open(*kernel);
    if (!stories) return fail(context, stories.error());
    bool first = true;
    std::vector<PageReport> told;  // --format json: one document for all
    std::vector<Error> errors;
    for (const PageAddress& address : parsed) {
      auto r = stories->tell(address);
      if (!r) {
        report(r.error());
        errors.push_back(r.error());
        continue;
      }
      for (const std::string& p : r->problems) std::cerr << "ramsift: " << p << '\n';
      if (!r->problems.empty() && context.exit_code == kOk) context.exit_code = kPartial;
      if (format == OutputFormat::Json) {
        told.push_back(std::move(*r));
        continue;
      }
      if (!first) std::cout << '\n';
      first = false;
      print_page_report(*r, format, std::cout);
    }
    if (format == OutputFormat::Json) print_page_reports_json(told, errors, std::cout);
    const size_t failed = errors.size();
    // Every address failed: nothing usable (2); some: a result with parts missing (1).
    if (failed == parsed.size())
      context.exit_code = kFailed;
    else if (failed && context.exit_code == kOk)
      context.exit_code = kPartial;
  });
}

}  // namespace ramsift::cli
