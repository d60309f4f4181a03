// Fuzz target: the VMCOREINFO text parser and every typed lookup.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ramsift/kernel/vmcoreinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = ramsift::Vmcoreinfo::parse(text);
  if (!info) return 0;
  for (const auto& [key, value] : info->entries()) (void)info->raw(key);
  (void)info->page_size();
  (void)info->kernel_offset();
  (void)info->number("VA_BITS");
  (void)info->symbol("swapper_pg_dir");
  (void)info->offset("page", "flags");
  return 0;
}
