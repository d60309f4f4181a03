// `ramsift info --vmlinux`: the dump and the kernel facts
// (analysis/kernel_info.h) in every format.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ramsift/analysis/kernel_info.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

// kernel null: the dump part only (no vmlinux); JSON then has "kernel": null.
void print_dump_and_kernel_info(const Dump& dump, const KernelInfo* kernel, OutputFormat format, std::ostream& out);

}  // namespace ramsift
