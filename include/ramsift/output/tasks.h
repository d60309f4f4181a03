// `ramsift ps`: the task list in crash's ps layout (text), or as JSON / CSV
// rows with every field.
//
//   print_tasks(read_tasks(kernel), OutputFormat::Text, std::cout);
#pragma once

#include <ostream>

#include "ramsift/decode/tasks.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

struct TaskPrintOptions {
  bool processes_only = false;  // thread group leaders only (crash's ps -G)
};

void print_tasks(const TaskList& list, OutputFormat format, std::ostream& out, const TaskPrintOptions& options = {});

}  // namespace ramsift
