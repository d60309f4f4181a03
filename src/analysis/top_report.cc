#include "ramsift/analysis/top_report.h"

#include "ramsift/decode/tasks.h"

namespace ramsift {

Result<TopReport> run_top(RecordsInput& input, TopRequest request) {
  TopReport report;
  report.stacks = request.stacks;
  if (request.compat) {
    std::string out;
    request.compat->run(input.source(), out);
    report.compat_text = std::move(out);
    return report;
  }
  DumpRecords* dump = input.dump();
  if (!request.stacks) {
    RAMSIFT_TRY(report.page_size, input.page_size(request.page_size, &report.page_size_assumed));
  }
  // The kernel's counters, as show_stacks printed them, when nothing narrows
  // them; before 6.9 there are none (NotFound): the records are counted.
  if (request.stacks && dump && !request.narrowed)
    if (auto stacks = kernel_show_stacks(*dump)) {
      report.kernel_stacks = std::move(*stacks);
      return report;
    }
  if (request.stacks) request.options.by = {GroupKey::Stack};
  RAMSIFT_TRY(report.result, compute_top(input.source(), request.options));
  if (dump && !request.stacks) name_processes(report.result, process_names(read_tasks(dump->kernel())));
  return report;
}

}  // namespace ramsift
