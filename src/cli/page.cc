// ramsift page: one page frame of a dump, and its page_owner story.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <optional>

#include "kernel_commands.h"
#include "ramsift/decode/page_info.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/output/page_info.h"
#include "ramsift/symbolize/symbolizer.h"

namespace ramsift::cli {

namespace {

struct PageCommand {
  std::vector<std::string> inputs;  // the dump's files, then ADDR last
  KernelOptionsText kernel;
  std::string format = "text";
  std::string handle;
};

void fail(const Error& e, Context& context) {
  report(e);
  context.exit_code = kFailed;
}

void print_handle(const Kernel& kernel, const std::string& text, OutputFormat format, Context& context) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || *end || v > 0xffffffffull)
    return fail(bad_input("--handle: not a stack depot handle: \"" + text + "\""), context);
  auto depot = StackDepot::open(kernel);
  if (!depot) return fail(depot.error(), context);
  StackRecordReport r;
  r.handle = static_cast<uint32_t>(v);
  auto at = depot->record_address(r.handle);
  if (!at) return fail(at.error(), context);
  r.record = *at;
  auto frames = depot->fetch(r.handle);
  if (!frames) return fail(frames.error(), context);
  r.frames.assign(frames->begin(), frames->end());
  if (auto sym = Symbolizer::open(kernel))
    for (uint64_t a : r.frames) r.symbols.push_back(sym->format(a));
  print_stack_record(r, format, std::cout);
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
      return fail(bad_input("page: want DUMP ADDR... (ADDR: pfn:N, pa:0x..., va:0x..., page:0x... or a pfn)"), context);
    if (!c->handle.empty() && !addresses.empty())
      return fail(bad_input("page: --handle prints one stack depot record, not pages: give no addresses with it"),
                  context);
    // Parse before the (slow) open so a typo fails fast.
    std::vector<PageAddress> parsed;
    for (const std::string& address : addresses) {
      auto a = parse_page_address(address);
      if (!a) return fail(a.error(), context);
      parsed.push_back(*a);
    }
    std::unique_ptr<Dump> dump = open_or_report(dump_options, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->kernel, context);
    if (!kernel) return;
    OutputFormat format = parse_format(c->format);
    if (!c->handle.empty()) return print_handle(*kernel, c->handle, format, context);

    auto model = MemoryModel::open(*kernel);
    if (!model) return fail(model.error(), context);
    auto names = KernelNames::read(*kernel);
    if (!names) return fail(names.error(), context);
    // page_owner and the symbolizer are opened once for every address.
    auto depot = StackDepot::open(*kernel);
    std::optional<PageOwnerWalker> walker;
    std::string walker_error;
    if (depot) {
      auto w = PageOwnerWalker::open(*kernel, *model, *names, *depot, {});
      if (w)
        walker.emplace(std::move(*w));
      else
        walker_error = w.error().message();
    }
    std::optional<Symbolizer> symbolizer;
    bool symbolizer_tried = false;
    bool first = true;
    size_t failed = 0;
    for (const PageAddress& address : parsed) {
      auto pfn = resolve_pfn(address, *kernel, *model);
      if (!pfn) {
        report(pfn.error());
        ++failed;
        continue;
      }
      PageReport r;
      auto info = read_page_info(*kernel, *model, *names, *pfn);
      if (!info) {
        report(info.error());
        ++failed;
        continue;
      }
      r.page = std::move(*info);

      if (!depot) {
        r.page_owner_unavailable = "unknown: " + depot.error().message();
      } else if (!walker) {
        r.page_owner_unavailable = "off: " + walker_error;
      } else {
        size_t problems_before = walker->problems().size();
        PageOwnerRecord record;
        PageOwnerFrames frames;
        auto state = walker->read_one(*pfn, record, frames);
        if (!state) {
          r.problems.push_back(state.error().to_string());
          r.page_owner_unavailable = "unreadable: " + state.error().message();
        } else if (!*state) {
          r.page_owner_unavailable = "none: no page_ext for this pfn";
        } else {
          r.owner = (*state)->owner;
          r.allocated = (*state)->allocated;
          if (r.owner) {
            if (!symbolizer_tried) {
              symbolizer_tried = true;
              // page-owner cannot print without names; here the page is still
              // told, its frames as bare addresses, and the reason said (exit 1).
              if (auto sym = Symbolizer::open(*kernel))
                symbolizer.emplace(std::move(*sym));
              else
                r.problems.push_back(
                    std::move(sym).error().with_context("frames printed as bare addresses").to_string());
            }
            for (uint64_t a : frames.alloc) record.stack.push_back(symbolizer ? symbolizer->format(a) : hex(a));
            for (uint64_t a : frames.free) record.free_stack.push_back(symbolizer ? symbolizer->format(a) : hex(a));
            r.record = std::move(record);
          }
        }
        for (size_t i = problems_before; i < walker->problems().size(); ++i)
          r.problems.push_back(walker->problems()[i].to_string());
      }
      if (!first && format == OutputFormat::Text) std::cout << '\n';
      first = false;
      print_page_report(r, format, std::cout);
      for (const std::string& p : r.problems) std::cerr << "ramsift: " << p << '\n';
      if (!r.problems.empty() && context.exit_code == kOk) context.exit_code = kPartial;
    }
    // Every address failed: nothing usable (2); some: a result with parts missing (1).
    if (failed == parsed.size())
      context.exit_code = kFailed;
    else if (failed && context.exit_code == kOk)
      context.exit_code = kPartial;
  });
}

}  // namespace ramsift::cli
