// The extension's commands are ramsift's library operations, called as the
// `ramsift` executable calls them: each parses its words with the same flags
// (src/cli/shared_commands.h declares them once, without the dump: crash
// holds it), opens the records or the kernel on the memory crash opened
// (Context::host_dump, RecordsInput's HostDump), calls the operation and
// prints its report with std::cout sent to crash's fp.
//
//   crash> pageowner --pid 1      list_page_owner()   as `ramsift page-owner DUMP --pid 1`
//   crash> pagetop --by comm      run_top()           as `ramsift top DUMP --by comm`
//   crash> pageinfo 1f5e3000      tell_pages()        as `ramsift page DUMP pa:0x1f5e3000`
//   crash> pagewalk ffffffffc0126000  vtop()          as `ramsift vtop DUMP ffffffffc0126000`
// The vmlinux is crash's unless --vmlinux is given; the dump's name (crash's
// dumpfile) only names it in messages. Errors go to stderr as in the CLI, so
// `> file` holds exactly what the CLI prints on stdout.
//
// Nothing may escape to crash: CLI11 reports with exceptions, and any
// std::bad_alloc is caught here, at the C boundary.
#include "commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <new>
#include <streambuf>
#include <string>
#include <vector>

#include "crash_api.h"
#include "crash_memory.h"
#include "ramsift/output/page_info.h"
#include "ramsift/output/vtop.h"
#include "shared_commands.h"

namespace ramsift::crash {

namespace {

// A crash command and the ramsift subcommand it runs.
struct CommandMap {
  const char* crash_name;
  const char* subcommand;
  const char* synopsis_head;  // before the options, in the help's synopsis
  const char* description;    // null: the subcommand's
  std::vector<const char*> help_text;
};

const std::vector<CommandMap>& command_maps() {
  static const std::vector<CommandMap> maps = {
      {"pageowner",
       "page-owner",
       "",
       nullptr,
       {"  Every page_owner record in the dump crash opened, exactly as the kernel",
        "  prints /sys/kernel/debug/page_owner (`ramsift page-owner`, with the same",
        "  options and output). The vmlinux is the one crash was started with.", "\nEXAMPLE",
        "  The records of pid 1, and of every page it freed, to a file:\n",
        "    crash> pageowner --freed --pid 1 > owner.txt", "\n  One pfn range, as JSON Lines:\n",
        "    crash> pageowner --pfn-range 0x1000-0x2000 --format json"}},
      {"pagetop",
       "top",
       "",
       nullptr,
       {"  Who holds memory: page_owner records grouped, summed and sorted, as",
        "  `ramsift top` prints them (same options, text/json/csv).", "\nEXAMPLE",
        "  The ten processes holding the most pages:\n", "    crash> pagetop --by tgid --top 10",
        "\n  Per command name and stack, at least 64 pages, as CSV:\n",
        "    crash> pagetop --by comm,stack --min-pages 64 --format csv"}},
      {"pageinfo",
       "page",
       "ADDR | --pfn PFN",
       "One page: struct page, flags, page_ext and its page_owner story",
       {"  One page as `ramsift page` shows it: the struct page (as `kmem -p`), its",
        "  flags, node and zone, buddy or compound head, pageblock migratetype,",
        "  page_ext flags, and its page_owner story (allocation and last free).",
        "  ADDR is a physical address (hex), or pfn:N, pa:0x..., va:0x...,",
        "  page:0x... as `ramsift page` takes them; --pfn PFN is pfn:PFN.",
        "  --handle N prints one stack depot record.", "\nEXAMPLE", "    crash> pageinfo 1f5e3000",
        "    crash> pageinfo --pfn 0x1f5e3", "    crash> pageinfo va:ffff88801f5e3000 --format json"}},
      // crash's own vtop is there; this one adds the fast path's answer and
      // the same output as `ramsift vtop`.
      {"pagewalk",
       "vtop",
       "ADDR...",
       nullptr,
       {"  Kernel virtual addresses walked through the kernel's page tables, as",
        "  `ramsift vtop` prints them: every table entry read (table, index, entry",
        "  address and value), the page size, and the fast path (direct / linear",
        "  map, kernel image) with its answer and whether it agrees with the walk.",
        "  ADDR is hex (with or without 0x) or a vmlinux symbol.", "\nEXAMPLE",
        "    crash> pagewalk ffffffffc0126000 linux_banner", "    crash> pagewalk ffff88801f5e3000 --format json"}},
  };
  return maps;
}

const CommandMap* find_map(const char* crash_name) {
  for (const CommandMap& m : command_maps())
    if (std::strcmp(m.crash_name, crash_name) == 0) return &m;
  return nullptr;
}

// std::cout for the length of one command: every byte to crash's fp
// (the screen, `> file` or `| command`, whatever crash set up).
class CrashOutput final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      char ch = static_cast<char>(c);
      ramsift_crash_write(&ch, 1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    ramsift_crash_write(s, static_cast<size_t>(n));
    return n;
  }
};

class CoutToCrash {
 public:
  CoutToCrash() : saved_(std::cout.rdbuf(&output())) {}
  ~CoutToCrash() {
    std::cout.flush();
    std::cout.rdbuf(saved_);
    ramsift_crash_flush();
  }
  CoutToCrash(const CoutToCrash&) = delete;
  CoutToCrash& operator=(const CoutToCrash&) = delete;

