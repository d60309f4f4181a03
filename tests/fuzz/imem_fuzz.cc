// Fuzz target: the Qualcomm IMEM KASLR record search (find_imem_kaslr) over
// the bytes of an IMEM file.
//
// Invariant checked: a record found is inside the file, 4-byte aligned, and
// holds the magic and the offset it reports.
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/qualcomm_imem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::as_bytes(std::span(data, size));
  auto found = ramsift::find_imem_kaslr(bytes);
  if (!found) return 0;
  const uint64_t at = found->file_offset;
  if (at % 4 != 0 || at + 12 > size) __builtin_trap();
  uint32_t magic = 0;
  uint64_t offset = 0;
  for (int i = 3; i >= 0; --i) magic = (magic << 8) | data[at + i];
  for (int i = 7; i >= 0; --i) offset = (offset << 8) | data[at + 4 + i];
  if (magic != 0xdead4ead || offset != found->kaslr_offset) __builtin_trap();
  return 0;
}
