#include "ramsift/decode/stack_depot.h"

namespace ramsift {

namespace {

// DEPOT_STACK_ALIGN (STACK_ALLOC_ALIGN before 6.3): records are 16-byte aligned.
constexpr unsigned kStackAlign = 4;
// DEPOT_POOLS_CAP / STACK_ALLOC_SLABS_CAP.
constexpr uint64_t kMaxPools = 8192;

}  // namespace

struct StackDepot::Cache {
  std::mutex mutex;
  std::unordered_map<uint32_t, std::vector<uint64_t>> frames;
};

StackDepot::StackDepot(StackDepot&&) noexcept = default;
StackDepot::~StackDepot() = default;

Result<StackDepot> StackDepot::open(const Kernel& kernel) {
  StackDepot d;
  d.kernel_ = &kernel;
  d.cache_ = std::make_unique<Cache>();
  DwarfTypes& dwarf = kernel.dwarf();
  constexpr std::string_view hint = "lib/stackdepot.c";
  RAMSIFT_TRY(auto parts, dwarf.layout("union handle_parts", hint));
  std::optional<Member> index = parts->member("pool_index_plus_1");
  if (index) {
    d.layout_.index_plus_1 = true;
  } else {
    index = parts->member("pool_index");
    if (!index) index = parts->member("slabindex");
  }
  if (!index) return corrupt("union handle_parts has no pool_index_plus_1, pool_index or slabindex member");
  RAMSIFT_TRY(Member offset, parts->require("offset"));
  d.layout_.index_bits = index->bit_size;
  d.layout_.index_shift = static_cast<unsigned>(index->bit_offset);
  d.layout_.offset_bits = offset.bit_size;
  d.layout_.offset_shift = static_cast<unsigned>(offset.bit_offset);
  // DEPOT_OFFSET_BITS = DEPOT_POOL_ORDER (2) + PAGE_SHIFT - DEPOT_STACK_ALIGN.
  if (d.layout_.offset_bits != 2 + kernel.layout().page_shift - kStackAlign || d.layout_.index_bits == 0 ||
      d.layout_.index_bits > 24)
    return corrupt("union handle_parts: offset is " + std::to_string(d.layout_.offset_bits) + " bits and index " +
                   std::to_string(d.layout_.index_bits) + " bits, which does not fit a " +
                   std::to_string(kernel.page_size()) + "-byte page");

  RAMSIFT_TRY(auto record, dwarf.layout("struct stack_record", hint));
  RAMSIFT_TRY(Member size, record->require("size"));
  RAMSIFT_TRY(Member entries, record->require("entries"));
  d.layout_.record_size_offset = size.offset;
  d.layout_.record_entries_offset = entries.offset;
  if (entries.type.count && *entries.type.count > 1) d.layout_.max_frames = *entries.type.count;
  if (auto count = record->member("count")) d.layout_.record_count_offset = count->offset;

  // The pools and how many are in use.
  auto pools = kernel.variable("stack_pools", hint);
  const char* counter = nullptr;
  uint64_t counter_bias = 0;
  if (pools) {
    d.layout_.storage = pools->type.kind == TypeKind::Pointer ? "stack_pools (pointer)" : "stack_pools";
    if (kernel.symbol("pools_num")) {
      counter = "pools_num";  // 6.8+: the number of pools
    } else {
      counter = "pool_index";  // 6.3-6.7: the index of the last pool
      counter_bias = 1;
    }
  } else {
    pools = kernel.variable("stack_slabs", hint);
    if (!pools) return std::move(pools).error().with_context("stack depot (neither stack_pools nor stack_slabs)");
    d.layout_.storage = "stack_slabs";
    counter = "depot_index";
    counter_bias = 1;
  }
  RAMSIFT_TRY(uint64_t used, kernel.read_variable(counter, hint));
  // An int: a negative value would be corrupt.
  used = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(used)) + static_cast<int64_t>(counter_bias));
  uint64_t capacity = pools->type.count.value_or(kMaxPools);
  if (used > capacity || used > kMaxPools)
    return corrupt(std::string(counter) + " says " + std::to_string(used) + " stack depot pools, more than " +
                   std::to_string(std::min(capacity, kMaxPools)));
  d.layout_.pools_in_use = used;
  VirtAddr array = pools->address;
  if (pools->type.kind == TypeKind::Pointer) {
    RAMSIFT_TRY(uint64_t p, kernel.read_u64(pools->address));
    array = VirtAddr(p);
  }
  d.pools_.resize(used);
  if (used) {
    std::vector<std::byte> bytes(used * 8);
    RAMSIFT_TRY_STATUS(kernel.read(array, bytes));
    ByteReader r(bytes, d.layout_.storage);
    for (uint64_t i = 0; i < used; ++i) {
      RAMSIFT_TRY(d.pools_[i], r.u64(i * 8));
    }
  }
  return d;
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
    RAMSIFT_TRY(uint32_t count, kernel_->read_u32(rec + *layout_.record_count_offset));
    if (count == 0) return corrupt("stack handle " + hex(handle) + ": record at " + hex(rec.value()) + " is freed (count 0)");
  }
  RAMSIFT_TRY(uint32_t size, kernel_->read_u32(rec + layout_.record_size_offset));
  if (size > layout_.max_frames)
    return corrupt("stack handle " + hex(handle) + ": record at " + hex(rec.value()) + " claims " +
                   std::to_string(size) + " frames");
  std::vector<uint64_t> frames(size);
  if (size) {
    std::vector<std::byte> bytes(size * 8);
    RAMSIFT_TRY_STATUS(kernel_->read(rec + layout_.record_entries_offset, bytes));
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
