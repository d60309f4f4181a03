// ramsift page: one page frame of a dump, and its page_owner story
// (analysis/page_story.h tell_pages()).
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <optional>

#include "ramsift/output/page_info.h"
#include "shared_commands.h"

namespace ramsift::cli {

CLI::App* declare_page(CLI::App& app, PageCommand& c, bool input) {
  CLI::App* cmd = app.add_subcommand(
      "page",
      "One page frame: its struct page as crash's kmem -p shows it, flags, node and zone, buddy block or "
      "compound head, pageblock migratetype, page_ext, and the page_owner story with both stacks");
  if (input)
    cmd->add_option("dump_and_address", c.inputs,
                    "The dump (as for every command), then one or more ADDR: pfn:N, pa:0x..., va:0x... (through the "
                    "kernel's page tables), page:0x... (a struct page) or a bare pfn; with --handle, the dump alone")
        ->required();
  else
    cmd->add_option("address", c.inputs, "ADDR: pfn:N, pa:0x..., va:0x..., page:0x... or a bare pfn");
  add_kernel_options(*cmd, c.kernel);
  cmd->add_option("--format", c.format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--handle", c.handle, "Print one stack depot record (a depot_stack_handle_t) instead of a page");
  return cmd;
}

std::optional<PageRequest> page_request(const PageCommand& c, bool input, Context& context) {
  auto refuse = [&](const std::string& why) { return fail(context, bad_input(why)), std::nullopt; };
  // The dump's files come first (every word that names an existing file
  // or directory), then the addresses: several, as kmem -p takes them.
  PageRequest request;
  request.dump.kernel = c.kernel;
  std::vector<std::string> addresses;
  for (const std::string& s : c.inputs) {
    struct stat st;
    if (input && addresses.empty() && (request.dump.inputs.empty() || ::stat(s.c_str(), &st) == 0))
      request.dump.inputs.push_back(s);
    else
      addresses.push_back(s);
  }
  if (c.handle.empty() && addresses.empty())
    return refuse("page: want DUMP ADDR... (ADDR: pfn:N, pa:0x..., va:0x..., page:0x... or a pfn)");
  if (!c.handle.empty() && !addresses.empty())
    return refuse("page: --handle prints one stack depot record, not pages: give no addresses with it");
  if (!c.handle.empty()) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(c.handle.c_str(), &end, 0);
    if (*end || v > 0xffffffffull) return refuse("--handle: not a stack depot handle: \"" + c.handle + "\"");
    request.handle = static_cast<uint32_t>(v);
  }
  for (const std::string& address : addresses) {
    auto a = parse_page_address(address);
    if (!a) return fail(context, a.error()), std::nullopt;
    request.addresses.push_back(*a);
  }
  return request;
}

void print_pages_command(const PagesReport& report, OutputFormat format, Context& context) {
  for (const Error& e : report.errors) cli::report(e);
  for (const PageReport& p : report.pages)
    for (const std::string& problem : p.problems) std::cerr << "ramsift: " << problem << '\n';
  print_pages(report, format, std::cout);
  if (report.nothing())
    context.exit_code = kFailed;
  else if (report.partial() && context.exit_code == kOk)
    context.exit_code = kPartial;
}

void add_page(CLI::App& app, Context& context) {
  auto c = std::make_shared<PageCommand>();
  CLI::App* cmd = declare_page(app, *c);
  cmd->callback([c, &context] {
    auto request = page_request(*c, /*input=*/true, context);
    if (!request) return;
    std::unique_ptr<Dump> dump = open_or_report(request->dump, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    OutputFormat format = parse_format(c->format);
    if (request->handle) {
      auto r = stack_record(*kernel, *request->handle);
      if (!r) return fail(context, r.error());
      return print_stack_record(*r, format, std::cout);
    }
    auto stories = PageStories::open(*kernel);
    if (!stories) return fail(context, stories.error());
    print_pages_command(tell_pages(*stories, request->addresses), format, context);
  });
}

}  // namespace ramsift::cli
