// Shared by the walkers: reading one page-table entry and the errors of a walk.
#pragma once

#include <cstdint>
#include <string>

#include "ramsift/base/address.h"
#include "ramsift/base/bytes.h"
#include "ramsift/base/error.h"
#include "ramsift/dump/memory.h"

namespace ramsift::arch_detail {

// "va 0xffff800008000000"
inline std::string va_prefix(VirtAddr va) {
  return "va " + hex(va.value());
}

// Reads the 8-byte entry at entry_pa. A table page that the dump does not
// hold is NoData whether the dump describes the page (excluded) or not
// (outside every range): the mapping may well exist, we just cannot see it,
// so callers should skip and count it rather than call the pointer bad.
Result<uint64_t> read_table_entry(const PhysicalMemory& memory, PhysAddr entry_pa, Endian endian, VirtAddr va,
                                  const char* level);

// "va 0x...: PMD entry 0x0 not present"
Error entry_not_present(VirtAddr va, const char* level, uint64_t entry);

// "va 0x...: PUD entry 0x... at pa 0x...: <what>"
Error entry_corrupt(VirtAddr va, const char* level, uint64_t entry, PhysAddr entry_pa, const std::string& what);

}  // namespace ramsift::arch_detail
