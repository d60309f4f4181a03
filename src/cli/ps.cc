// ramsift ps: the task list of a dump.
#include <iostream>
#include <memory>

#include "kernel_commands.h"
#include "ramsift/decode/tasks.h"
#include "ramsift/output/tasks.h"

namespace ramsift::cli {

namespace {

struct PsCommand {
  DumpOptions dump;
  TaskPrintOptions print;
};

}  // namespace

void add_ps(CLI::App& app, Context& context) {
  auto c = std::make_shared<PsCommand>();
  CLI::App* cmd = app.add_subcommand(
      "ps",
      "Every task in a dump (processes from init_task.tasks, and their threads): pid, ppid, tgid, task_struct, "
      "state, comm and memory cgroup, in crash's ps layout");
  add_dump_options(*cmd, c->dump);
  cmd->add_flag("-G,--processes", c->print.processes_only, "Thread group leaders only (crash's ps -G)");
  cmd->callback([c, &context] {
    std::unique_ptr<Dump> dump = open_or_report(c->dump, context);
    if (!dump) return;
    std::unique_ptr<Kernel> kernel = open_kernel(*dump, c->dump.kernel, context);
    if (!kernel) return;
    TaskList list = read_tasks(*kernel);
    for (const Error& e : list.problems) report(e);
    if (list.tasks.empty()) {
      context.exit_code = kFailed;
      return;
    }
    print_tasks(list, parse_format(c->dump.format), std::cout, c->print);
    if (!list.problems.empty() && context.exit_code == kOk) context.exit_code = kPartial;
  });
}

}  // namespace ramsift::cli
