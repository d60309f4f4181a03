// `ramsift info --vmlinux`: what ramsift found out about the kernel in a
// dump, as ordered facts (label, value), so every format prints the same.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ramsift/kernel/kernel.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

struct KernelInfo {
  std::vector<std::pair<std::string, std::string>> facts;  // in print order; keys are snake_case
  std::vector<Error> problems;                             // parts that could not be read
};

KernelInfo gather_kernel_info(const Kernel& kernel);
void print_dump_and_kernel_info(const Dump& dump, const KernelInfo& kernel, OutputFormat format, std::ostream& out);

}  // namespace ramsift
