// Synthetic physical memory from a short text spec, for tests, fuzzing and
// the README's first command before a real sample exists.
//
//   # comment
//   arch x86_64
//   page_size 4096
//   range 0x0 0x9f000               # RAM; bytes follow the default pattern
//   range 0x100000 0x300000 seed 7  # another pattern
//   range 0x1000000 0x10000 zero    # all zero (exercises zero-page sharing)
//   exclude 0x5000 0x7000           # [start, end): described but not dumped
//   vmcoreinfo OSRELEASE=6.1.0      # one line each, in order
//   release 6.1.0
//
// Byte at physical address a of a patterned range: spec_pattern_byte(a, seed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/arch.h"
#include "ramsift/dump/memory.h"
#include "ramsift/dump/writer.h"

namespace ramsift {

uint8_t spec_pattern_byte(uint64_t addr, uint32_t seed);

class SpecMemory : public PhysicalMemory {
 public:
  static Result<SpecMemory> parse(std::string_view text);

  std::span<const PhysRange> ranges() const override { return ranges_; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override;

  Arch arch() const { return arch_; }
  uint32_t page_size() const { return page_size_; }
  const std::optional<std::string>& vmcoreinfo() const { return vmcoreinfo_; }
  bool excluded(PhysAddr addr) const;
  uint64_t excluded_pages() const;
  // Everything a writer needs to write this memory.
  WriteSource source() const;

 private:
  struct Fill {
    bool zero = false;
    uint32_t seed = 0;
  };
  std::vector<PhysRange> ranges_;
  std::vector<Fill> fills_;
  std::vector<PhysRange> excluded_;
  Arch arch_ = Arch::Amd64;
  uint32_t page_size_ = 4096;
  std::optional<std::string> vmcoreinfo_;
  std::string release_;
};

}  // namespace ramsift
