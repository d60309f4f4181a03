#include "page_table.h"

#include <array>
#include <cstddef>

namespace ramsift::arch_detail {

Result<uint64_t> read_table_entry(const PhysicalMemory& memory, PhysAddr entry_pa, Endian endian, VirtAddr va,
                                  const char* level) {
  std::string context = va_prefix(va) + ": reading " + level + " entry at pa " + hex(entry_pa.value());
  std::array<std::byte, 8> bytes{};
  Result<size_t> n = memory.read(entry_pa, bytes);
  if (!n) {
    Error error = std::move(n).error();
    if (error.code() == ErrorCode::Fault) {
      return Error(ErrorCode::NoData, "table page outside the dump: " + error.message())
          .in_file(error.file())
          .with_context(context);
    }
    return std::move(error).with_context(context);
  }
  if (*n < bytes.size()) {
    // Entries are 8-byte aligned, so a short read means the dump stops
    // inside the entry: the rest of it is not there.
    return no_data("only " + std::to_string(*n) + " of 8 bytes in the dump").with_context(context);
  }
  ByteReader reader(bytes, "page table", entry_pa.value(), endian);
  return reader.u64(0);
}

Error entry_not_present(VirtAddr va, const char* level, uint64_t entry) {
  return fault(va_prefix(va) + ": " + level + " entry " + hex(entry) + " not present");
}

Error entry_corrupt(VirtAddr va, const char* level, uint64_t entry, PhysAddr entry_pa, const std::string& what) {
  return corrupt(va_prefix(va) + ": " + level + " entry " + hex(entry) + " at pa " + hex(entry_pa.value()) + ": " +
                 what);
}

}  // namespace ramsift::arch_detail