 private:
  // Static: a command interrupted by crash (Ctrl-C longjmps out of the
  // command) leaves std::cout pointing here, which still works.
  static CrashOutput& output() {
    static CrashOutput out;
    return out;
  }
  std::streambuf* saved_;
};

// The four commands' parsed flags; declare() puts one's flags (the CLI's,
// without the dump) on `app` as a subcommand named as the CLI's.
struct Commands {
  cli::PageOwnerCommand page_owner;
  cli::TopCommand top;
  cli::PageCommand page;
  cli::VtopCommand vtop;
};

CLI::App* declare(CLI::App& app, const std::string& subcommand, Commands& c) {
  if (subcommand == "page-owner") return cli::declare_page_owner(app, c.page_owner, false);
  if (subcommand == "top") return cli::declare_top(app, c.top, false);
  if (subcommand == "page") return cli::declare_page(app, c.page, false);
  return cli::declare_vtop(app, c.vtop, false);
}

// What crash holds: its vmlinux (unless --vmlinux overrides it) and the
// dump's name for messages.
void crash_defaults(Commands& c) {
  const char* vmlinux = ramsift_crash_vmlinux();
  std::string dumpfile = ramsift_crash_dumpfile();
  if (dumpfile.empty()) dumpfile = "crash";
  for (KernelOptionsText* k : {&c.page_owner.records.kernel, &c.top.input.kernel, &c.page.kernel, &c.vtop.kernel})
    if (vmlinux) k->vmlinux = vmlinux;
  c.page_owner.records.inputs = {dumpfile};
  c.top.input.inputs = {dumpfile};
}

// The kernel in crash's memory, for page and vtop: null when reported.
std::unique_ptr<Kernel> open_host_kernel(const KernelOptionsText& kernel, std::unique_ptr<Dump>& dump,
                                         cli::Context& context) {
  cli::DumpOptions options;
  options.inputs = {ramsift_crash_dumpfile()};
  options.kernel = kernel;
  dump = cli::open_or_report(options, context);
  return dump ? cli::open_kernel(*dump, kernel, context) : nullptr;
}

// Parse, call, print: the same library operations and printers as the CLI.
void run_parsed(const std::string& subcommand, Commands& c, const CLI::App& cmd, cli::Context& context) {
  if (subcommand == "page-owner") {
    auto request = cli::page_owner_request(c.page_owner, context);
    if (!request) return;
    auto input = cli::open_records(c.page_owner.records, context);
    if (!input) return;
    RecordWriter writer(std::cout, cli::parse_format(c.page_owner.format), input->source().text_format());
    auto listing = list_page_owner(*input, *request, [&](const PageOwnerRecord& r) { writer.write(r); });
    if (!listing) return cli::fail(context, listing.error());
    cli::finish_page_owner_command(*listing, writer, *input, c.page_owner, context);
  } else if (subcommand == "top") {
    auto request = cli::top_request(c.top, cmd, context);
    if (!request) return;
    auto input = cli::open_records(c.top.input, context);
    if (!input) return;
    auto report = run_top(*input, std::move(*request));
    if (!report) return cli::fail(context, report.error());
    cli::print_top_command(*report, c.top, context);
    cli::finish_records(*input, context);
  } else if (subcommand == "page") {
    auto request = cli::page_request(c.page, /*input=*/false, context);
    if (!request) return;
    std::unique_ptr<Dump> dump;
    auto kernel = open_host_kernel(c.page.kernel, dump, context);
    if (!kernel) return;
    const OutputFormat format = cli::parse_format(c.page.format);
    if (request->handle) {
      auto r = stack_record(*kernel, *request->handle);
      if (!r) return cli::fail(context, r.error());
      return print_stack_record(*r, format, std::cout);
    }
    auto stories = PageStories::open(*kernel);
    if (!stories) return cli::fail(context, stories.error());
    cli::print_pages_command(tell_pages(*stories, request->addresses), format, context);
  } else {
    auto request = cli::vtop_request(c.vtop, /*input=*/false, context);
    if (!request) return;
    std::unique_ptr<Dump> dump;
    auto kernel = open_host_kernel(c.vtop.kernel, dump, context);
    if (!kernel || !cli::check_fast_paths_command(c.vtop, *kernel, context) || request->second.empty()) return;
    cli::print_vtop_command(vtop(*kernel, request->second), cli::parse_format(c.vtop.format), context);
  }
}

// pageinfo's ADDR / --pfn PFN -> page's address (crash users type a bare
// hex physical address; ramsift's pfn:, pa:, va:, page: forms pass through).
Result<std::vector<std::string>> pageinfo_args(std::vector<std::string> args) {
  std::vector<std::string> out;
  std::optional<std::string> address;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--pfn") {
      if (i + 1 == args.size()) return bad_input("pageinfo: --pfn needs a pfn");
      address = "pfn:" + args[++i];
    } else if (args[i] == "--handle" || args[i] == "--format") {
      out.push_back(args[i]);
      if (i + 1 < args.size()) out.push_back(args[++i]);
    } else if (!args[i].starts_with("-") && !address) {
      const std::string& a = args[i];
      bool prefixed = a.find(':') != std::string::npos;
      if (!prefixed) {
        char* end = nullptr;
        std::strtoull(a.c_str(), &end, 16);
        if (a.empty() || *end) return bad_input("pageinfo: not a physical address: \"" + a + "\"");
      }
      address = prefixed ? a : (a.starts_with("0x") ? "pa:" + a : "pa:0x" + a);
    } else {
      out.push_back(args[i]);
    }
  }
  if (!address && std::find(out.begin(), out.end(), "--handle") == out.end())
    return bad_input("pageinfo: give a physical address or --pfn PFN");
  if (address) out.push_back(*address);
  return out;
}

