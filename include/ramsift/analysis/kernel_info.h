// `ramsift info --vmlinux` as a library operation: what ramsift found out
// about the kernel in a dump, as ordered facts (label, value), so every
// format prints the same (output/kernel_info.h prints them).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct KernelModuleFact {
  std::string name;
  uint64_t size = 0;  // bytes, every region (as /proc/modules)
  uint64_t base = 0;  // its text region (as /proc/modules)
};

struct KernelInfo {
  // The text and CSV lines, in print order; keys are snake_case.
  std::vector<std::pair<std::string, std::string>> facts;
  // The JSON form's types: a fact whose key is here is a number there;
  // these also add keys the text says in words (min_pfn, max_pfn,
  // page_ext_size, page_ext_bytes, stack_depot_bytes).
  std::vector<std::pair<std::string, uint64_t>> numbers;
  std::vector<KernelModuleFact> modules;  // JSON "modules": objects
  std::vector<std::string> notes;         // JSON "notes"; text: one "note" line each
  std::vector<Error> problems;            // parts that could not be read
};

KernelInfo gather_kernel_info(const Kernel& kernel);

}  // namespace ramsift
