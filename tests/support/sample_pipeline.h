// The dump pipeline of `ramsift page-owner`, `ps` and `info` run as a library
// on any Dump (the bundled sample, or an OverlayDump of it): open the kernel
// (KASLR and layout found in memory), walk page_owner, format every record as
// the kernel prints it, read the task list and the module list. What came out
// is kept for comparison with a clean run.
//
// Used by the corruption matrix (tests/tools/corruption_matrix.cc) and the
// pipeline fuzz target (tests/fuzz/pipeline_fuzz.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/decode/modules.h"
#include "ramsift/decode/page_owner_text.h"
#include "ramsift/decode/tasks.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift::testing {

struct PipelineOutcome {
  std::optional<Error> failed;              // the kernel or the walk could not be opened: exit 2
  std::map<uint64_t, std::string> records;  // pfn -> the record as page-owner prints it
  std::vector<Error> problems;              // what the walk, tasks and modules reported: exit 1
  std::vector<std::string> tasks;           // "pid tgid comm"
  std::vector<std::string> modules;         // "name base size"
};

inline KernelOptions sample_kernel_options(const std::string& symbols_dir) {
  KernelOptions options;
  options.symbol_dirs = {symbols_dir};
  options.ignore_derived_vmcoreinfo = true;  // find KASLR and the layout in memory
  return options;
}

inline PipelineOutcome run_pipeline(const Dump& dump, const KernelOptions& options, size_t max_records = SIZE_MAX) {
  PipelineOutcome out;
  auto kernel = Kernel::open(dump, options);
  if (!kernel) {
    out.failed = kernel.error();
    return out;
  }
  auto records = DumpRecords::open(**kernel, PageOwnerWalkOptions{});
  if (!records) {
    out.failed = records.error();
    return out;
  }
  PageOwnerRecord record;
  const PageOwnerTextFormat format = (*records)->text_format();
  while (out.records.size() < max_records && (*records)->next(record)) {
    std::string text;
    append_page_owner_record(text, record, format);
    out.records[record.pfn] = std::move(text);
  }
  out.problems = (*records)->problems();
  TaskList tasks = read_tasks(**kernel);
  for (const Task& t : tasks.tasks)
    out.tasks.push_back(std::to_string(t.pid) + " " + std::to_string(t.tgid) + " " + t.comm);
  out.problems.insert(out.problems.end(), tasks.problems.begin(), tasks.problems.end());
  ModuleList modules = read_modules(**kernel);
  for (const Module& m : modules.modules)
    out.modules.push_back(m.name + " " + hex(m.address.value()) + " " + std::to_string(m.core_size()));
  out.problems.insert(out.problems.end(), modules.problems.begin(), modules.problems.end());
  return out;
}

}  // namespace ramsift::testing
