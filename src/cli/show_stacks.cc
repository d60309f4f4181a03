#include "show_stacks.h"

#include <iostream>
#include <string>

namespace ramsift::cli {

void print_kernel_show_stacks(DumpRecords& dump, const OwnerStacks& stacks, Context& context) {
  std::string out;
  for (const OwnerStack& s : stacks.stacks) {
    // stack_print(): stacks under the threshold (page_owner_stacks/count_threshold) are not shown.
    if (s.base_pages < 1 || static_cast<uint64_t>(s.base_pages) < stacks.threshold) continue;
    for (uint64_t a : s.frames) {
      out += ' ';
      out += dump.symbolizer().format(a);
      out += '\n';
    }
    out += "nr_base_pages: " + std::to_string(s.base_pages) + "\n\n";
  }
  std::cout << out;
  for (const Error& e : stacks.problems) report(e);
  if (!stacks.problems.empty()) context.exit_code = kPartial;
}

void print_show_stacks(const TopResult& result, std::ostream& out) {
  std::string text;
  for (const TopGroup& g : result.groups) {
    for (const std::string& frame : g.stack) {
      text += ' ';
      text += frame;
      text += '\n';
    }
    text += "nr_base_pages: " + std::to_string(g.pages) + "\n\n";
  }
  out << text;
}

}  // namespace ramsift::cli
