// The extension's commands are ramsift's own subcommands (src/cli/): the
// same flags, callbacks and output code as the `ramsift` executable, run on
// a CLI::App built per command, with the dump crash opened as their memory
// (Context::host_dump) and std::cout sent to crash's fp.
//
//   crash> pageowner --pid 1      runs  ramsift page-owner DUMP --vmlinux VMLINUX --pid 1
//   crash> pagetop --by comm      runs  ramsift top DUMP --vmlinux VMLINUX --by comm
//   crash> pageinfo 1f5e3000      runs  ramsift page DUMP pa:0x1f5e3000 --vmlinux VMLINUX
//   crash> pagewalk ffffffffc0126000  runs  ramsift vtop DUMP ffffffffc0126000 --vmlinux VMLINUX
// (DUMP and VMLINUX are what crash was started with; DUMP only names the
// dump in messages.) Errors go to stderr as in the CLI, so `> file` holds
// exactly what the CLI prints on stdout.
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
#include "kernel_commands.h"

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

// The subcommands a crash command may run, on `app`.
void add_subcommands(CLI::App& app, cli::Context& context) {
  cli::add_page_owner(app, context);
  cli::add_top(app, context);
  cli::add_page(app, context);
  cli::add_vtop(app, context);
}

bool has_flag(const std::vector<std::string>& args, const std::string& flag) {
  for (const std::string& a : args)
    if (a == flag || a.starts_with(flag + "=")) return true;
  return false;
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

  std::string dumpfile = ramsift_crash_dumpfile();
  std::vector<std::string> args = {map->crash_name, map->subcommand, dumpfile.empty() ? "crash" : dumpfile};
  const char* vmlinux = ramsift_crash_vmlinux();
  if (!has_flag(user, "--vmlinux") && vmlinux && *vmlinux) {
    args.push_back("--vmlinux");
    args.push_back(vmlinux);
  }
  args.insert(args.end(), user.begin(), user.end());
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());

  CoutToCrash to_crash;
  CLI::App app{std::string("ramsift in crash: ") + map->crash_name};
  app.require_subcommand(1);
  add_subcommands(app, context);
  try {
    app.parse(static_cast<int>(c_args.size()), c_args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, std::cout, std::cerr);
    return code == 0 ? cli::kOk : cli::kFailed;
  }
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
  cli::Context context;
  CLI::App app;
  add_subcommands(app, context);
  const CLI::App* sub = app.get_subcommand(map.subcommand);
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