int run_command(const CommandMap* map, int argc, char** argv) {
  std::vector<std::string> user(argv + 1, argv + argc);
  cli::Context context;
  context.host_dump = []() -> Result<std::unique_ptr<Dump>> {
    RAMSIFT_TRY(auto memory, CrashMemory::open());
    return std::unique_ptr<Dump>(std::move(memory));
  };
  if (std::strcmp(map->crash_name, "pageinfo") == 0) {
    auto rewritten = pageinfo_args(user);
    if (!rewritten) {
      cli::report(rewritten.error());
      return cli::kFailed;
    }
    user = std::move(*rewritten);
  }
  CoutToCrash to_crash;
  Commands commands;
  crash_defaults(commands);
  CLI::App app{std::string("ramsift in crash: ") + map->crash_name, map->crash_name};
  CLI::App* cmd = declare(app, map->subcommand, commands);
  app.require_subcommand(1);
  // CLI11 reads the words last first: the subcommand's name, then the user's.
  std::vector<std::string> words(user.rbegin(), user.rend());
  words.push_back(map->subcommand);
  try {
    app.parse(words);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, std::cout, std::cerr);
    return code == 0 ? cli::kOk : cli::kFailed;
  }
  run_parsed(map->subcommand, commands, *cmd, context);
  std::cout.flush();
  return context.exit_code;
}

