#include "ramsift/decode/stack_depot.h"

namespace ramsift {

namespace {

// DEPOT_STACK_ALIGN (STACK_ALLOC_ALIGN before 6.3): records are 16-byte aligned.
constexpr unsigned kStackAlign = 4;
// DEPOT_POOLS_CAP / STACK_ALLOC_SLABS_CAP.
constexpr uint64_t kMaxPools = 8192;
// CONFIG_STACKDEPOT_MAX_FRAMES is at most 256; an entries[] bound far beyond
// that is not a kernel's.
constexpr uint64_t kMaxEntriesBound = 65536;
// Types and variables may be defined in any file including stackdepot.h
// since 6.9; this one is searched first.
constexpr std::string_view kHint = "lib/stackdepot.c";

class KernelStackDepotTypes final : public StackDepotTypes {
 public:
  explicit KernelStackDepotTypes(const Kernel& kernel) : kernel_(kernel) {}
  Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled) const override {
    return kernel_.dwarf().layout(spelled, kHint);
  }
  Result<Variable> variable(std::string_view name) const override { return kernel_.variable(name, kHint); }
  bool has_symbol(std::string_view name) const override { return kernel_.symbol(name).has_value(); }

 private:
  const Kernel& kernel_;
};

// A bitfield of a 32-bit handle: wide enough to mean something and inside
// the 32 bits, so shifting by it is defined.
bool fits_handle(const Member& m) {
  return m.bit_size > 0 && m.bit_offset + m.bit_size <= 32;
}

}  // namespace

struct StackDepot::Cache {
  std::mutex mutex;
  std::unordered_map<uint32_t, std::vector<uint64_t>> frames;
};

StackDepot::StackDepot(StackDepot&&) noexcept = default;
StackDepot::~StackDepot() = default;

Result<StackDepot> StackDepot::open(const Kernel& kernel) {
  KernelStackDepotTypes types(kernel);
  KernelReader read = [&kernel](VirtAddr va, std::span<std::byte> out) -> Result<size_t> {
    RAMSIFT_TRY_STATUS(kernel.read(va, out));
    return out.size();
  };
  return open(types, kernel.layout().page_shift, std::move(read));
}

