// libFuzzer: the dump_info.txt parser (src/dump/qualcomm.h) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dump/qualcomm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto layout = ramsift::dump_formats::parse_dump_info(text);
  if (layout) {
    for (const auto& entry : layout->entries) {
      // dump_info.txt always gives a size; lines are 1-based.
      if (entry.line < 1 || !entry.size) __builtin_trap();
    }
  } else if (layout.error().message().empty()) {
    __builtin_trap();
  }
  return 0;
}
