// Fuzz target: the page-table walks (arm64 every granule, VA size, LPA and
// LPA2; x86_64 4- and 5-level, with an SME mask) over tables the fuzzer
// writes.
//
// Input: byte 0 picks the architecture and paging parameters, bytes 1-8 the
// virtual address, bytes 9-16 the root; the rest is physical memory, seen
// at every physical address modulo its size (so any entry the fuzzer writes
// leads to more of its bytes, and deep walks are reachable), except that
// addresses with bit 62 set read as excluded pages (NoData).
//
// Invariants checked: a successful walk's page size is a power of two at
// least the granule, and the offset inside the page is the VA's; the traced
// walk gives the same answer as the plain one, reads at most one entry per
// level, and each entry it reports is the one in memory.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "ramsift/arch/arm64.h"
#include "ramsift/arch/x86_64.h"

using namespace ramsift;

namespace {

class WrappingMemory final : public PhysicalMemory {
 public:
  explicit WrappingMemory(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  std::span<const PhysRange> ranges() const override { return {&range_, 1}; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    if (addr.value() >> 62 & 1) return Error(ErrorCode::NoData, "excluded page");
    if (bytes_.empty()) return Error(ErrorCode::Fault, "no memory");
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>(bytes_[(addr.value() + i) % bytes_.size()]);
    return out.size();
  }
  uint64_t u64(uint64_t pa, bool big_endian) const {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      uint64_t b = bytes_[(pa + static_cast<uint64_t>(i)) % bytes_.size()];
      v |= big_endian ? b << (8 * (7 - i)) : b << (8 * i);
    }
    return v;
  }

 private:
  std::span<const uint8_t> bytes_;
  PhysRange range_{PhysAddr(0), uint64_t{1} << 40};
};

uint64_t le64_at(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

void check(const Result<Translation>& plain, const Result<Translation>& traced, const WalkTrace& trace,
           const WrappingMemory& memory, VirtAddr va, uint64_t granule, size_t max_levels, bool big_endian) {
  if (plain.has_value() != traced.has_value()) __builtin_trap();
  if (trace.size() > max_levels) __builtin_trap();
  for (const WalkStep& s : trace)
    if (s.entry != memory.u64(s.entry_address.value(), big_endian)) __builtin_trap();
  if (!plain) return;
  const uint64_t size = plain->page_size;
  if (size < granule || (size & (size - 1)) != 0) __builtin_trap();
  if ((plain->pa.value() & (size - 1)) != (va.value() & (size - 1))) __builtin_trap();
  if (plain->pa != traced->pa || plain->page_size != traced->page_size) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17 + 8) return 0;
  const uint8_t mode = data[0];
  const VirtAddr va(le64_at(data + 1));
  const PhysAddr root(le64_at(data + 9) & 0x0000fffffffff000ull);
  WrappingMemory memory(std::span(data + 17, size - 17));
  WalkTrace trace;
  if (mode & 0x80) {
    X86_64Paging paging{.five_level = (mode & 1) != 0, .encryption_mask = (mode & 2) ? uint64_t{1} << 47 : 0};
    auto plain = x86_64_walk(memory, paging, root, va);
    auto traced = x86_64_walk(memory, paging, root, va, &trace);
    check(plain, traced, trace, memory, va, 4096, paging.five_level ? 5 : 4, false);
    return 0;
  }
  static constexpr unsigned kShifts[] = {12, 14, 16};
  static constexpr unsigned kVaBits[] = {36, 39, 42, 47, 48, 52, 40, 55};
  Arm64Paging paging;
  paging.page_shift = kShifts[(mode & 3) % 3];
  paging.va_bits = kVaBits[(mode >> 2) & 7];
  paging.pa_bits = (mode & 0x20) ? 52 : 48;
  paging.lpa2 = (mode & 0x40) != 0;
  paging.endian = (data[9] & 1) ? Endian::Big : Endian::Little;
  const bool big = paging.endian == Endian::Big;
  auto plain = arm64_walk(memory, paging, root, va);
  auto traced = arm64_walk(memory, paging, root, va, &trace);
  // Parameters the geometry refuses fail both ways with no entry read.
  if (!arm64_geometry(paging)) {
    if (plain || traced || !trace.empty()) __builtin_trap();
    return 0;
  }
  check(plain, traced, trace, memory, va, uint64_t{1} << paging.page_shift, 5, big);
  return 0;
}
