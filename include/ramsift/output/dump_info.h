// `ramsift info`: what a dump holds, as text for people or JSON/CSV for scripts.
#pragma once

#include <ostream>
#include <string>

#include "ramsift/dump/dump.h"

namespace ramsift {

enum class OutputFormat { Text, Json, Csv };

void print_dump_info(const Dump& dump, OutputFormat format, std::ostream& out);

// "1.5 GiB", "640 KiB", "4096 B".
std::string human_size(uint64_t bytes);

}  // namespace ramsift
