// The commands that report on page_owner records besides top (commands.h):
// each declares its flags once (CLI11) and sets the callback, which stores
// the exit code in `context`.
#pragma once

#include "commands.h"

namespace ramsift::cli {

// ramsift diff BEFORE AFTER: growth and shrinkage per stack, comm, module, category.
void add_diff(CLI::App& app, Context& context);
// ramsift flamegraph INPUT: folded stacks or an interactive SVG, weighted by pages.
void add_flamegraph(CLI::App& app, Context& context);

}  // namespace ramsift::cli