Result<StackDepot> StackDepot::open(const StackDepotTypes& types, unsigned page_shift, KernelReader read) {
  StackDepot d;
  d.read_ = std::move(read);
  d.cache_ = std::make_unique<Cache>();
  StackDepotLayout& l = d.layout_;

  RAMSIFT_TRY(auto parts, types.layout("union handle_parts"));
  // Renamed in Linux kernel commit 961c949b012f ("lib/stackdepot: rename slab to pool") (in v6.3);
  // biased by one in Linux kernel commit a6c1d9cb9a68 ("stackdepot: rework helpers for depot_alloc_stack") (in v6.9).
  std::optional<Member> index = parts->member("pool_index_plus_1");
  if (index) {
    l.index_plus_1 = true;
  } else {
    index = parts->member("pool_index");
    if (!index) index = parts->member("slabindex");
  }
  if (!index) return corrupt("union handle_parts has no pool_index_plus_1, pool_index or slabindex member");
  RAMSIFT_TRY(Member offset, parts->require("offset"));
  if (!fits_handle(*index) || !fits_handle(offset))
    return corrupt("union handle_parts: " + index->name + " (bits " + std::to_string(index->bit_offset) + "+" +
                   std::to_string(index->bit_size) + ") or offset (bits " + std::to_string(offset.bit_offset) + "+" +
                   std::to_string(offset.bit_size) + ") is not a bitfield of a 32-bit handle");
  l.index_bits = index->bit_size;
  l.index_shift = static_cast<unsigned>(index->bit_offset);
  l.offset_bits = offset.bit_size;
  l.offset_shift = static_cast<unsigned>(offset.bit_offset);
  // DEPOT_OFFSET_BITS = DEPOT_POOL_ORDER (2) + PAGE_SHIFT - DEPOT_STACK_ALIGN.
  if (l.offset_bits != 2 + page_shift - kStackAlign || l.index_bits > 24)
    return corrupt("union handle_parts: offset is " + std::to_string(l.offset_bits) + " bits and index " +
                   std::to_string(l.index_bits) + " bits, which does not fit a " +
                   std::to_string(uint64_t{1} << page_shift) + "-byte page");

  RAMSIFT_TRY(auto record, types.layout("struct stack_record"));
  RAMSIFT_TRY(Member size, record->require("size"));
  RAMSIFT_TRY(Member entries, record->require("entries"));
  l.record_size_offset = size.offset;
  l.record_entries_offset = entries.offset;
  // entries[] (flexible, 5.15-6.7) and entries[1] (5.4, 5.10) bound nothing;
  // entries[CONFIG_STACKDEPOT_MAX_FRAMES] (6.8+) does.
  if (entries.type.count && *entries.type.count > 1) {
    if (*entries.type.count > kMaxEntriesBound)
      return corrupt("struct stack_record: entries has " + std::to_string(*entries.type.count) + " elements");
    l.max_frames = *entries.type.count;
  }
  if (auto count = record->member("count")) l.record_count_offset = count->offset;
  if (auto own = record->member("handle")) l.record_handle_offset = own->offset;

  // The pools and how many are in use.
  auto pools = types.variable("stack_pools");
  const char* counter = nullptr;
  uint64_t counter_bias = 0;
  if (pools) {
    // A pointer since v6.17, allocated for the stack_depot_max_pools= boot parameter.
    l.storage = pools->type.kind == TypeKind::Pointer ? "stack_pools (pointer)" : "stack_pools";
    if (types.has_symbol("pools_num")) {
      counter = "pools_num";  // 6.8+: the number of pools
    } else {
      counter = "pool_index";  // 6.3-6.7: the index of the last pool
      counter_bias = 1;
    }
  } else {
    pools = types.variable("stack_slabs");
    if (!pools) return std::move(pools).error().with_context("stack depot (neither stack_pools nor stack_slabs)");
    l.storage = "stack_slabs";
    counter = "depot_index";
    counter_bias = 1;
  }
  RAMSIFT_TRY(Variable counter_var, types.variable(counter));
  if (counter_var.type.size != 4)
    return corrupt(std::string(counter) + " is " + counter_var.type.to_string() + ", not an int");
  RAMSIFT_TRY(uint32_t raw_used, d.read_u32(counter_var.address));
  // An int: a negative value would be corrupt.
  uint64_t used =
      static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(raw_used)) + static_cast<int64_t>(counter_bias));
  uint64_t capacity = pools->type.kind == TypeKind::Array ? pools->type.count.value_or(kMaxPools) : kMaxPools;
  if (used > capacity || used > kMaxPools)
    return corrupt(std::string(counter) + " says " + std::to_string(static_cast<int64_t>(used)) +
                   " stack depot pools, not between 0 and " + std::to_string(std::min(capacity, kMaxPools)));
  l.pools_in_use = used;
  VirtAddr array = pools->address;
  if (pools->type.kind == TypeKind::Pointer) {
    std::byte bytes[8];
    RAMSIFT_TRY_STATUS(d.read(pools->address, bytes));
    RAMSIFT_TRY(uint64_t p, ByteReader(bytes, "stack_pools").u64(0));
    array = VirtAddr(p);
  }
  d.pools_.resize(used);
  if (used) {
    std::vector<std::byte> bytes(used * 8);
    RAMSIFT_TRY_STATUS(d.read(array, bytes));
    ByteReader r(bytes, l.storage);
    for (uint64_t i = 0; i < used; ++i) {
      RAMSIFT_TRY(d.pools_[i], r.u64(i * 8));
    }
  }
  return d;
}

Status StackDepot::read(VirtAddr va, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    auto n = read_(va + done, out.subspan(done));
    if (!n) return std::move(n).error().at_address(va + done);
    if (*n == 0) return fault("no bytes").at_address(va + done);
    done += std::min(*n, out.size() - done);
  }
  return {};
}

