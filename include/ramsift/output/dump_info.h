// `ramsift info`: what a dump holds, as text for people or JSON/CSV for scripts.
#pragma once

#include <ostream>
#include <string>

#include "ramsift/base/units.h"
#include "ramsift/dump/dump.h"

namespace ramsift {

enum class OutputFormat { Text, Json, Csv };

void print_dump_info(const Dump& dump, OutputFormat format, std::ostream& out);
// The "dump" object of `info`'s JSON (docs/schema.json).
class JsonWriter;
void write_dump_info_json(JsonWriter& j, const Dump& dump);

}  // namespace ramsift
