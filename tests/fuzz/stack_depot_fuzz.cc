// Fuzz target: StackDepot::open and fetch over layouts and kernel memory
// made from fuzzer bytes (StackDepotTypes and KernelReader fakes).
//
// Input: a 16-byte header, 4 * (header[15] % 16) bytes of handles, then the
// memory, mapped at kBase. The header:
//   0  bits 0-1: generation (slabs, pools[] with pool_index, pools[] with
//      pools_num, stack_pools pointer); bit 2: pool_index_plus_1; bit 3:
//      refcount `count`; bit 4: the bitfields' places from bytes 2-5
//      instead of the kernel's; bit 5: a 1-byte short-reading reader
//   1  page shift 12, 14 or 16 (% 3); with bit 4 any shift (% 24)
//   2-5  index shift, index bits, offset shift, offset bits (bit 4 only)
//   6  record size offset, 7 count offset, 8 entries offset (in 4 bytes)
//   9-10  entries[] bound (u16; 0 or 1: unbounded)
//   11-12  storage array bound (u16; 0: 8192)
// Memory at kBase: the counter (int) at +0, the storage at +8 (the array,
// or the pointer to it), pools and records wherever their pointers say.
//
// Invariants checked: a fetched handle's frames are at most max_frames and
// the same on a second fetch, without a second decode; handle 0 is empty.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "ramsift/decode/stack_depot.h"

using namespace ramsift;

namespace {

constexpr uint64_t kBase = 0xffffff8000010000;
constexpr size_t kHeader = 16;

Member field(const char* name, uint64_t bit_offset, uint32_t bit_size, uint64_t byte_size) {
  Member m;
  m.name = name;
  m.offset = bit_offset / 8;
  m.bit_offset = bit_offset;
  m.bit_size = bit_size;
  m.type.kind = TypeKind::Base;
  m.type.size = byte_size;
  return m;
}

class FuzzTypes final : public StackDepotTypes {
 public:
  std::shared_ptr<TypeLayout> parts = std::make_shared<TypeLayout>();
  std::shared_ptr<TypeLayout> record = std::make_shared<TypeLayout>();
  std::vector<Variable> variables;

  Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled) const override {
    if (spelled == "union handle_parts") return std::shared_ptr<const TypeLayout>(parts);
    if (spelled == "struct stack_record") return std::shared_ptr<const TypeLayout>(record);
    return not_found("no type");
  }
  Result<Variable> variable(std::string_view name) const override {
    for (const Variable& v : variables)
      if (v.name == name) return v;
    return not_found("no variable");
  }
  bool has_symbol(std::string_view name) const override { return variable(name).has_value(); }
};

uint16_t le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  const uint8_t* h = data;
  const size_t handle_count = h[15] % 16;
  if (size < kHeader + 4 * handle_count) return 0;
  std::span<const uint8_t> memory(data + kHeader + 4 * handle_count, size - kHeader - 4 * handle_count);

  const unsigned generation = h[0] & 3;
  const bool plus_1 = h[0] & 4, refcount = h[0] & 8, raw_bits = h[0] & 16, trickle = h[0] & 32;
  const unsigned page_shift = raw_bits ? h[1] % 24 : 12 + 2 * (h[1] % 3);
  const unsigned offset_bits = raw_bits ? h[5] % 40 : 2 + page_shift - 4;
  const unsigned index_bits = raw_bits ? h[3] % 40 : 32 - 5 - offset_bits;
  const unsigned index_shift = raw_bits ? h[2] % 40 : 0;
  const unsigned offset_shift = raw_bits ? h[4] % 40 : index_bits;

  FuzzTypes types;
  types.parts->kind = TypeKind::Union;
  types.parts->size = 4;
  types.parts->members = {field(plus_1            ? "pool_index_plus_1"
                                : generation == 0 ? "slabindex"
                                                  : "pool_index",
                                index_shift, index_bits, 4),
                          field("offset", offset_shift, offset_bits, 4)};
  types.record->members = {field("size", uint64_t{h[6]} * 32, 0, 4), field("entries", uint64_t{h[8]} * 32, 0, 8)};
  types.record->members.back().type.kind = TypeKind::Array;
  if (uint16_t bound = le16(h + 9); bound > 1) types.record->members.back().type.count = bound;
  if (refcount) types.record->members.push_back(field("count", uint64_t{h[7]} * 32, 0, 4));

  Variable counter;
  counter.name = generation == 0 ? "depot_index" : generation == 1 ? "pool_index" : "pools_num";
  counter.address = VirtAddr(kBase);
  counter.type.kind = TypeKind::Base;
  counter.type.size = 4;
  Variable storage;
  storage.name = generation == 0 ? "stack_slabs" : "stack_pools";
  storage.address = VirtAddr(kBase + 8);
  if (generation == 3) {
    storage.type.kind = TypeKind::Pointer;
    storage.type.size = 8;
  } else {
    storage.type.kind = TypeKind::Array;
    uint16_t bound = le16(h + 11);
    storage.type.count = bound ? bound : 8192;
    storage.type.size = *storage.type.count * 8;
  }
  types.variables = {counter, storage};

  KernelReader read = [&](VirtAddr va, std::span<std::byte> out) -> Result<size_t> {
    if (va.value() < kBase || va.value() - kBase >= memory.size()) return fault("unmapped");
    uint64_t off = va.value() - kBase;
    size_t n = std::min<size_t>(trickle ? 1 : out.size(), memory.size() - off);
    n = std::min(n, out.size());
    std::memcpy(out.data(), memory.data() + off, n);
    return n;
  };

  auto depot = StackDepot::open(types, page_shift, read);
  if (!depot) return 0;
  size_t decoded = 0;
  for (size_t i = 0; i < handle_count; ++i) {
    uint32_t handle = 0;
    std::memcpy(&handle, data + kHeader + 4 * i, 4);
    (void)depot->record_address(handle);
    auto frames = depot->fetch(handle);
    if (!frames) continue;
    if (handle == 0) {
      if (!frames->empty()) __builtin_trap();
      continue;
    }
    ++decoded;
    if (frames->size() > depot->layout().max_frames) __builtin_trap();
    size_t before = depot->handles_decoded();
    auto again = depot->fetch(handle);
    if (!again || again->data() != frames->data() || again->size() != frames->size() ||
        depot->handles_decoded() != before)
      __builtin_trap();
  }
  if (depot->handles_decoded() > decoded) __builtin_trap();
  return 0;
}