Result<uint32_t> StackDepot::read_u32(VirtAddr va) const {
  std::byte bytes[4];
  RAMSIFT_TRY_STATUS(read(va, bytes));
  return ByteReader(bytes, "stack depot").u32(0);
}

Result<VirtAddr> StackDepot::record_address(uint32_t handle) const {
  uint64_t index = (handle >> layout_.index_shift) & ((uint64_t{1} << layout_.index_bits) - 1);
  uint64_t offset = ((handle >> layout_.offset_shift) & ((uint64_t{1} << layout_.offset_bits) - 1)) << kStackAlign;
  if (layout_.index_plus_1) {
    if (index == 0) return corrupt("stack handle " + hex(handle) + ": pool index 0 (no pool)");
    --index;
  }
  if (index >= pools_.size())
    return corrupt("stack handle " + hex(handle) + ": pool " + std::to_string(index) + " beyond the " +
                   std::to_string(pools_.size()) + " in use");
  if (!pools_[index]) return corrupt("stack handle " + hex(handle) + ": pool " + std::to_string(index) + " is NULL");
  return VirtAddr(pools_[index] + offset);
}

Result<std::span<const uint64_t>> StackDepot::fetch(uint32_t handle) const {
  if (!handle) return std::span<const uint64_t>();
  {
    std::lock_guard lock(cache_->mutex);
    auto it = cache_->frames.find(handle);
    if (it != cache_->frames.end()) return std::span<const uint64_t>(it->second);
  }
  RAMSIFT_TRY(VirtAddr rec, record_address(handle));
  if (layout_.record_count_offset) {
    RAMSIFT_TRY(uint32_t count, read_u32(rec + *layout_.record_count_offset));
    if (count == 0)
      return corrupt("stack handle " + hex(handle) + ": record at " + hex(rec.value()) + " is freed (count 0)");
  }
  if (layout_.record_handle_offset) {
    // depot_alloc_stack() stores the record's own handle in it: pool index
    // and offset must be the ones that led here (extra bits are the caller's).
    RAMSIFT_TRY(uint32_t own, read_u32(rec + *layout_.record_handle_offset));
    const uint64_t fields = (((uint64_t{1} << layout_.index_bits) - 1) << layout_.index_shift) |
                            (((uint64_t{1} << layout_.offset_bits) - 1) << layout_.offset_shift);
    if ((own & fields) != (handle & fields))
      return corrupt("stack handle " + hex(handle) + ": the record at " + hex(rec.value()) + " holds handle " +
                     hex(own) + ": not this stack's record")
          .at_address(rec);
  }
  RAMSIFT_TRY(uint32_t size, read_u32(rec + layout_.record_size_offset));
  // stack_depot_save() stores no empty trace (it returns handle 0).
  if (size == 0)
    return corrupt("stack handle " + hex(handle) + ": record at " + hex(rec.value()) + " holds no frames")
        .at_address(rec);
  if (size > layout_.max_frames)
    return corrupt("stack handle " + hex(handle) + ": record at " + hex(rec.value()) + " claims " +
                   std::to_string(size) + " frames");
  std::vector<uint64_t> frames(size);
  if (size) {
    std::vector<std::byte> bytes(size * 8);
    RAMSIFT_TRY_STATUS(read(rec + layout_.record_entries_offset, bytes));
    ByteReader r(bytes, "stack_record");
    for (uint32_t i = 0; i < size; ++i) {
      RAMSIFT_TRY(frames[i], r.u64(i * 8));
    }
  }
  std::lock_guard lock(cache_->mutex);
  auto [it, inserted] = cache_->frames.emplace(handle, std::move(frames));
  return std::span<const uint64_t>(it->second);
}

size_t StackDepot::handles_decoded() const {
  std::lock_guard lock(cache_->mutex);
  return cache_->frames.size();
}

}  // namespace ramsift
