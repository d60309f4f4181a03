// The commands that show the kernel model itself (commands.h): each declares
// its flags once (CLI11) and sets the callback, which stores the exit code
// in `context`.
#pragma once

#include "commands.h"

namespace ramsift::cli {

// ramsift ps DUMP: every task, crash's ps columns plus the memcg.
void add_ps(CLI::App& app, Context& context);
// ramsift page DUMP ADDR: one struct page and its page_owner story.
void add_page(CLI::App& app, Context& context);
// ramsift vtop DUMP ADDR...: page-table walks, as crash's vtop.
void add_vtop(CLI::App& app, Context& context);

}  // namespace ramsift::cli
