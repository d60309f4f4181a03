// Physical memory: the one interface every dump format implements.
//
//   std::byte buf[8];
//   Result<size_t> n = memory.read(PhysAddr{0x1000}, buf);
//   if (!n && n.error().code() == ErrorCode::NoData) ...  // excluded page
//
// read() returns how many bytes it read starting at addr; it stops early at
// the first byte that is not in the dump, and fails only when the very first
// byte cannot be read:
//   - NoData:  the page is described by the dump but its contents are not
//              there (excluded by makedumpfile, a missing .BIN, a segment's
//              p_memsz beyond p_filesz). Never zeros pretending to be memory.
//   - Fault:   the address is outside every range the dump describes.
//   - Corrupt/Io: the bytes should be there but cannot be decoded or read.
// Implementations are safe to call from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/error.h"

namespace ramsift {

struct PhysRange {
  PhysAddr start;
  uint64_t size = 0;

  PhysAddr end() const { return start + size; }
  bool contains(PhysAddr a) const { return a >= start && a - start < size; }
  bool operator==(const PhysRange&) const = default;
};

class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;

  // The physical ranges the dump describes, sorted, not overlapping.
  virtual std::span<const PhysRange> ranges() const = 0;

  // See the file comment for the contract.
  virtual Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const = 0;

  // Reads exactly out.size() bytes, or fails with the error of the first
  // byte that could not be read (its address attached).
  Status read_exact(PhysAddr addr, std::span<std::byte> out) const;
};

}  // namespace ramsift