// With RAMSIFT_CRASH_STATS set, each command's wall time on stderr (the
// test compares it with the CLI's).
int run(int argc, char** argv) {
  const CommandMap* map = argc > 0 ? find_map(argv[0]) : nullptr;
  if (!map) return cli::kFailed;
  auto start = std::chrono::steady_clock::now();
  int code = run_command(map, argc, argv);
  if (std::getenv("RAMSIFT_CRASH_STATS")) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::fprintf(stderr, "ramsift: %s took %.2f s (exit %d)\n", map->crash_name, took.count(), code);
  }
  return code;
}

// "--pfn-range A-B" / "--freed", for the synopsis and the option list.
std::string option_usage(const CLI::Option& opt) {
  std::string name = opt.get_name(false, true);
  if (opt.get_type_size_min() == 0 || opt.get_expected_min() == 0) return name;
  std::string type = opt.get_type_name();
  if (type.empty()) type = "VALUE";
  return name + " " + type;
}

// crash's help page for a command, from its subcommand's declarations: the
// synopsis lists the command's own options, the page every option by group
// (the dump and kernel options are left out: crash supplies them).
std::vector<std::string> help_lines(const CommandMap& map) {
  Commands commands;
  CLI::App app;
  const CLI::App* sub = declare(app, map.subcommand, commands);
  std::string synopsis = map.synopsis_head;
  std::vector<std::string> groups;  // in declaration order
  std::map<std::string, std::vector<std::string>> by_group;
  for (const CLI::Option* opt : sub->get_options()) {
    const std::string& group = opt->get_group();
    // An empty group is CLI11's hidden option (a diagnostic, not for users).
    if (opt->get_positional() || opt->get_name() == "--help" || opt->get_name() == "-h" || group.empty() ||
        group == cli::kKernelOptionsGroup)
      continue;
    std::string usage = option_usage(*opt);
    if (group == "Options") synopsis += (synopsis.empty() ? "[" : " [") + usage + "]";
    if (!by_group.count(group)) groups.push_back(group);
    by_group[group].push_back("    " + usage);
    by_group[group].push_back("        " + opt->get_description());
  }
  for (const std::string& group : groups)
    if (group != "Options") synopsis += (synopsis.empty() ? "[" : " [") + group + "...]";
  std::vector<std::string> lines = {map.crash_name, map.description ? map.description : sub->get_description(),
                                    synopsis.empty() ? " " : synopsis};
  bool options_done = false;
  for (const char* text : map.help_text) {
    // The options go between the description and the first section.
    if (!options_done && text[0] == '\n') {
      for (const std::string& group : groups) {
        lines.push_back("\n  " + group + ":");
        lines.insert(lines.end(), by_group[group].begin(), by_group[group].end());
      }
      lines.push_back("\n  These are the options of `ramsift " + std::string(map.subcommand) +
                      "`; the dump and the vmlinux are crash's (--vmlinux and ramsift's other kernel options "
                      "override them).");
      options_done = true;
    }
    lines.push_back(text);
  }
  return lines;
}

}  // namespace

}  // namespace ramsift::crash

extern "C" int ramsift_crash_run(int argc, char** argv) {
  try {
    return ramsift::crash::run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fputs("ramsift: out of memory\n", stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ramsift: %s\n", e.what());
  } catch (...) {
    std::fputs("ramsift: unexpected error\n", stderr);
  }
  return ramsift::cli::kFailed;
}

extern "C" char** ramsift_crash_help(const char* command) {
  try {
    const ramsift::crash::CommandMap* map = ramsift::crash::find_map(command);
    if (!map) return nullptr;
    std::vector<std::string> lines = ramsift::crash::help_lines(*map);
    auto** help = static_cast<char**>(std::calloc(lines.size() + 1, sizeof(char*)));
    if (!help) return nullptr;
    for (size_t i = 0; i < lines.size(); ++i) help[i] = strdup(lines[i].c_str());
    return help;
  } catch (...) {
    return nullptr;
  }
}

extern "C" void ramsift_crash_free_help(char** help) {
  if (!help) return;
  for (char** line = help; *line; ++line) std::free(*line);
  std::free(help);
}
